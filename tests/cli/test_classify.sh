#!/usr/bin/env bash
# test_classify.sh - `inkpipe classify`: output format, batch of images of
# any size/depth, charset restriction, bad images named on stderr with exit
# 1, bad usage exit 2, damaged model rejected. The model is an untrained
# net made by build/tools/rec_model with a fixed seed, so only behaviour
# that does not depend on accuracy is checked here.
source "$(dirname "$0")/lib.sh"
BUILD_DIR=${BUILD_DIR:-$TOP/build}
T=$TEST_TMPDIR
MODEL=$T/rand.model
"$BUILD_DIR/tools/rec_model" create --seed 7 --meta "untrained test net" "$MODEL" ||
    fail classify_model_created

# Glyph images: a bar, a ring, a cross, in different sizes and depths.
convert -size 40x48 xc:white -fill black -draw "rectangle 17,6 23,42" \
    "$T/bar.png"
convert -size 64x64 xc:white -fill none -stroke black -strokewidth 6 \
    -draw "circle 32,32 32,12" -type Grayscale "$T/ring.png"
convert -size 30x30 xc:'#f0f0e0' -stroke '#202060' -strokewidth 3 \
    -draw "line 4,4 26,26" -draw "line 26,4 4,26" -type TrueColor "$T/cross.tif"
convert -size 48x48 xc:white -fill black -draw "rectangle 10,20 38,26" \
    -monochrome "$T/dash.pbm"
convert -size 32x32 xc:white "$T/blank.png"
echo "not an image" >"$T/junk.png"

out=$("$INKPIPE" classify --model "$MODEL" "$T/bar.png" "$T/ring.png" \
      "$T/cross.tif" "$T/dash.pbm" 2>"$T/err")
rc=$?
check classify_all_ok__exit_0 test "$rc" -eq 0
check classify_all_ok__one_line_per_image test "$(printf '%s\n' "$out" | wc -l)" -eq 4
check classify_all_ok__format_path_char_conf \
    test -z "$(printf '%s\n' "$out" | grep -Ev $'^[^\t]+\t[0-9A-Za-z]\t(0\\.[0-9]{4}|1\\.0000)$')"
check classify_all_ok__argument_order \
    test "$(printf '%s\n' "$out" | cut -f1 | tr '\n' ' ')" = \
         "$T/bar.png $T/ring.png $T/cross.tif $T/dash.pbm "
check classify_all_ok__quiet_stderr test ! -s "$T/err"

# Batch and single calls agree.
single=$( for f in bar.png ring.png cross.tif dash.pbm; do
              "$INKPIPE" classify --model "$MODEL" "$T/$f"; done )
check classify_batch__equals_single_calls test "$out" = "$single"

# Charset restriction: every answer is a digit; confidences renormalised.
dig=$("$INKPIPE" classify --model "$MODEL" --charset digits "$T/bar.png" \
      "$T/ring.png" "$T/cross.tif")
check classify_charset_digits__answers_are_digits \
    test -z "$(printf '%s\n' "$dig" | cut -f2 | grep -v '^[0-9]$')"
hex=$("$INKPIPE" classify --model "$MODEL" --charset=AB "$T/ring.png")
check classify_charset_literal__answers_in_set \
    test "$(printf '%s\n' "$hex" | cut -f2 | grep -c '^[AB]$')" -eq 1
# one class allowed: confidence must be exactly 1
one=$("$INKPIPE" classify --model "$MODEL" --charset 7 "$T/bar.png")
check classify_charset_single__confidence_1 \
    test "$(printf '%s\n' "$one" | cut -f2,3)" = $'7\t1.0000'

# Bad images: named on stderr, the others still classified, exit 1.
out=$("$INKPIPE" classify --model "$MODEL" "$T/bar.png" "$T/junk.png" \
      "$T/missing.png" "$T/blank.png" "$T/ring.png" 2>"$T/err")
rc=$?
check classify_bad_images__exit_1 test "$rc" -eq 1
check classify_bad_images__good_ones_printed \
    test "$(printf '%s\n' "$out" | cut -f1 | tr '\n' ' ')" = "$T/bar.png $T/ring.png "
check classify_bad_images__junk_named grep -q "junk.png: cannot read image" "$T/err"
check classify_bad_images__missing_named grep -q "missing.png: cannot read image" "$T/err"
check classify_bad_images__blank_named grep -q "blank.png" "$T/err"

