#!/usr/bin/env bash
# test_partial.sh - a page that fails fails alone: the other pages of its
# file are written (an empty page in its place), `run` exits 3 and names
# the page; after `retry` + `run` the file is written again, whole, and
# equals a run where the page never failed.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/robust_lib.sh"

T=$TEST_TMPDIR

# ocr_pages HOCR: number of ocr_page elements.
ocr_pages() { grep -o "class=['\"]ocr_page['\"]" "$1" | wc -l; }
# ffs TXT: number of form feeds.
ffs() { tr -cd '\f' <"$1" | wc -c; }
# txt_page TXT N: page N (1-based) of a text output.
txt_page() { awk -v RS='\f' -v n="$2" 'NR == n' "$1"; }
# page_title HOCR N: the title of the Nth ocr_page.
page_title() {
    grep -o "class=['\"]ocr_page['\"][^>]*title=['\"][^'\"]*" "$1" |
        sed -n "$2p" | sed "s/.*title=['\"]//"
}
# same_outputs A B: the txt and hOCR of two jobs' outputs are equal (the
# hOCR names the source image, whose folder differs: map it first).
same_outputs() {
    local f ok=0
    for f in multi.txt multi.hocr one.txt one.hocr; do
        sed "s#$1/#$2/#g" "$1/out/$f" | cmp -s - "$2/out/$f" ||
            { ok=1; echo "  differs: $f"; }
    done
    return $ok
}

# --- A 3-page TIFF with a broken page 2 -----------------------------------
mkjob "$T/b"
mkdir -p "$T/hostile"
"$HOSTILE" "$T/hostile" >/dev/null
cp "$T/hostile/multipage-broken.tif" "$T/b/in/"
page "$T/b/in/one.png" 5
"$INKPIPE" run "$T/b/job.yaml" >"$T/b.log" 2>&1
rc=$?
check broken_page__run__exit_3 [ $rc -eq 3 ]
check broken_page__run__lists_page_2 grep -q 'multipage-broken.tif page 2' "$T/b.log"
"$INKPIPE" status "$T/b/job.yaml" >"$T/b.status" 2>&1
check broken_page__status__names_page_2 grep -q 'multipage-broken.tif page 2: cannot decode' "$T/b.status"
O=$T/b/out/multipage-broken
check broken_page__output__written eval '[ -f "$O.txt" ] && [ -f "$O.hocr" ]'
check broken_page__txt__three_pages [ "$(ffs "$O.txt")" = 2 ]
check broken_page__txt__page_2_empty eval '[ -f "$O.txt" ] && [ -z "$(txt_page "$O.txt" 2)" ]'
check broken_page__txt__pages_1_and_3_recognised \
    eval '[ -n "$(txt_page "$O.txt" 1)" ] && [ "$(txt_page "$O.txt" 1)" = "$(txt_page "$O.txt" 3)" ]'
check broken_page__hocr__three_ocr_pages [ "$(ocr_pages "$O.hocr")" = 3 ]
check broken_page__hocr__page_2_bbox_0 eval 'page_title "$O.hocr" 2 | grep -q "bbox 0 0 0 0"'
check broken_page__hocr__page_2_no_words eval \
    '[ -f "$O.hocr" ] && ! awk "/class=.ocr_page/{n++} n==2" "$O.hocr" | grep -q ocrx_word'
if command -v xmllint >/dev/null; then
    check broken_page__hocr__well_formed xmllint --noout "$O.hocr"
fi
check broken_page__other_file__done [ -s "$T/b/out/one.txt" ]
check broken_page__output_stage__one_done_no_failure \
    [ "$(stage_count "$T/b/job.yaml" output done)/$(stage_count "$T/b/job.yaml" output failed)" = 2/0 ]
