#!/usr/bin/env bash
# test_adapt.sh - writer adaptation in the pipeline: `inkpipe ocr
# --no-adapt`, the job key recognize.adapt, and that both paths agree.
# Pages from tools/mkpage (Hershey text, fixed seeds), the model from
# tools/rec_model create (random weights): the wiring, not accuracy
# (tools/adapt_eval.sh measures that per writer).
. "$(dirname "$0")/lib.sh"

T=$TEST_TMPDIR/adapt
mkdir -p "$T/in"
export INKPIPE_MODEL=$T/rand.model
setup_model "$INKPIPE_MODEL"
setup_page --seed 21 --text "the then when there|here where the these|seen see been" "$T/in/p1.png"

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
key_jobs "$T" adapt false default
check job__adapt_false__equals_ocr_no_adapt cmp -s "$T/job_false/out/p1.txt" "$T/off/p1.txt"
check job__adapt_default__equals_ocr_default cmp -s "$T/job_default/out/p1.txt" "$T/on/p1.txt"
grep -q "recognize.adapt=false" "$T/job_false/spool/settings" 2>/dev/null
check job__adapt__recorded_in_spool_settings test $? = 0

key_not_bool "$T" adapt
