#!/usr/bin/env bash
# test_adapt.sh - writer adaptation in the pipeline: `inkpipe ocr
# --no-adapt`, the job key recognize.adapt, and that both paths agree.
# Pages from tools/mkpage (Hershey text, fixed seeds), the model from
# tools/rec_model create (random weights): the wiring, not accuracy
# (tools/adapt_eval.sh measures that per writer).
. "$(dirname "$0")/lib.sh"

B=${BUILD_DIR:-$TOP/build}
T=$TEST_TMPDIR/adapt
mkdir -p "$T/in"
export INKPIPE_MODEL=$T/rand.model
"$B/tools/rec_model" create --seed 7 "$INKPIPE_MODEL" >/dev/null || { fail setup__rec_model; exit 1; }
"$B/tools/mkpage" --seed 21 --text "the then when there|here where the these|seen see been" \
    "$T/in/p1.png" || { fail setup__mkpage; exit 1; }

"$INKPIPE" ocr --help | grep -q -- '--no-adapt'
check ocr__help__lists_no_adapt test $? = 0

"$INKPIPE" ocr -f txt,hocr -o "$T/on" "$T/in/p1.png" 2>"$T/err1"
rc1=$?
"$INKPIPE" ocr --no-adapt -f txt,hocr -o "$T/off" "$T/in/p1.png" 2>"$T/err2"
rc2=$?
check ocr__with_and_without_adapt__both_succeed test "$rc1:$rc2" = "0:0"
check ocr__no_adapt__same_boxes \
    test "$(grep -o "bbox [0-9 ]*" "$T/on/p1.hocr")" = "$(grep -o "bbox [0-9 ]*" "$T/off/p1.hocr")"

# the job key: false == --no-adapt, the default == ocr's default
for v in false default; do
    mkdir -p "$T/job_$v"
    {
        echo "input:"
        echo "  paths: [$T/in]"
        echo "output:"
        echo "  dir: $T/job_$v/out"
        echo "  formats: [txt]"
        echo "spool: $T/job_$v/spool"
        if [ $v != default ]; then
            echo "recognize:"
            echo "  adapt: $v"
        fi
    } >"$T/job_$v/job.yaml"
    "$INKPIPE" run "$T/job_$v/job.yaml" >"$T/job_$v/log" 2>&1 || echo "  run $v failed: $(cat "$T/job_$v/log")"
done
check job__adapt_false__equals_ocr_no_adapt cmp -s "$T/job_false/out/p1.txt" "$T/off/p1.txt"
check job__adapt_default__equals_ocr_default cmp -s "$T/job_default/out/p1.txt" "$T/on/p1.txt"
grep -q "recognize.adapt=false" "$T/job_false/spool/settings" 2>/dev/null
check job__adapt__recorded_in_spool_settings test $? = 0

cat >"$T/bad.yaml" <<EOF2
input:
  paths: [$T/in]
output:
  dir: $T/bad_out
recognize:
  adapt: maybe
EOF2
err=$("$INKPIPE" run "$T/bad.yaml" 2>&1); rc=$?
case "$rc:$err" in
2:*bad.yaml:6:*adapt*) pass job__adapt_not_bool__error_names_line ;;
*) fail job__adapt_not_bool__error_names_line "rc=$rc: $err" ;;
esac
