#!/usr/bin/env bash
# test_lm.sh - the language model and lexicon in `inkpipe ocr`: --no-lm,
# --lexicon, the model found next to the classifier, bad files refused and
# named. Pages from tools/mkpage (fixed seeds), the classifier from
# tools/rec_model create (random weights): wiring, not accuracy (the unit
# tests check the decoder on crafted posteriors; docs/context.md has the
# measurements).
. "$(dirname "$0")/lib.sh"

T=$TEST_TMPDIR/lm
mkdir -p "$T/in" "$T/m"
export INKPIPE_MODEL=$T/m/rand.model
setup_model "$INKPIPE_MODEL"
setup_page --seed 11 --text "the weather mother|GQ267388 2026 0105|Pay 250 EUR" "$T/in/p1.png"

"$INKPIPE" ocr --help | grep -q -- '--lexicon FILE'
check ocr__help__lists_lexicon test $? = 0

# no en-fr.lm next to the random model: the tree's models/en-fr.lm is used
"$INKPIPE" ocr -f txt,hocr -o "$T/lm" "$T/in/p1.png" 2>"$T/err1"
rc1=$?
"$INKPIPE" ocr --no-lm -f txt,hocr -o "$T/nolm" "$T/in/p1.png" 2>"$T/err2"
rc2=$?
check ocr__with_and_without_lm__both_succeed test "$rc1:$rc2" = "0:0"
check ocr__lm__same_boxes \
    test "$(grep -o "bbox [0-9 ]*" "$T/lm/p1.hocr")" = "$(grep -o "bbox [0-9 ]*" "$T/nolm/p1.hocr")"

check ocr__lm_found__no_warning test ! -s "$T/err1"

# an inkpipe copied out of the tree, its model without en-fr.lm: it reads
# without the language model, and says so (else a user cannot tell)
mkdir -p "$T/alone"
cp "$INKPIPE" "$T/alone/inkpipe"
"$T/alone/inkpipe" ocr -f txt -o "$T/alone/out" "$T/in/p1.png" 2>"$T/err7"
rc=$?
check ocr__no_lm_found__reads_and_warns test "$rc" = 0 -a -s "$T/alone/out/p1.txt"
check ocr__no_lm_found__warning_names_model grep -q "no language model.*$T/m/rand.model" "$T/err7"
"$T/alone/inkpipe" ocr --no-lm -f txt -o "$T/alone/out2" "$T/in/p1.png" 2>"$T/err8"
check ocr__no_lm_asked__no_warning test ! -s "$T/err8"

# a corrupt model next to the classifier is refused, named
printf 'IKLM garbage' >"$T/m/en-fr.lm"
"$INKPIPE" ocr -o "$T/bad" "$T/in/p1.png" 2>"$T/err3"
rc=$?
check ocr__corrupt_lm__exit_1_named test "$rc" = 1
check ocr__corrupt_lm__message_names_file grep -q "$T/m/en-fr.lm" "$T/err3"
"$INKPIPE" ocr --no-lm -o "$T/bad2" "$T/in/p1.png" 2>/dev/null
check ocr__corrupt_lm_with_no_lm__runs test $? = 0
rm -f "$T/m/en-fr.lm"

# lexicon: missing file and a bad count are refused, named
"$INKPIPE" ocr --lexicon "$T/none.tsv" -o "$T/x" "$T/in/p1.png" 2>"$T/err4"
rc=$?
check ocr__missing_lexicon__exit_1 test "$rc" = 1
check ocr__missing_lexicon__named grep -q "none.tsv" "$T/err4"
printf 'THOMAS\t438\nLEA\tmany\n' >"$T/bad.tsv"
"$INKPIPE" ocr --lexicon "$T/bad.tsv" -o "$T/x" "$T/in/p1.png" 2>"$T/err5"
check ocr__bad_lexicon__file_and_line_named grep -q "bad.tsv:2:" "$T/err5"

# a good lexicon is loaded and used (snapping itself: test_rec_lm.c)
printf 'weather\t10\nmother\t5\n' >"$T/lex.tsv"
"$INKPIPE" ocr --lexicon "$T/lex.tsv" -f txt -o "$T/lex" "$T/in/p1.png" 2>"$T/err6"
check ocr__lexicon__succeeds test $? = 0