# Usage errors: exit 2 with a message.
"$INKPIPE" classify --model "$MODEL" >/dev/null 2>"$T/err"
check classify_no_images__exit_2 test $? -eq 2
"$INKPIPE" classify --model "$MODEL" --charset 'A!' "$T/bar.png" >/dev/null 2>"$T/err"
rc=$?
check classify_bad_charset__exit_2 test "$rc" -eq 2
check classify_bad_charset__names_char grep -q "'!'" "$T/err"
"$INKPIPE" classify --bogus "$T/bar.png" >/dev/null 2>"$T/err"
check classify_unknown_option__exit_2 test $? -eq 2
"$INKPIPE" classify --help >"$T/help"
check classify_help__exit_0_and_usage grep -q "usage: inkpipe classify" "$T/help"

# Damaged or missing model: exit 2 naming the file and the fault.
head -c 300 "$MODEL" >"$T/trunc.model"
"$INKPIPE" classify --model "$T/trunc.model" "$T/bar.png" >/dev/null 2>"$T/err"
rc=$?
check classify_truncated_model__exit_2 test "$rc" -eq 2
check classify_truncated_model__message grep -q "trunc.model: truncated" "$T/err"
"$INKPIPE" classify --model "$T/none.model" "$T/bar.png" >/dev/null 2>"$T/err"
rc=$?
check classify_missing_model__exit_2 test "$rc" -eq 2
check classify_missing_model__names_file grep -q "none.model" "$T/err"

# Precision: both paths classify; int8 agrees with fp32 on the answers of
# these clear shapes (confidences may differ in the last digits); a bad
# word is bad usage naming it.
f32=$("$INKPIPE" classify --precision fp32 --model "$MODEL" "$T/bar.png" "$T/ring.png" \
      "$T/cross.tif" "$T/dash.pbm" 2>"$T/err")
check classify_precision_fp32__exit_0 test $? -eq 0
i8=$("$INKPIPE" classify --precision int8 --model "$MODEL" "$T/bar.png" "$T/ring.png" \
     "$T/cross.tif" "$T/dash.pbm" 2>"$T/err")
check classify_precision_int8__exit_0 test $? -eq 0
check classify_precision_int8__same_chars_as_fp32 \
    test "$(printf '%s\n' "$f32" | cut -f1,2)" = "$(printf '%s\n' "$i8" | cut -f1,2)"
i8env=$(INKPIPE_PRECISION=int8 "$INKPIPE" classify --model "$MODEL" "$T/bar.png" \
        "$T/ring.png" "$T/cross.tif" "$T/dash.pbm" 2>/dev/null)
check classify_precision_env__same_as_option test "$i8env" = "$i8"
"$INKPIPE" classify --precision bf16 --model "$MODEL" "$T/bar.png" >/dev/null 2>"$T/err"
check classify_precision_bad__exit_2 test $? -eq 2
check classify_precision_bad__names_word grep -q '"bf16"' "$T/err"

# Ink in the alpha channel over black RGB (CoMNIST's PNGs; viewers show
# black on white): read over white paper, so the glyph has ink and is the
# same glyph as the opaque bar above; grey + alpha too; and `ocr` of such a
# page is not empty.
convert -size 40x48 xc:'rgba(0,0,0,0)' -fill 'rgba(0,0,0,1)' \
    -draw "rectangle 17,6 23,42" PNG32:"$T/alpha_bar.png"
convert "$T/alpha_bar.png" -define png:color-type=4 "$T/alpha_bar_ga.png"
check classify_alpha_fixture__rgba_over_black \
    sh -c "file '$T/alpha_bar.png' | grep -q RGBA && file '$T/alpha_bar_ga.png' | grep -q 'gray+alpha'"
out=$("$INKPIPE" classify --model "$MODEL" "$T/alpha_bar.png" "$T/alpha_bar_ga.png" 2>"$T/err")
rc=$?
check classify_alpha_ink__exit_0 test "$rc" -eq 0
check classify_alpha_ink__no_error test ! -s "$T/err"
bar=$("$INKPIPE" classify --model "$MODEL" "$T/bar.png" | cut -f2)
check classify_alpha_ink__same_char_as_opaque_bar \
    test "$(printf '%s\n' "$out" | cut -f2 | tr -d '\n')" = "$bar$bar"
convert -size 200x60 xc:'rgba(0,0,0,0)' -fill 'rgba(0,0,0,1)' \
    -draw "rectangle 20,10 28,50" -draw "rectangle 60,10 68,50" \
    -draw "rectangle 100,10 108,50" PNG32:"$T/alpha_page.png"
mkdir -p "$T/alpha_ocr"
"$INKPIPE" ocr --model "$MODEL" -f txt -o "$T/alpha_ocr" "$T/alpha_page.png" 2>"$T/err"
check ocr_alpha_page__exit_0 test $? -eq 0
check ocr_alpha_page__three_glyphs \
    test "$(tr -d ' \n' <"$T/alpha_ocr/alpha_page.txt" | wc -c)" -eq 3
