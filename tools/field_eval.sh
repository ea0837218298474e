#!/usr/bin/env bash
# tools/field_eval.sh - digit fields cut from forms: MNIST digits written
# into drawn boxes and combs, read as single field crops (`make
# eval-fields`, docs/eval-real.md "Digit fields cut from forms").
#
#   tools/field_eval.sh --idx IMAGES LABELS [--fields N] [--seed S]
#                       [--kinds LIST] [--inkpipe BIN] [--model FILE]
#                       [--build DIR] [--out DIR] [--worst K]
#                       [--margin PX] [--page] [--scale PCT]
#                       [--rule-grey G]
#
# Composes N fields (default 60, seed 7) with build/tools/field_compose
# from the MNIST test digits the bundled model never trains on (samples
# 8000-9999 of IMAGES/LABELS, the t10k gz IDX files): kinds box (a closed
# box, a divider between cells), comb (a base line, ticks a third of a
# cell high) and box_in (a box cut just inside its outer lines), taken in
# turn (--kinds box,comb,box_in), and open when asked for (--kinds open:
# one box without dividers, 2-10 digits written freely as on a census
# form, some touching each other or the box) and dotted (--kinds dotted:
# the cells parted by dotted or dashed lines, no top line), each stored
# as JPEG quality 80. Reads
# each field alone with `inkpipe ocr --charset digits -o - FIELD.jpg`
# (--model FILE: another model). A field is exactly right when its reading
# without whitespace (spaces, line breaks) is its digits.
# Output: per kind and overall "FIELDS kind=K n=N exact=E share=S%"
# lines, then the K worst failures (default 10; most edits first):
# "NAME  truth | reading  (edits D)". --margin PX: the box and comb
# fields cut with PX px more paper around them (a form reader's loose
# cut). --page: the same fields pasted ten to an A4 page at 300 dpi and
# each page read whole; field k of a page is scored against the k-th
# non-empty line of its reading (kinds box,comb unless --kinds says: a
# box_in field is a cut, not a thing on a page). The same seed gives the same fields in
# all three ways, so a field can be followed from crop to page.
# --scale PCT: every field (or page) resized to PCT % with ImageMagick
# (`convert -resize PCT% -quality 80`) before it is read: a form scanned
# at another resolution (50: 150 dpi for the 300 dpi of the fields
# drawn); the field must read the same at any size. --rule-grey G: the
# box and comb lines drawn at grey G instead of 40 (a form printed in a
# light colour or faded; 190 is a light grey on the paper's 235); the
# digits stay as dark, and the field must read the same.
# Tables in OUT (default
# build/field-eval/): fields/ (the images, truth.tsv), readings.tsv (name,
# kind, truth, reading, exact, edits).
# Exit: 0 done, 1 a step failed, 2 usage.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
images='' labels='' fields=60 seed=7 kinds='' inkpipe=$top/inkpipe
model='' build=$top/build out='' worst=10 margin=0 page='' scale=100 grey=40
while [ $# -gt 0 ]; do
    case $1 in
    --fields|--seed|--kinds|--inkpipe|--model|--build|--out|--worst|--margin|--scale|--rule-grey)
        [ $# -ge 2 ] || { echo "field_eval: $1 needs a value" >&2; exit 2; } ;;
    esac
    case $1 in
    --idx) [ $# -ge 3 ] || { echo "field_eval: --idx needs IMAGES LABELS" >&2; exit 2; }
           images=$2 labels=$3; shift 3 ;;
    --fields) fields=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    --kinds) kinds=$2; shift 2 ;;
    --inkpipe) inkpipe=$2; shift 2 ;;
    --model) model=$2; shift 2 ;;
    --build) build=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --worst) worst=$2; shift 2 ;;
    --margin) margin=$2; shift 2 ;;
    --rule-grey) grey=$2; shift 2 ;;
    --page) page=--page; shift ;;
    --scale) scale=$2; shift 2 ;;
    --help|-h) sed -n '2,/^set -u/p' "$0" | sed -e '/^set -u/d' -e 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "field_eval: unknown argument '$1'" >&2; exit 2 ;;
    esac
