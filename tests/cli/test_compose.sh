#!/usr/bin/env bash
# test_compose.sh - build/tools/compose: options, determinism, formats,
# ground truth. Chars74K is replaced by a generated stand-in tree (one
# writer, 62 block-shaped glyph PNGs made with ImageMagick) so the test
# needs nothing from /work/shared.
. "$(dirname "$0")/lib.sh"
COMPOSE=${BUILD_DIR:-$TOP/build}/tools/compose
T=$TEST_TMPDIR/compose
mkdir -p "$T"

# PNG width/height from the IHDR chunk.
png_size() { od -An -tu1 -j16 -N8 "$1" | awk '{print $1*16777216+$2*65536+$3*256+$4 "x" $5*16777216+$6*65536+$7*256+$8}'; }

# Fake Chars74K: writer 007; glyph c is a rectangle whose height depends on
# the class, drawn off-centre on a 1200x900 white RGB canvas like the real set.
fake=$T/c74k
for c in $(seq 1 62); do
    d=$(printf '%s/Img/Sample%03d' "$fake" "$c")
    mkdir -p "$d"
    h=$((200 + (c * 7) % 300))
    convert -size 1200x900 xc:white -fill black \
        -draw "rectangle 400,200 $((480 + c * 3)),$((200 + h))" \
        "$(printf '%s/img%03d-007.png' "$d" "$c")" || exit 1
done

check help_exits_zero_and_lists_options \
    bash -c "'$COMPOSE' --help | grep -q -- '--writers LIST'"

"$COMPOSE" --bogus >/dev/null 2>"$T/err"; rc=$?
check bad_option_exit_2_with_message \
    test "$rc" = 2 -a -n "$(grep "unknown or incomplete option '--bogus'" "$T/err")"

"$COMPOSE" --out "$T/x" --data "$fake" --writers 7-8 >/dev/null 2>"$T/err"; rc=$?
check missing_writer_exit_1_names_file \
    test "$rc" = 1 -a -n "$(grep 'Sample001/img001-008.png' "$T/err")"

"$COMPOSE" --out "$T/x" --multipage >/dev/null 2>"$T/err"; rc=$?
check multipage_png_refused test "$rc" = 2

# One A4 page at 300 dpi, 5 lines.
"$COMPOSE" --out "$T/a" --data "$fake" --writers 007 --lines 5 --seed 4 >/dev/null
check a4_300dpi_png_size test "$(png_size "$T/a/page-001.png")" = 2480x3508
check gt_has_requested_lines test "$(wc -l <"$T/a/page-001.gt.txt")" = 5
check gt_only_classes_and_single_spaces \
    bash -c "! grep -qvE '^[0-9A-Za-z]+( [0-9A-Za-z]+)*$' '$T/a/page-001.gt.txt'"
check page_has_ink \
    bash -c "[ \"\$(convert '$T/a/page-001.png' -format '%[fx:mean<0.995]' info:)\" = 1 ]"

# Same seed, same bytes; another seed, other text.
"$COMPOSE" --out "$T/b" --data "$fake" --writers 007 --lines 5 --seed 4 >/dev/null
"$COMPOSE" --out "$T/c" --data "$fake" --writers 007 --lines 5 --seed 5 >/dev/null
check same_seed_identical_page cmp -s "$T/a/page-001.png" "$T/b/page-001.png"
check other_seed_other_text \
    bash -c "! cmp -s '$T/a/page-001.gt.txt' '$T/c/page-001.gt.txt'"

# Small page at 150 dpi with every degradation.
"$COMPOSE" --out "$T/d" --data "$fake" --writers 007 --size small --dpi 150 \
    --paper grey --skew 4 --blur 1 --noise 5 --specks 50 --boxes 1 --seed 9 >/dev/null
check small_150dpi_size test "$(png_size "$T/d/page-001.png")" = 1240x877
check degraded_page_written test -s "$T/d/page-001.gt.txt"

# Three pages in one G4 TIFF: 3 frames, 2 form feeds in the ground truth.
"$COMPOSE" --out "$T/m" --data "$fake" --writers 007 --pages 3 --multipage \
    --format g4 --dpi 100 --lines 3 --name doc >/dev/null
check multipage_tiff_three_frames \
    test "$(identify "$T/m/doc.tif" 2>/dev/null | grep -c 'Bilevel')" = 3
check multipage_gt_form_feeds test "$(tr -cd '\f' <"$T/m/doc.gt.txt" | wc -c)" = 2
check multipage_gt_nine_lines test "$(tr '\f' '\n' <"$T/m/doc.gt.txt" | grep -c .)" = 9

"$COMPOSE" --out "$T/j" --data "$fake" --writers 007 --format jpeg --dpi 100 \
    --lines 2 >/dev/null
check jpeg_written bash -c "identify '$T/j/page-001.jpg' | grep -q JPEG"

# Hershey stroke fonts (hershey-fonts-data): no image data set at all.
"$COMPOSE" --out "$T/h" --source hershey --lines 6 --seed 2 --dpi 150 \
    --boxes 0.5 --skew 2 >/dev/null 2>"$T/err"
check hershey_page_and_gt \
    test "$(png_size "$T/h/page-001.png")" = 1240x1754 -a "$(wc -l <"$T/h/page-001.gt.txt")" = 6
check hershey_page_has_ink \
    bash -c "[ \"\$(convert '$T/h/page-001.png' -format '%[fx:mean<0.995]' info:)\" = 1 ]"
"$COMPOSE" --out "$T/h2" --source hershey --lines 6 --seed 2 --dpi 150 \
    --boxes 0.5 --skew 2 >/dev/null
check hershey_same_seed_identical cmp -s "$T/h/page-001.png" "$T/h2/page-001.png"
"$COMPOSE" --out "$T/h3" --source hershey --font nosuchfont >/dev/null 2>"$T/err"; rc=$?
check hershey_missing_font_names_file \
    test "$rc" = 1 -a -n "$(grep 'nosuchfont.jhf' "$T/err")"

# Glyph boxes: one row per drawn character, in order, inside the page.
"$COMPOSE" --out "$T/g" --source hershey --lines 5 --seed 3 --dpi 150 \
    --skew 4 --glyph-boxes >/dev/null
check glyph_boxes_one_row_per_char \
    test "$(tail -n +2 "$T/g/page-001.boxes.tsv" | wc -l)" = "$(tr -d ' \n' <"$T/g/page-001.gt.txt" | wc -c)"
check glyph_boxes_chars_match_gt \
    test "$(tail -n +2 "$T/g/page-001.boxes.tsv" | cut -f4 | tr -d '\n')" = "$(tr -d ' \n' <"$T/g/page-001.gt.txt")"
check glyph_boxes_inside_page \
    bash -c "tail -n +2 '$T/g/page-001.boxes.tsv' | awk -F'\t' '\$5<0||\$6<0||\$7>1240||\$8>1754||\$5>=\$7||\$6>=\$8{bad=1} END{exit bad}'"
# the ink under the boxes: blanking every box leaves an (almost) white page
draw=$(tail -n +2 "$T/g/page-001.boxes.tsv" | awk -F'\t' '{printf "rectangle %d,%d %d,%d ", $5-1,$6-1,$7,$8}')
check glyph_boxes_cover_the_ink \
    bash -c "[ \"\$(convert '$T/g/page-001.png' -fill white -draw '$draw' -threshold 50% -format '%[fx:mean>0.99999]' info:)\" = 1 ]"
