#!/usr/bin/env bash
# test_review_job.sh - the job key output.review: `inkpipe run` writes (and
# refreshes) OUT/review.html at its end and says so in its summary; a rerun
# with nothing new leaves the page and its pictures byte-identical; without
# the key nothing is written and `inkpipe review` still works alone; the
# key without hocr or json among output.formats is refused at load.
. "$(dirname "$0")/lib.sh"

T=$TEST_TMPDIR
unset INKPIPE_MODEL
export INKPIPE_FSYNC=0
mkdir -p "$T/in"
cp "$TOP/samples/boxes-001.png" "$T/in/boxes-001.png"
job() { # FILE NAME [OUTPUT LINES...]
    local f=$1 n=$2; shift 2
    printf 'name: %s\ninput:\n  paths: [in]\noutput:\n  dir: out-%s\n' "$n" "$n" >"$f"
    for l in "$@"; do printf '  %s\n' "$l" >>"$f"; done
}

job "$T/on.yaml" on "review: true"
"$INKPIPE" run "$T/on.yaml" >"$T/run1.log" 2>&1; rc=$?
H=$T/out-on/review.html
check review_job__run_exit_0 test "$rc" = 0
check review_job__page_written_after_run test -s "$H" -a -d "$T/out-on/review_files"
check review_job__page_shows_the_input grep -q 'boxes-001' "$H"
check review_job__summary_names_the_page \
    grep -q "review page $T/out-on/review.html: [0-9]* to check" "$T/run1.log"

cp "$H" "$T/page1.html"
cp -r "$T/out-on/review_files" "$T/files1"
"$INKPIPE" run "$T/on.yaml" >"$T/run2.log" 2>&1; rc=$?
check review_job__rerun_exit_0 test "$rc" = 0
check review_job__rerun_nothing_new grep -q "0 pages (1 unchanged)" "$T/run2.log"
check review_job__rerun_page_byte_identical cmp -s "$T/page1.html" "$H"
check review_job__rerun_pictures_byte_identical diff -r "$T/files1" "$T/out-on/review_files"
check review_job__rerun_summary_names_the_page grep -q "review page " "$T/run2.log"
# no temp or old folder left beside the page
check review_job__no_leftovers test -z "$(ls -A "$T/out-on" | grep '^\.')"

job "$T/off.yaml" off
"$INKPIPE" run "$T/off.yaml" >"$T/run3.log" 2>&1; rc=$?
check review_job__without_key_exit_0 test "$rc" = 0
check review_job__without_key_outputs test -s "$T/out-off/boxes-001.hocr"
check review_job__without_key_no_page test ! -e "$T/out-off/review.html" -a ! -e "$T/out-off/review_files"
check review_job__without_key_summary_silent eval '! grep -q "review page" "$T/run3.log"'
"$INKPIPE" review "$T/off.yaml" >"$T/rev.log" 2>&1; rc=$?
check review_job__review_command_still_alone test "$rc" = 0 -a -s "$T/out-off/review.html"

job "$T/false.yaml" false "review: false"
"$INKPIPE" run "$T/false.yaml" >/dev/null 2>&1
check review_job__false_no_page test -s "$T/out-false/boxes-001.txt" -a ! -e "$T/out-false/review.html"

job "$T/txt.yaml" txt "formats: [txt]" "review: true"
"$INKPIPE" run "$T/txt.yaml" >"$T/txt.log" 2>&1; rc=$?
check review_job__needs_hocr_or_json_exit_2 test "$rc" = 2
check review_job__needs_hocr_or_json_message \
    grep -q "txt.yaml:7:[0-9]*: output.review needs hocr or json" "$T/txt.log"

job "$T/bad.yaml" bad "review: yes"
"$INKPIPE" run "$T/bad.yaml" >"$T/bad.log" 2>&1; rc=$?
check review_job__bad_value_refused test "$rc" = 2
check review_job__bad_value_message grep -q "bad.yaml:6:[0-9]*: expected true or false for output.review" "$T/bad.log"
