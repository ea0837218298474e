#!/usr/bin/env bash
# test_forms_page.sh - a filled-in form card read as a plain page (`inkpipe
# ocr`, no template): its faint rules go without leaving dashes that join
# the writing, each printed label is read in its row beside its written
# value (not the label column first), and the page's text is close to the
# card's transcript (form_compose's form-NNN.gt.txt). The handwriting is
# the stand-in Chars74K tree of lib.sh (writer 007).
. "$(dirname "$0")/lib.sh"
B=${BUILD_DIR:-$TOP/build}
FC=$B/tools/form_compose
T=$TEST_TMPDIR/forms_page
mkdir -p "$T"

stand_in_chars74k "$T/c74k" || { fail setup__glyphs; exit 1; }
"$FC" --out "$T/f" --data "$T/c74k" --writers 7-7 --pages 4 --seed 5 \
    --shift 25 --scale 0.1 --rotate 2 >/dev/null || { fail setup__form_compose; exit 1; }
check form_compose__transcript_per_page \
    test "$(ls "$T"/f/form-*.gt.txt | wc -l)" = 4
check form_compose__transcript_row_by_row \
    grep -qx 'Telephone [0-9]\{10\}' "$T/f/form-000.gt.txt"

"$INKPIPE" ocr -o "$T/out" "$T"/f/form-00[0-3].png 2>"$T/err"
check ocr__exit_0 test $? = 0
# row order: the title, then Surname ... Postcode ... Telephone, where the
# label column first gave Telephone before Postcode
order_ok=1
for p in 0 1 2 3; do
    t=$T/out/form-00$p.txt
    ln() { grep -n -m1 "$1" "$t" | cut -d: -f1; }
    a=$(ln '^Surname') b=$(ln '^Postcode') c=$(ln '^Telephone') d=$(ln 'CARD')
    [ -n "$a" ] && [ -n "$b" ] && [ -n "$c" ] && [ -n "$d" ] &&
        [ "$d" -lt "$a" ] && [ "$a" -lt "$b" ] && [ "$b" -lt "$c" ] || order_ok=0
done
check text__labels_in_row_order test "$order_ok" = 1
pairs=()
for p in 0 1 2 3; do pairs+=("$T/f/form-00$p.gt.txt" "$T/out/form-00$p.txt"); done
"$B/tools/cer" --tsv "${pairs[@]}" >"$T/cer.tsv"
check cer__exit_0 test $? = 0
cer=$(awk -F'\t' '$1 == "TOTAL" { printf "%d", 1000 * $9 }' "$T/cer.tsv")
# 4.6% now; 6.4% at 7ba1a5b (a written value's letters cut to the
# labels' width, its comb split into words); 59.8% with the label column
# first and the rules' dashes kept
check text__page_cer_under_6_percent test "${cer:-1000}" -lt 60

# the same cards scanned at 300 dpi (1.5 times the pixels) read as well
mkdir -p "$T/f300"
for p in 0 1 2 3; do
    convert "$T/f/form-00$p.png" -filter Triangle -resize 150% -density 300 \
        -units PixelsPerInch "$T/f300/form-00$p.png" || { fail setup__convert; exit 1; }
done
"$INKPIPE" ocr -o "$T/out300" "$T"/f300/form-00[0-3].png 2>"$T/err300"
check ocr_300dpi__exit_0 test $? = 0
pairs=()
for p in 0 1 2 3; do pairs+=("$T/f/form-00$p.gt.txt" "$T/out300/form-00$p.txt"); done
cer300=$(awk -F'\t' '$1 == "TOTAL" { printf "%d", 1000 * $9 }' \
    <("$B/tools/cer" --tsv "${pairs[@]}"))
# 4.6% now, as at their own size; 7.6% at 7ba1a5b (the labels' flat
# tops bridged into a rule); 60.2% before the form's rows
check text_300dpi__page_cer_under_6_percent test "${cer300:-1000}" -lt 60
# the same text at both resolutions, give or take a point
d=$((${cer300:-1000} - ${cer:-0}))
check text_300dpi__within_a_point_of_own_size test "${d#-}" -le 10

# form_eval --page-text scores the same way, worst page named
"$TOP/tools/form_eval.sh" --pages 2 --seed 5 --writers 7-7 --data "$T/c74k" \
    --inkpipe "$INKPIPE" --build "$B" --page-text --out "$T/ev" >"$T/ev.out" 2>&1
check form_eval_page_text__exit_0 test $? = 0
check form_eval_page_text__summary_line \
    grep -q '^page text (no template, 2 pages): CER [0-9.]*%; worst page form-00[01] ' "$T/ev.out"
check form_eval_page_text__per_writer_line \
    grep -q '^page text per writer: 007 [0-9.]*% (2 pages); worst writer 007 ' "$T/ev.out"
check form_compose__writers_listed \
    test "$(cat "$T/ev/pages/writers.tsv")" = "$(printf 'form-000\t007\nform-001\t007')"
check form_eval_page_text__row_per_page test "$(wc -l <"$T/ev/page_text.tsv")" = 4
