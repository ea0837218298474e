#!/usr/bin/env bash
# test_library_messages.sh - library messages name their file (issue 16):
# libjpeg's "Premature end of JPEG file" and friends of a truncated JPEG,
# and a TIFF cut short, come out on lines that name the file (and page),
# from `inkpipe ocr` and from a job; never bare on stderr.
. "$(dirname "$0")/lib.sh"

B=${BUILD_DIR:-$TOP/build}
T=$TEST_TMPDIR
export INKPIPE_MODEL=$T/rand.model
"$B/tools/rec_model" create --seed 7 "$INKPIPE_MODEL" || { fail setup "rec_model create"; exit 1; }
mkdir -p "$T/scans"
jpg=$TOP/samples/scan-001.jpg
tif=$TOP/samples/form.tif
head -c $(($(stat -c %s "$jpg") / 2)) "$jpg" >"$T/scans/cut.jpg"
# 4000 bytes: the header is there, the first directory (at 11430) is not
head -c 4000 "$tif" >"$T/scans/cut.tif"

# every non-empty line of file $1 names file $2
all_lines_name() { ! grep -v -e '^$' -e "$2" "$1" | grep -q .; }

"$INKPIPE" ocr -o "$T/out" "$T/scans/cut.jpg" >/dev/null 2>"$T/jpg.err"; rc=$?
check ocr__truncated_jpeg__exit_1 test "$rc" = 1
check ocr__truncated_jpeg__library_words_kept grep -q "Premature end of JPEG file" "$T/jpg.err"
check ocr__truncated_jpeg__every_line_names_file all_lines_name "$T/jpg.err" "cut.jpg page 1: "
check ocr__truncated_jpeg__one_line test "$(grep -c . "$T/jpg.err")" = 1

"$INKPIPE" ocr -o "$T/out" "$T/scans/cut.tif" >/dev/null 2>"$T/tif.err"; rc=$?
check ocr__truncated_tiff__exit_1 test "$rc" = 1
check ocr__truncated_tiff__every_line_names_file all_lines_name "$T/tif.err" "cut.tif"
check ocr__truncated_tiff__says_truncated grep -q "truncated or corrupt TIFF" "$T/tif.err"
no_unknown() { ! grep -q "not an image file" "$1"; }
check ocr__truncated_tiff__not_unknown_format no_unknown "$T/tif.err"

# half the 3-page TIFF: page 1 reads, the chain's next link is past the end
head -c $(($(stat -c %s "$tif") / 2)) "$tif" >"$T/half.tif"
"$INKPIPE" ocr -o "$T/out" "$T/half.tif" >/dev/null 2>"$T/half.err"; rc=$?
check ocr__tiff_cut_after_page_1__exit_0 test "$rc" = 0
check ocr__tiff_cut_after_page_1__warns_pages_lost grep -q "half.tif: warning: .*truncated.*pages after" "$T/half.err"
check ocr__tiff_cut_after_page_1__every_line_names_file all_lines_name "$T/half.err" "half.tif"
"$INKPIPE" ocr -o "$T/out" "$tif" >/dev/null 2>"$T/whole.err"
check ocr__whole_tiff__no_warning test ! -s "$T/whole.err"

# a job: the library's line never comes bare, the failures name the files
printf 'input:\n  paths: [scans]\noutput:\n  dir: out\n  formats: [txt]\nspool: spool\n' >"$T/job.yaml"
"$INKPIPE" run "$T/job.yaml" >"$T/run.out" 2>"$T/run.err"; rc=$?
cat "$T/run.out" "$T/run.err" >"$T/run.all"
"$INKPIPE" status "$T/job.yaml" >>"$T/run.all" 2>&1
check run__truncated_inputs__fails test "$rc" != 0
# lines with the library's words name the file
lib_lines_name() { ! grep -e "Premature end" -e "JPEG datastream" "$1" | grep -v -q "$2"; }
check run__truncated_jpeg__library_words_kept grep -q "Premature end of JPEG file" "$T/run.all"
check run__truncated_jpeg__no_bare_library_line lib_lines_name "$T/run.all" "cut.jpg"
check run__truncated_tiff__says_truncated grep -q "cut.tif.*truncated or corrupt TIFF" "$T/run.all"
