#!/usr/bin/env bash
# test_paths.sh - paths and words (issue 16): the image path in hOCR and
# ALTO is relative to the output file's folder and normalised, wherever the
# shell stood; `ocr -o -` writes to stdout; `ocr` on a folder says so;
# output.image_paths: absolute names the scan by its absolute path (an edit
# of it rewrites the outputs only); `status` of a job never run says so and
# creates nothing; nor does
# `status` of a job whose output folder was deleted.
. "$(dirname "$0")/lib.sh"

B=${BUILD_DIR:-$TOP/build}
T=$TEST_TMPDIR
export INKPIPE_MODEL=$T/rand.model
"$B/tools/rec_model" create --seed 7 "$INKPIPE_MODEL" || { fail setup "rec_model create"; exit 1; }
mkdir -p "$T/scans/box02" "$T/jobs"
"$B/tools/mkpage" --seed 3 --size 600x300 "$T/scans/box02/form.png"

# image "PATH" of an hOCR file, fileName of an ALTO file
hocr_image() { sed -n 's/.*title="image &quot;\([^&]*\)&quot;.*/\1/p' "$1" | head -1; }
alto_image() { sed -n 's/.*<fileName>\(.*\)<\/fileName>.*/\1/p' "$1" | head -1; }
# no "//", no "." component, no "NAME/.." (leading "../" is fine)
normalised() {
    case "$1" in ""|*//*|./*|*/./*|*/.) return 1 ;; esac
    ! echo "$1" | grep -qE '(^|/)([^./][^/]*|\.[^./][^/]*)/\.\.(/|$)'
}
opens_from() { (cd "$1" && test -f "$2"); }

printf 'input:\n  paths: [../scans//box02]\noutput:\n  dir: out\n  formats: [txt, hocr, alto, json]\nspool: spool\n' >"$T/jobs/job.yaml"

# status before any run: says so, creates nothing
(cd "$T" && "$INKPIPE" status jobs/job.yaml) >"$T/st.out" 2>"$T/st.err"; rc=$?
check status__never_run__exit_1 test "$rc" = 1
check status__never_run__says_no_spool grep -q "spool .* does not exist" "$T/st.err"
check status__never_run__creates_nothing test ! -e "$T/jobs/spool" -a ! -e "$T/jobs/out"

(cd "$T" && "$INKPIPE" run jobs/job.yaml) >/dev/null 2>&1; rc=$?
check run__job_from_other_folder__exit_0 test "$rc" = 0
h=$(find "$T/jobs/out" -name 'form.hocr' | head -1)
a=$(find "$T/jobs/out" -name 'form.alto.xml' | head -1)
img=$(hocr_image "$h")
check hocr_image__relative_to_hocr_folder__opens opens_from "$(dirname "$h")" "$img"
check hocr_image__normalised normalised "$img"
check hocr_image__relative test "${img#/}" = "$img"
img=$(alto_image "$a")
check alto_filename__relative_to_alto_folder__opens opens_from "$(dirname "$a")" "$img"
check alto_filename__normalised normalised "$img"

# output.image_paths: absolute: the outputs name the scan by its absolute
# path, normalised (and JSON too); an edit of the key rewrites the outputs
# only, as the other output.* keys do (json is in the formats from the
# first run on: adding it would redo recognize, which finds the fields)
printf 'input:\n  paths: [../scans//box02]\noutput:\n  dir: out\n  formats: [txt, hocr, alto, json]\n  image_paths: absolute\nspool: spool\n' >"$T/jobs/job.yaml"
(cd "$T" && INKPIPE_TRACE=$T/abs.trace "$INKPIPE" run jobs/job.yaml) >"$T/abs.log" 2>&1; rc=$?
check image_paths_absolute__exit_0 test "$rc" = 0
check image_paths_absolute__only_output_redone eval \
    '[ "$(grep -c "^output " "$T/abs.trace")" = 1 ] && [ "$(grep -vc "^output " "$T/abs.trace")" = 0 ] && grep -q "output.image_paths relative -> absolute" "$T/abs.log"'
