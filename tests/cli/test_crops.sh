#!/usr/bin/env bash
# test_crops.sh - a line cut out of a page reads as the page reads it
# (issue 13 item 2). Compose pages (Hershey, no data needed), read them, cut
# every line out by its hOCR line box with margins 0, 5, 20, 40 and 60 px
# (60 reaches into the neighbouring lines: their bits are cut by the crop's
# edge, as on real name crops), read
# each crop alone with `inkpipe ocr`, and compare the crop's text with the
# page's text of that line: total CER (spaces kept) at most $MAX_CER, and no
# crop reading more than one line. Again with 72 dpi written into the crops
# (what image software writes when it knows nothing): the segmenter must
# scale from the glyphs, not the file.
. "$(dirname "$0")/lib.sh"

B=${BUILD_DIR:-$TOP/build}
T=$TEST_TMPDIR
MAX_CER=${MAX_CER:-0.05}
unset INKPIPE_MODEL # the model found next to the binary (models/)

if ! command -v convert >/dev/null; then
    echo "# SKIP: ImageMagick convert not installed (tools/deps.sh test)"
    exit 0
fi
mkdir -p "$T/in" "$T/crops"
"$B/tools/compose" --out "$T/in" --name plain --source hershey --size small \
    --pages 1 --seed 5 --lines 5 >/dev/null &&
"$B/tools/compose" --out "$T/in" --name boxed --source hershey --size small \
    --pages 1 --seed 9 --lines 5 --boxes 1 >/dev/null ||
    { fail setup "compose"; exit 1; }
"$INKPIPE" ocr -f hocr,txt -o "$T/page" "$T/in/plain-001.png" \
    "$T/in/boxed-001.png" 2>"$T/log" || { fail setup "ocr of the pages"; exit 1; }

# One crop per (page, line, margin, dpi); the page's reading of the line
# beside it as CROP.want.txt.
pairs=() n=0
for p in plain-001 boxed-001; do
    W=$(identify -format %w "$T/in/$p.png") H=$(identify -format %h "$T/in/$p.png")
    grep -o 'ocr_line"[^>]*title="bbox [0-9 ]*' "$T/page/$p.hocr" |
        sed 's/.*bbox //' >"$T/$p.boxes"
    grep -v '^[[:space:]]*$' "$T/page/$p.txt" >"$T/$p.lines"
    if [ "$(wc -l <"$T/$p.boxes")" -ne "$(wc -l <"$T/$p.lines")" ] ||
        [ "$(wc -l <"$T/$p.lines")" -lt 4 ]; then
        fail "crops__setup_$p" "hOCR lines and text lines differ"; continue
    fi
    k=0 cargs=()
    while read -r x0 y0 x1 y1; do
        k=$((k + 1))
        for m in 0 5 20 40 60; do
            cx=$((x0 - m)) cy=$((y0 - m)) cx1=$((x1 + m)) cy1=$((y1 + m))
            [ $cx -lt 0 ] && cx=0
            [ $cy -lt 0 ] && cy=0
            [ $cx1 -gt "$W" ] && cx1=$W
            [ $cy1 -gt "$H" ] && cy1=$H
            for dpi in 300 72; do
                c=$p-l$k-m$m-d$dpi
                cargs+=('(' mpr:page -crop "$((cx1 - cx))x$((cy1 - cy))+$cx+$cy"
                    +repage -units PixelsPerInch -density "$dpi"
                    -write "$T/crops/$c.png" +delete ')')
                sed -n "${k}p" "$T/$p.lines" >"$T/crops/$c.want.txt"
                pairs+=("$T/crops/$c.want.txt" "$T/out/$c.txt")
                n=$((n + 1))
            done
        done
    done <"$T/$p.boxes"
    # one convert per page: reading the page once per crop is slow
    convert "$T/in/$p.png" -write mpr:page +delete "${cargs[@]}" xc:white null: ||
        { fail "crops__setup_$p" "convert"; exit 1; }
done
"$INKPIPE" ocr -f txt -o "$T/out" "$T"/crops/*.png 2>>"$T/log" ||
    { fail crops__ocr "$(tail -3 "$T/log")"; exit 1; }

# CER of the crops at one dpi against the page's lines (spaces kept).
crop_cer() { # DPI
    local a=() i
    for ((i = 0; i < ${#pairs[@]}; i += 2)); do
        case ${pairs[$((i + 1))]} in *-d$1.txt) a+=("${pairs[$i]}" "${pairs[$((i + 1))]}") ;; esac
    done
    "$B/tools/cer" --tsv "${a[@]}" >"$T/cer-$1.tsv"
    awk -F'\t' 'NR > 1 && $1 != "TOTAL" && $9 > 0 { print "# " $9 "\t" $2 }' "$T/cer-$1.tsv" |
        sort -rn | head -5 # the worst crops, for the log
    awk -F'\t' '$1 == "TOTAL" { print $9 }' "$T/cer-$1.tsv" >"$T/cer-$1"
    echo "# $((${#a[@]} / 2)) crops at $1 dpi, CER crop vs page $(cat "$T/cer-$1")"
}
under() { awk -v c="$(cat "$1")" -v m="$MAX_CER" 'BEGIN { exit !(c != "" && c <= m) }'; }
crop_cer 300
check "crops__lines_cut_from_pages__cer_under_$MAX_CER" under "$T/cer-300"
crop_cer 72
check "crops__file_says_72_dpi__cer_under_$MAX_CER" under "$T/cer-72"
multi=0
for ((i = 1; i < ${#pairs[@]}; i += 2)); do
    [ "$(grep -c . "${pairs[$i]}")" -le 1 ] || multi=$((multi + 1))
done
echo "# crops read as more than one line: $multi of $n"
check crops__line_crop__reads_one_line test "$multi" = 0
