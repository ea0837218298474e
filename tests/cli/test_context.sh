#!/usr/bin/env bash
# test_context.sh - the line-context step in the pipeline: `inkpipe ocr
# --no-context`, the job key recognize.context, and that both paths agree.
# Pages come from tools/mkpage (Hershey text, fixed seeds), the model from
# tools/rec_model create (random weights, fixed seed): the test checks the wiring,
# not accuracy (tools/page_eval.sh measures that on real handwriting).
. "$(dirname "$0")/lib.sh"

T=$TEST_TMPDIR/ctx
mkdir -p "$T/in"
export INKPIPE_MODEL=$T/rand.model
setup_model "$INKPIPE_MODEL"
setup_page --seed 11 --text "Hello 1O5 world|cop COP sox SOX|Pay 250 EUR now" "$T/in/p1.png"
setup_page --seed 12 "$T/in/p2.png"

"$INKPIPE" ocr --help | grep -q -- '--no-context'
check ocr__help__lists_no_context test $? = 0

"$INKPIPE" ocr -f txt,hocr -o "$T/ctx" "$T/in/p1.png" "$T/in/p2.png" 2>"$T/err1"
rc1=$?
"$INKPIPE" ocr --no-context -f txt,hocr -o "$T/noctx" "$T/in/p1.png" "$T/in/p2.png" 2>"$T/err2"
rc2=$?
check ocr__with_and_without_context__both_succeed test "$rc1:$rc2" = "0:0"
check ocr__no_context__same_boxes_other_choices \
    test "$(grep -o "bbox [0-9 ]*" "$T/ctx/p1.hocr")" = \
    "$(grep -o "bbox [0-9 ]*" "$T/noctx/p1.hocr")"
# same glyphs, but the step re-chooses some classes (fixed seeds: stable)
if ! cmp -s "$T/ctx/p1.txt" "$T/noctx/p1.txt" || ! cmp -s "$T/ctx/p2.txt" "$T/noctx/p2.txt"; then
    pass ocr__context__changes_choices
else
    fail ocr__context__changes_choices "identical text with and without"
fi
if command -v xmllint >/dev/null; then
    check ocr__context_hocr__well_formed xmllint --noout "$T/ctx/p1.hocr"
fi
# confidences stay probabilities
bad=$(grep -o "x_wconf [0-9-]*" "$T/ctx/p1.hocr" "$T/ctx/p2.hocr" | awk '$2 < 0 || $2 > 100' | wc -l)
check ocr__context_conf__in_range test "$bad" = 0

# the job key: false == --no-context, true (and the default) == ocr default
key_jobs "$T" context true false default
check job__context_false__equals_ocr_no_context \
    cmp -s "$T/job_false/out/p1.txt" "$T/noctx/p1.txt"
check job__context_true__equals_ocr_default \
    cmp -s "$T/job_true/out/p1.txt" "$T/ctx/p1.txt"
check job__context_default__is_on \
    cmp -s "$T/job_default/out/p2.txt" "$T/ctx/p2.txt"

key_not_bool "$T" context