done
[ -n "$kinds" ] || { [ -n "$page" ] && kinds=box,comb || kinds=box,comb,box_in; }
abspath() { case $1 in /*) echo "$1" ;; *) echo "$PWD/$1" ;; esac; }
build=$(abspath "$build") inkpipe=$(abspath "$inkpipe")
[ -n "$out" ] || out=$build/field-eval
out=$(abspath "$out")
[ -z "$model" ] || model=$(abspath "$model")
[ -n "$images" ] || { echo "field_eval: --idx IMAGES LABELS is required" >&2; exit 2; }
for f in "$images" "$labels"; do
    [ -r "$f" ] || { echo "field_eval: --idx '$f': no such file" >&2; exit 2; }
done
case $fields in ''|*[!0-9]*|0) echo "field_eval: --fields '$fields': expected a positive number" >&2; exit 2 ;; esac
case $seed in ''|*[!0-9]*) echo "field_eval: --seed '$seed': expected a number" >&2; exit 2 ;; esac
case $worst in ''|*[!0-9]*) echo "field_eval: --worst '$worst': expected a number" >&2; exit 2 ;; esac
case $margin in ''|*[!0-9]*) echo "field_eval: --margin '$margin': expected a number" >&2; exit 2 ;; esac
case $grey in ''|*[!0-9]*) echo "field_eval: --rule-grey '$grey': expected a grey level, 0-230" >&2; exit 2 ;; esac
case $scale in ''|*[!0-9]*|0) echo "field_eval: --scale '$scale': expected a percentage (a positive number)" >&2; exit 2 ;; esac
[ "$scale" = 100 ] || command -v convert >/dev/null ||
    { echo "field_eval: --scale needs ImageMagick's convert (tools/deps.sh test)" >&2; exit 2; }
[ -x "$inkpipe" ] || { echo "field_eval: $inkpipe missing (run make first)" >&2; exit 2; }
compose=$build/tools/field_compose
[ -x "$compose" ] || { echo "field_eval: $compose missing (run make tools)" >&2; exit 2; }
margs=()
[ -n "$model" ] && margs=(--model "$model")
fail() { echo "field_eval: $*" >&2; exit 1; }

# only what this script writes is removed (--out may be a folder in use)
mkdir -p "$out" || exit 1
rm -rf "$out/fields" "$out/readings.tsv" "$out/compose.log" "$out/ocr.log"
"$compose" --idx "$images" "$labels" --out "$out/fields" --fields "$fields" \
    --seed "$seed" --kinds "$kinds" --margin "$margin" --rule-grey "$grey" $page \
    2>"$out/compose.log"
rc=$?
# its usage errors (a bad --kinds) are ours
[ $rc -eq 2 ] && { echo "field_eval: $(head -1 "$out/compose.log")" >&2; exit 2; }
[ $rc -eq 0 ] || fail "field_compose failed: $(cat "$out/compose.log")"
if [ "$scale" != 100 ]; then
    for f in "$out"/fields/*.jpg; do
        convert "$f" -resize "$scale%" -quality 80 "$f" 2>>"$out/compose.log" ||
            fail "convert -resize $scale% failed on $f: $(tail -1 "$out/compose.log")"
    done
fi

printf 'name\tkind\ttruth\treading\texact\tedits\n' >"$out/readings.tsv"
: >"$out/ocr.log"
# read one image: its non-empty lines without whitespace
read_image() {
    "$inkpipe" ocr --charset digits "${margs[@]}" -o - "$1" 2>>"$out/ocr.log" ||
        fail "inkpipe ocr failed on $1: $(tail -3 "$out/ocr.log")"
}
cur='' lines=()
while IFS=$'\t' read -r name truth; do
    if [ -z "$page" ]; then
        kind=${name#*_}
        r=$(read_image "$out/fields/$name.jpg") || exit 1
        r=$(printf '%s' "$r" | tr -d ' \t\r\n')
    else
        pg=${name%%_*} k=${name#*_} kind=${k#*_} k=${k%%_*}
        if [ "$pg" != "$cur" ]; then
            cur=$pg
            r=$(read_image "$out/fields/$pg.jpg") || exit 1
            mapfile -t lines < <(printf '%s\n' "$r" | tr -d ' \t\r' | grep -v '^$')
        fi
        r=${lines[10#$k]:-}
    fi
    printf '%s\t%s\t%s\t%s\n' "$name" "$kind" "$truth" "$r"
done <"$out/fields/truth.tsv" |
    awk -F'\t' -v OFS='\t' '
        # Levenshtein distance between a and b
        function edits(a, b,    i, j, n, m, p, c, d, x) {
            n = length(a); m = length(b)
            for (j = 0; j <= m; j++) p[j] = j
            for (i = 1; i <= n; i++) {
                c[0] = i
                for (j = 1; j <= m; j++) {
                    x = p[j - 1] + (substr(a, i, 1) != substr(b, j, 1))
                    if (p[j] + 1 < x) x = p[j] + 1
                    if (c[j - 1] + 1 < x) x = c[j - 1] + 1
                    c[j] = x
                }
                for (j = 0; j <= m; j++) p[j] = c[j]
            }
            return p[m]
        }
        { print $1, $2, $3, $4, ($3 "" == $4 ""), edits($3, $4) }' >>"$out/readings.tsv" || exit 1
[ "$(wc -l <"$out/readings.tsv")" -gt "$fields" ] || fail "fewer readings than fields ($out/readings.tsv)"

how='one crop each'
[ "$margin" -gt 0 ] && how="one crop each, $margin px more paper around"
[ -n "$page" ] && how="ten to an A4 page, margin $margin"
[ "$scale" = 100 ] || how="$how, resized to $scale %"
[ "$grey" = 40 ] || how="$how, lines at grey $grey"
echo "digit fields (MNIST test digits $images, samples 8000 on, in drawn boxes), $fields fields, seed $seed, JPEG q80, $how, inkpipe ocr --charset digits:"
awk -F'\t' -v kinds="$kinds" '
    NR == 1 { next }
    { n[$2]++; e[$2] += $5; N++; E += $5 }
    END { m = split(kinds, K, ",")
          for (i = 1; i <= m; i++) if (n[K[i]])
              printf "FIELDS kind=%s n=%d exact=%d share=%.1f%%\n", K[i], n[K[i]], e[K[i]], 100 * e[K[i]] / n[K[i]]
          printf "FIELDS kind=all n=%d exact=%d share=%.1f%%\n", N, E, 100 * E / N }' "$out/readings.tsv"
if [ "$worst" -gt 0 ] && awk -F'\t' 'NR > 1 && !$5 { f = 1 } END { exit !f }' "$out/readings.tsv"; then
    echo "worst failures (truth | reading):"
    awk -F'\t' 'NR > 1 && !$5 { printf "%d\t%s\t%s\t%s\n", $6, $1, $3, $4 }' "$out/readings.tsv" |
        sort -t$'\t' -k1,1nr -k2,2 | head -"$worst" |
        awk -F'\t' '{ printf "  %-12s %s | %s  (edits %d)\n", $2, $3, $4, $1 }'
fi
exit 0
