#!/usr/bin/env bash
# tools/crop_law.sh - the crop law on real writing (issue 13 item 2): a crop
# reads the same however it was cut, scaled, stored or placed on a page.
#
#   tools/crop_law.sh --images DIR [--step N] [--inkpipe BIN] [--model FILE]
#                     [--charset SET] [--out DIR] [--worst K]
#
# Takes every Nth image (sorted by name; default 100) of DIR (the real name
# crops of names-train/images), reads each as is with `inkpipe ocr
# --charset SET` (default upper), then reads variants of it and compares
# each variant's reading with the original crop's reading (equal: the same
# text after whitespace runs become one space and the lines are joined by
# " / "; the share equal without any spaces is given beside it):
#   margin5, margin20, margin40   white margin of 5/20/40 px added (PNG)
#   trim        trimmed tight to the ink, 0 px margin (PNG; box remnants
#               at the edge are ink too, so they stay)
#   scale0.5, scale2   resized to half / double size (PNG)
#   dpi72, dpi300, dpi600   the same pixels, the file claims another
#               resolution (PNG)
#   png         the same pixels stored as PNG, no resolution in the file
#   jpeg        stored again as JPEG, quality 75 (a second lossy copy)
#   page        the crop pasted at (150,200) into a white 2480 px wide
#               page at 300 dpi, with the next sampled crop as a second
#               line below it; the reading is the page's line(s) whose
#               centre lies in the first crop's rectangle (from the hOCR)
#   pageline    the same page: one of those lines alone reads as the crop
#               (the page also reads the label and the neighbouring lines'
#               bits that the crop's reading leaves out)
# Output: per kind "CROPLAW kind=K n=N equal=E share=S nospace=S2" lines and
# a total "CROPLAW kind=all ...", then the worst crops (most unequal
# variants) and K example failures per kind; tables in OUT (default
# build/crop-law/): variants.tsv (crop, kind, original, variant, equal,
# equal without spaces), kinds.tsv. Needs ImageMagick (convert, identify).
# Exit: 0 done, 1 a step failed, 2 usage.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
images= step=100 inkpipe=$top/inkpipe model= charset=upper
out=$top/build/crop-law worst=5
while [ $# -gt 0 ]; do
    case $1 in
    --images) images=$2; shift 2 ;;
    --step) step=$2; shift 2 ;;
    --inkpipe) inkpipe=$2; shift 2 ;;
    --model) model=$2; shift 2 ;;
    --charset) charset=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --worst) worst=$2; shift 2 ;;
    --help|-h) sed -n '2,/^set -u/p' "$0" | sed -e '/^set -u/d' -e 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "crop_law: unknown argument '$1'" >&2; exit 2 ;;
    esac
done
[ -d "$images" ] || { echo "crop_law: --images '$images': no such folder" >&2; exit 2; }
case $step in ''|*[!0-9]*|0) echo "crop_law: --step '$step': expected a positive number" >&2; exit 2 ;; esac
[ -x "$inkpipe" ] || { echo "crop_law: $inkpipe missing (run make first)" >&2; exit 2; }
command -v convert >/dev/null || { echo "crop_law: ImageMagick convert not installed" >&2; exit 2; }
margs=()
[ -n "$model" ] && margs=(--model "$model")
fail() { echo "crop_law: $*" >&2; exit 1; }

rm -rf "$out"; mkdir -p "$out/img" "$out/txt" || exit 1
find "$images" -maxdepth 1 -type f \( -name '*.jpg' -o -name '*.jpeg' -o -name '*.png' \) |
    sort | awk -v s="$step" 'NR % s == 0' >"$out/files"
n=$(wc -l <"$out/files")
[ "$n" -ge 2 ] || fail "fewer than 2 images in $images at step $step"

kinds="margin5 margin20 margin40 trim scale0.5 scale2 dpi72 dpi300 dpi600 png jpeg page pageline"
# the variants: one convert per crop; the page pastes the next crop below.
# In one convert, -define and -density/-units are settings that outlive
# their parentheses: the png variant's "no pHYs" must be undone (+define)
# or the page's 300 dpi never reaches its file, and the jpeg variant must
# drop the dpi variants' density (+density, units undefined: no dpi, as
# the crops themselves) or it claims 600 dpi. `tests/cli/test_crops_real.sh`
# checks what each file claims.
mapfile -t files <"$out/files"
: >"$out/pages.tsv"
for ((i = 0; i < n; i++)); do
    f=${files[$i]} g=${files[$(((i + 1) % n))]}
    s=$(basename "${f%.*}")
    cp "$f" "$out/img/$s.orig.${f##*.}" || exit 1
    read -r w h <<<"$(identify -format '%w %h' "$f[0]")" || fail "identify $f"
    read -r gh <<<"$(identify -format '%h' "$g[0]")" || fail "identify $g"
    y2=$((200 + h + (h > 60 ? h : 60)))
    ph=$((y2 + gh + 200))
    # page line(s) of crop f: centre inside f's rectangle
    printf '%s\t%d\t%d\t%d\t%d\n' "$s" 150 200 $((150 + w)) $((200 + h)) >>"$out/pages.tsv"
    convert "$f[0]" -write mpr:c +delete \
        '(' mpr:c -bordercolor white -border 5 -write "$out/img/$s.margin5.png" +delete ')' \
        '(' mpr:c -bordercolor white -border 20 -write "$out/img/$s.margin20.png" +delete ')' \
        '(' mpr:c -bordercolor white -border 40 -write "$out/img/$s.margin40.png" +delete ')' \
        '(' mpr:c -fuzz 35% -trim +repage -write "$out/img/$s.trim.png" +delete ')' \
        '(' mpr:c -resize 50% -write "$out/img/$s.scale0.5.png" +delete ')' \
        '(' mpr:c -resize 200% -write "$out/img/$s.scale2.png" +delete ')' \
        '(' mpr:c -units PixelsPerInch -density 72 -write "$out/img/$s.dpi72.png" +delete ')' \
        '(' mpr:c -units PixelsPerInch -density 300 -write "$out/img/$s.dpi300.png" +delete ')' \
        '(' mpr:c -units PixelsPerInch -density 600 -write "$out/img/$s.dpi600.png" +delete ')' \
        '(' mpr:c -define png:exclude-chunk=pHYs -write "$out/img/$s.png.png" \
            +define png:exclude-chunk +delete ')' \
        '(' +density -units Undefined mpr:c -quality 75 -write "$out/img/$s.jpeg.jpg" +delete ')' \
        '(' -size "2480x$ph" xc:white mpr:c -geometry +150+200 -composite \
            "$g[0]" -geometry "+150+$y2" -composite \
            -units PixelsPerInch -density 300 -write "$out/img/$s.page.png" +delete ')' \
        xc:white null: 2>>"$out/convert.log" || fail "convert failed on $f (see $out/convert.log)"