img=$(hocr_image "$h")
check image_paths_absolute__hocr_is_the_scan test "$img" = "$(cd "$T/scans/box02" && pwd -P)/form.png" -o "$img" = "$T/scans/box02/form.png"
check image_paths_absolute__hocr_normalised_and_opens eval 'normalised "$img" && [ -f "$img" ] && [ "${img#/}" != "$img" ]'
img=$(alto_image "$a")
check image_paths_absolute__alto_absolute_opens eval 'normalised "$img" && [ -f "$img" ] && [ "${img#/}" != "$img" ]'
check image_paths_absolute__json_source grep -q "\"source\": *\"$img\"" "${h%.hocr}.json"
printf 'input:\n  paths: [../scans//box02]\noutput:\n  dir: out\n  formats: [txt, hocr, alto, json]\nspool: spool\n' >"$T/jobs/job.yaml"
(cd "$T" && "$INKPIPE" run jobs/job.yaml) >/dev/null 2>&1
img=$(hocr_image "$h")
check image_paths_relative_again__hocr_relative eval '[ "${img#/}" = "$img" ] && opens_from "$(dirname "$h")" "$img"'
printf 'input:\n  paths: [../scans//box02]\noutput:\n  dir: out\n  image_paths: full\n' >"$T/jobs/bad.yaml"
"$INKPIPE" run "$T/jobs/bad.yaml" >/dev/null 2>"$T/bad.err"; rc=$?
check image_paths_bad_value__exit_2_named eval '[ $rc = 2 ] && grep -q "bad.yaml:5:16: expected relative or absolute for output.image_paths" "$T/bad.err"'

# status of a job that ran, its output folder deleted since: creates
# nothing (not the output folder, not a spool file), says the counts
find "$T/jobs/spool" | sort >"$T/spool.before"
mv "$T/jobs/out" "$T/jobs/out.kept"
(cd "$T" && "$INKPIPE" status jobs/job.yaml) >"$T/st2.out" 2>&1; rc=$?
check status__output_folder_gone__exit_0 test "$rc" = 0
check status__output_folder_gone__not_created test ! -e "$T/jobs/out"
check status__output_folder_gone__spool_unchanged eval \
    'find "$T/jobs/spool" | sort | cmp -s - "$T/spool.before"'
(cd "$T" && "$INKPIPE" status jobs/job.yaml --json) >/dev/null 2>&1
check status_json__output_folder_gone__not_created test ! -e "$T/jobs/out"
mv "$T/jobs/out.kept" "$T/jobs/out"

# ocr -o DIR from another folder: the path is seen from DIR
mkdir -p "$T/o1"
(cd "$T/scans" && "$INKPIPE" ocr -o ../o1/x/.. box02//form.png) >/dev/null 2>&1; rc=$?
check ocr__o_dir__exit_0 test "$rc" = 0
img=$(hocr_image "$T/o1/form.hocr")
check ocr_hocr_image__relative_to_out_folder__opens opens_from "$T/o1" "$img"
check ocr_hocr_image__normalised normalised "$img"

# ocr -o -: the text on stdout, no folder named "-"
(cd "$T" && "$INKPIPE" ocr -o - scans/box02/form.png) >"$T/stdout.txt" 2>"$T/err"; rc=$?
check ocr__o_dash__exit_0 test "$rc" = 0
check ocr__o_dash__no_folder_named_dash test ! -e "$T/-"
check ocr__o_dash__text_equals_file_output cmp -s "$T/stdout.txt" "$T/o1/form.txt"
(cd "$T" && "$INKPIPE" ocr -o - -f hocr scans/box02/form.png) >"$T/stdout.hocr" 2>/dev/null
img=$(hocr_image "$T/stdout.hocr")
check ocr__o_dash_hocr__image_from_current_folder test "$img" = scans/box02/form.png
(cd "$T" && "$INKPIPE" ocr -o - -f txt,hocr scans/box02/form.png) >/dev/null 2>"$T/err"; rc=$?
check ocr__o_dash_two_formats__refused_exit_2 test "$rc" = 2
check ocr__o_dash_two_formats__says_why grep -q "one format" "$T/err"
check ocr__o_dash_two_formats__no_folder test ! -e "$T/-"

# ocr on a folder
(cd "$T" && "$INKPIPE" ocr -o o2 scans/box02) >/dev/null 2>"$T/err"; rc=$?
check ocr__folder__exit_1 test "$rc" = 1
check ocr__folder__says_it_is_a_folder grep -q "scans/box02 is a folder" "$T/err"
