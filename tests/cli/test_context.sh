#!/usr/bin/env bash
# test_context.sh - the line-context step in the pipeline: `inkpipe ocr
# --no-context`, the job key recognize.context, and that both paths agree.
# Pages come from tools/mkpage (Hershey text, fixed seeds), the model from
# tools/rec_model create (random weights, fixed seed): the test checks the wiring,
# not accuracy (tools/page_eval.sh measures that on real handwriting).
. "$(dirname "$0")/lib.sh"

B=${BUILD_DIR:-$TOP/build}
T=$TEST_TMPDIR/ctx
mkdir -p "$T/in"
export INKPIPE_MODEL=$T/rand.model
"$B/tools/rec_model" create --seed 7 "$INKPIPE_MODEL" >/dev/null || { fail setup__rec_model; exit 1; }
"$B/tools/mkpage" --seed 11 --text "Hello 1O5 world|cop COP sox SOX|Pay 250 EUR now" \
    "$T/in/p1.png" || { fail setup__mkpage; exit 1; }
"$B/tools/mkpage" --seed 12 "$T/in/p2.png" || { fail setup__mkpage; exit 1; }

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
for v in true false default; do
    mkdir -p "$T/job_$v"
    {
        echo "name: ctx_$v"
        echo "input:"
        echo "  paths: [$T/in]"
        echo "output:"
        echo "  dir: $T/job_$v/out"
        echo "  formats: [txt]"
        echo "spool: $T/job_$v/spool"
        if [ $v != default ]; then
            echo "recognize:"
            echo "  context: $v"
        fi
    } >"$T/job_$v/job.yaml"
    "$INKPIPE" run "$T/job_$v/job.yaml" >"$T/job_$v/log" 2>&1 || echo "  run $v failed: $(cat "$T/job_$v/log")"
done
check job__context_false__equals_ocr_no_context \
    cmp -s "$T/job_false/out/p1.txt" "$T/noctx/p1.txt"
check job__context_true__equals_ocr_default \
    cmp -s "$T/job_true/out/p1.txt" "$T/ctx/p1.txt"
check job__context_default__is_on \
    cmp -s "$T/job_default/out/p2.txt" "$T/ctx/p2.txt"

cat >"$T/bad.yaml" <<EOF
input:
  paths: [$T/in]
output:
  dir: $T/bad_out
recognize:
  context: maybe
EOF
err=$("$INKPIPE" run "$T/bad.yaml" 2>&1); rc=$?
case "$rc:$err" in
2:*bad.yaml:6:*context*) pass job__context_not_bool__error_names_line ;;
*) fail job__context_not_bool__error_names_line "rc=$rc: $err" ;;
esac