# Retried, the page is still broken: it fails again, the file is written
# again the same way.
cp "$O.txt" "$T/b1.txt"
"$INKPIPE" retry "$T/b/job.yaml" >/dev/null 2>&1
"$INKPIPE" run "$T/b/job.yaml" --quiet >"$T/b2.log" 2>&1
rc=$?
check broken_page__retry_still_broken__exit_3 [ $rc -eq 3 ]
check broken_page__retry_still_broken__same_output cmp -s "$T/b1.txt" "$O.txt"
check broken_page__retry_still_broken__one_output_item \
    [ "$(stage_count "$T/b/job.yaml" output done)/$(stage_count "$T/b/job.yaml" output total)" = 2/2 ]

# --- A page that fails, then goes through on retry ------------------------
# Reference: the same inputs, nothing fails.
mkjob "$T/ref"
page "$T/ref/in/multi.tif" 7 3
page "$T/ref/in/one.png" 5
"$INKPIPE" run "$T/ref/job.yaml" --quiet >"$T/ref.log" 2>&1
check clean__run__exit_0 [ $? -eq 0 ]

for st in binarize recognize; do
    J=$T/$st
    mkjob "$J"
    cp "$T/ref/in/multi.tif" "$T/ref/in/one.png" "$J/in/"
    INKPIPE_FAULT=$st:crash,page=2 "$INKPIPE" run "$J/job.yaml" >"$J.log" 2>&1
    rc=$?
    check "fail_in_${st}__run__exit_3" [ $rc -eq 3 ]
    check "fail_in_${st}__run__lists_page_2" grep -q "$st f[0-9a-f]*-p0001 failed\|multi.tif.*page 2\|-p0001.*crashed" "$J.log"
    O=$J/out/multi
    check "fail_in_${st}__txt__pages_1_and_3_as_clean" eval \
        '[ "$(ffs "$O.txt")" = 2 ] && [ -z "$(txt_page "$O.txt" 2)" ] &&
         [ "$(txt_page "$O.txt" 1)" = "$(txt_page "$T/ref/out/multi.txt" 1)" ] &&
         [ "$(txt_page "$O.txt" 3)" = "$(txt_page "$T/ref/out/multi.txt" 3)" ]'
    check "fail_in_${st}__hocr__three_ocr_pages" [ "$(ocr_pages "$O.hocr")" = 3 ]
    check "fail_in_${st}__one_png__as_clean" cmp -s "$T/ref/out/one.txt" "$J/out/one.txt"
    "$INKPIPE" retry "$J/job.yaml" >"$J.retry" 2>&1
    check "fail_in_${st}__retry__one_item" grep -q 'requeued 1 failed' "$J.retry"
    "$INKPIPE" run "$J/job.yaml" --quiet >"$J.log2" 2>&1
    rc=$?
    check "fail_in_${st}__retried__exit_0" [ $rc -eq 0 ]
    check "fail_in_${st}__retried__outputs_identical_to_clean" same_outputs "$T/ref" "$J"
    check "fail_in_${st}__retried__all_done_one_output_each" all_done "$J/job.yaml"
    check "fail_in_${st}__retried__counts_as_clean" eval \
        '[ "$(status_json "$J/job.yaml" | grep -o "\"stages\".*" | sed "s/\"age_s\":[0-9.]*//g")" = \
           "$(status_json "$T/ref/job.yaml" | grep -o "\"stages\".*" | sed "s/\"age_s\":[0-9.]*//g")" ]'
done
# A page that failed in recognize was binarised: its empty ocr_page keeps
# the page's size. (Checked on the partial output of a fresh run.)
J=$T/size
mkjob "$J"
cp "$T/ref/in/multi.tif" "$J/in/"
INKPIPE_FAULT=recognize:crash,page=2 "$INKPIPE" run "$J/job.yaml" --quiet >/dev/null 2>&1
check fail_in_recognize__hocr__page_2_keeps_its_bbox eval \
    '[ "$(page_title "$J/out/multi.hocr" 2 | grep -o "bbox [0-9 ]*")" = \
       "$(page_title "$T/ref/out/multi.hocr" 2 | grep -o "bbox [0-9 ]*")" ]'

