#!/usr/bin/env bash
# test_lone_glyph.sh - a picture of one glyph reads the same through
# `inkpipe ocr` as through `inkpipe classify` (issue 13: a field crop, a
# line and a page read the same; a one-letter field is a crop too). The
# line context used to measure a one-glyph line on that glyph, so a lone
# x-height letter looked as tall as a capital: "o" read "0", "m" "M", "a"
# "d". Thirteen lower-case letters drawn in DejaVu Sans with ImageMagick,
# the bundled model: at least 12 of 13 must agree (13 when written, 9
# before). Skipped with a line saying so without ImageMagick or the font.
. "$(dirname "$0")/lib.sh"

T=$TEST_TMPDIR/lone
mkdir -p "$T/in"
unset INKPIPE_MODEL # the model found next to the binary (models/)
font=/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf
letters="a c e m n o r s u v w x z"
if ! command -v convert >/dev/null || [ ! -f "$font" ]; then
    echo "# SKIP: ImageMagick convert or $font missing (tools/deps.sh test)"
else
    for c in $letters; do
        convert -size 160x120 xc:white -font "$font" -pointsize 90 \
            -gravity center -annotate 0 "$c" "$T/in/$c.png"
    done
    "$INKPIPE" classify "$T"/in/*.png >"$T/classify.tsv" 2>"$T/err1"
    check classify__letter_pictures__read test $? = 0
    "$INKPIPE" ocr -f txt -o "$T/ocr" "$T"/in/*.png 2>"$T/err2"
    check ocr__letter_pictures__read test $? = 0
    same=0
    for c in $letters; do
        want=$(awk -F'\t' -v f="$T/in/$c.png" '$1 == f { print $2 }' "$T/classify.tsv")
        got=$(tr -d ' \n' <"$T/ocr/$c.txt" 2>/dev/null)
        [ -n "$want" ] && [ "$got" = "$want" ] && same=$((same + 1))
    done
    check ocr__lone_glyph_picture__reads_as_classify_12_of_13 test "$same" -ge 12
fi