done

find "$out/img" -type f | sort >"$out/variants.files"
xargs -d '\n' -n 500 "$inkpipe" ocr --charset "$charset" "${margs[@]}" -f txt,hocr \
    -o "$out/txt" <"$out/variants.files" 2>"$out/ocr.log" || fail "inkpipe ocr failed: $(tail -3 "$out/ocr.log")"

# A reading as one string: lines joined by " / ", whitespace runs one space.
reading() { awk 'NF { $1 = $1; r = r (r == "" ? "" : " / ") $0 } END { print r }' "$1"; }
# The page's reading of the first crop: the hOCR lines whose centre lies in
# the rectangle X0 Y0 X1 Y1, words joined by spaces, lines by " / ".
page_reading() { # HOCR X0 Y0 X1 Y1
    awk -f "$top/tools/hocr_lines.awk" "$1" |
        awk -F'\t' -v x0="$2" -v y0="$3" -v x1="$4" -v y1="$5" '
            { split($2, b, " "); cx = (b[1] + b[3]) / 2; cy = (b[2] + b[4]) / 2
              if (cx >= x0 && cx <= x1 && cy >= y0 && cy <= y1) r = r (r == "" ? "" : " / ") $3 }
            END { print r }'
}
printf 'crop\tkind\toriginal\tvariant\tequal\tequal_nospace\n' >"$out/variants.tsv"
while IFS=$'\t' read -r s x0 y0 x1 y1; do
    o=$(reading "$out/txt/$s.orig.txt")
    for k in $kinds; do
        t=$out/txt/$s.$k.txt
        [ "$k" = pageline ] && t=$out/txt/$s.page.txt
        [ -f "$t" ] || fail "no reading of $s.$k ($out/ocr.log)"
        if [ "$k" = page ]; then
            v=$(page_reading "$out/txt/$s.page.hocr" "$x0" "$y0" "$x1" "$y1")
        elif [ "$k" = pageline ]; then
            # the page's line (of those in the rectangle) nearest the crop's
            # reading: the crop's reading itself when one is equal
            v=$(page_reading "$out/txt/$s.page.hocr" "$x0" "$y0" "$x1" "$y1" |
                awk -v o="$o" '{ n = split($0, l, " / "); r = l[1]
                    for (i = 1; i <= n; i++) if (l[i] == o) r = o; print r }')
        else
            v=$(reading "$t")
        fi
        e=0 e2=0
        [ "$v" = "$o" ] && e=1
        [ "${v//[ \/]/}" = "${o//[ \/]/}" ] && e2=1
        printf '%s\t%s\t%s\t%s\t%d\t%d\n' "$s" "$k" "$o" "$v" "$e" "$e2"
    done
done <"$out/pages.tsv" >>"$out/variants.tsv"

awk -F'\t' -v kinds="$kinds" '
    NR == 1 { next }
    { n[$2]++; e[$2] += $5; e2[$2] += $6; N++; E += $5; E2 += $6 }
    END { m = split(kinds, K, " ")
          printf "kind\tn\tequal\tshare\tshare_nospace\n"
          for (i = 1; i <= m; i++) { k = K[i]
              printf "%s\t%d\t%d\t%.1f\t%.1f\n", k, n[k], e[k], 100 * e[k] / n[k], 100 * e2[k] / n[k] }
          printf "all\t%d\t%d\t%.1f\t%.1f\n", N, E, 100 * E / N, 100 * E2 / N }' \
    "$out/variants.tsv" >"$out/kinds.tsv"
echo "crop law on $n real crops (every ${step}th of $images), --charset $charset; share of variants reading as the crop does:"
awk -F'\t' 'NR > 1 { printf "CROPLAW kind=%s n=%d equal=%d share=%.1f nospace=%.1f\n", $1, $2, $3, $4, $5 }' "$out/kinds.tsv"
echo "worst crops (variants unequal of $(echo $kinds | wc -w)):"
awk -F'\t' 'NR > 1 && !$5 { u[$1]++; k[$1] = k[$1] " " $2 } END { for (c in u) printf "%d\t%s\t%s\n", u[c], c, k[c] }' \
    "$out/variants.tsv" | sort -t$'\t' -k1,1nr -k2,2 | head -"$worst" |
    awk -F'\t' '{ printf "  %s  %d:%s\n", $2, $1, $3 }'
echo "example failures per kind (crop: original | variant):"
for k in $kinds; do
    awk -F'\t' -v k="$k" -v w="$worst" '$2 == k && !$5 && c++ < w { printf "  %-9s %s: %s | %s\n", k, $1, $3, $4 }' "$out/variants.tsv"
done
exit 0
