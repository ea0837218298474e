#!/usr/bin/env bash
# test_recognize.sh - the recognised text of generated pages through the
# whole pipeline with the bundled model: CER under a threshold, `run` and
# `ocr` agreeing, multi-page G4 TIFF input.
. "$(dirname "$0")/lib.sh"

B=${BUILD_DIR:-$TOP/build}
T=$TEST_TMPDIR
MAX_CER=${MAX_CER:-0.20}
unset INKPIPE_MODEL # the model found next to the binary (models/)

mkdir -p "$T/in/forms"
"$B/tools/compose" --out "$T/in" --name note --source hershey --size small \
    --pages 2 --seed 21 >/dev/null &&
"$B/tools/compose" --out "$T/in/forms" --name form --source hershey \
    --size small --pages 2 --seed 22 --format g4 --multipage >/dev/null ||
    { fail setup "compose"; exit 1; }
printf 'input:\n  paths: [in]\noutput:\n  dir: out\n' >"$T/job.yaml"

"$INKPIPE" run "$T/job.yaml" --workers 2 2>"$T/log"; rc=$?
check recognize__run__exit_0 test "$rc" = 0
check recognize__multipage_g4__two_pages \
    test "$(tr -cd '\f' <"$T/out/forms/form.txt" | wc -c)" = 1
"$B/tools/cer" --quiet --max-cer "$MAX_CER" \
    "$T/in/note-001.gt.txt" "$T/out/note-001.txt" \
    "$T/in/note-002.gt.txt" "$T/out/note-002.txt" \
    "$T/in/forms/form.gt.txt" "$T/out/forms/form.txt" >"$T/cer"; rc=$?
check "recognize__hershey_pages__cer_under_$MAX_CER" test "$rc" = 0
sed 's/^/# /' "$T/cer"

"$INKPIPE" ocr -o "$T/ocr" "$T/in/note-001.png" "$T/in/forms/form.tif"; rc=$?
same_text() {
    [ "$rc" = 0 ] && cmp -s "$T/ocr/note-001.txt" "$T/out/note-001.txt" &&
        cmp -s "$T/ocr/form.txt" "$T/out/forms/form.txt"
}
check recognize__ocr__same_text_as_run same_text
if command -v xmllint >/dev/null; then
    check recognize__hocr__well_formed xmllint --noout "$T/out/forms/form.hocr"
fi
