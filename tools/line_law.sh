#!/usr/bin/env bash
# tools/line_law.sh - the crop law for lines cut out of pages (issue 13
# item 2): every line a page reads, cut out of the page with a margin of
# 0 to 40 px, reads as the page read it.
#
#   tools/line_law.sh [--margins "0 5 20 40"] [--inkpipe BIN] [--model FILE]
#                     [--charset SET] [--out DIR] [--worst K] PAGE...
#
# Reads each PAGE (an image file) with `inkpipe ocr -f hocr`, takes each
# line of its hOCR (its box, and its text: the words joined by spaces),
# cuts the box out of the page with each margin (ImageMagick; clipped to
# the page, the page's resolution kept), reads all the cuts with one
# `inkpipe ocr -f txt` and compares each cut's reading (its lines joined
# by " / ", whitespace runs one space) with the page's line. Lines of one
# or two characters are left out (a speck, a bullet: no line to cut).
# Output: "LINELAW margin=M n=N equal=E share=S nospace=S2 cer=C
# as_a_line=L" per margin and for all ("nospace": equal once spaces are
# dropped; "cer": the cuts' character edit distance from the page's lines
# over the page lines' characters, %; "as_a_line": the page's line is one
# of the lines the cut reads, for a margin wide enough to take in whole
# neighbouring lines), then the worst pages and K example failures per
# margin; tables in OUT (default build/line-law/): lines.tsv (page, line,
# margin, page text, cut text, equal, equal without spaces, edits,
# characters, as a line).
# Needs ImageMagick (convert, identify).
# Exit: 0 done, 1 a step failed, 2 usage.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
margins="0 5 20 40" inkpipe=$top/inkpipe model= charset=
out=$top/build/line-law worst=5
pages=()
while [ $# -gt 0 ]; do
    case $1 in
    --margins) margins=$2; shift 2 ;;
    --inkpipe) inkpipe=$2; shift 2 ;;
    --model) model=$2; shift 2 ;;
    --charset) charset=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --worst) worst=$2; shift 2 ;;
    --help|-h) sed -n '2,/^set -u/p' "$0" | sed -e '/^set -u/d' -e 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "line_law: unknown argument '$1'" >&2; exit 2 ;;
    *) pages+=("$1"); shift ;;
    esac
done
[ ${#pages[@]} -gt 0 ] || { echo "line_law: no PAGE given (--help)" >&2; exit 2; }
for m in $margins; do
    case $m in ''|*[!0-9]*) echo "line_law: --margins: '$m' is not a number of pixels" >&2; exit 2 ;; esac
done
[ -x "$inkpipe" ] || { echo "line_law: $inkpipe missing (run make first)" >&2; exit 2; }
command -v convert >/dev/null || { echo "line_law: ImageMagick convert not installed" >&2; exit 2; }
oargs=()
[ -n "$model" ] && oargs+=(--model "$model")
[ -n "$charset" ] && oargs+=(--charset "$charset")
fail() { echo "line_law: $*" >&2; exit 1; }

rm -rf "$out"; mkdir -p "$out/page" "$out/cut" "$out/txt" || exit 1
# the pages' readings, under names p0001 ... (inputs may share a name)
: >"$out/pages.tsv"
for ((i = 0; i < ${#pages[@]}; i++)); do
    f=${pages[$i]}
    [ -f "$f" ] || fail "$f: no such file"
    p=$(printf 'p%04d' $((i + 1)))
    ext=${f##*.}
    ln -s "$(cd "$(dirname "$f")" && pwd)/$(basename "$f")" "$out/page/$p.$ext" || exit 1
    printf '%s\t%s\n' "$p" "$f" >>"$out/pages.tsv"
done
"$inkpipe" ocr "${oargs[@]}" -f hocr -o "$out/page" "$out"/page/p*.* 2>"$out/ocr-pages.log" ||
    fail "inkpipe ocr failed on the pages: $(tail -3 "$out/ocr-pages.log")"

# hOCR lines: PAGE<TAB>N<TAB>x0 y0 x1 y1<TAB>text (words joined by spaces)
hocr_lines() { # HOCR PAGE
    awk -f "$top/tools/hocr_lines.awk" "$1" | awk -v p="$2" '{ print p "\t" $0 }'
}
: >"$out/page-lines.tsv"
while IFS=$'\t' read -r p f; do
    h=$(ls "$out/page/$p".hocr 2>/dev/null) || fail "no hOCR for $f ($out/ocr-pages.log)"
    hocr_lines "$h" "$p" | awk -F'\t' 'length($4) >= 3' >>"$out/page-lines.tsv"
done <"$out/pages.tsv"
nl=$(wc -l <"$out/page-lines.tsv")
[ "$nl" -gt 0 ] || fail "the pages read no line of 3 characters or more"

# the cuts: one convert per page, every line and margin
while IFS=$'\t' read -r p f; do
    read -r W H <<<"$(identify -format '%w %h' "$f[0]")" || fail "identify $f"
    args=()
    while IFS=$'\t' read -r _ n box _; do
        read -r x0 y0 x1 y1 <<<"$box"
        for m in $margins; do
            a=$((x0 - m)) b=$((y0 - m)) c=$((x1 + m)) d=$((y1 + m))
            [ $a -lt 0 ] && a=0
            [ $b -lt 0 ] && b=0
            [ $c -gt $W ] && c=$W
            [ $d -gt $H ] && d=$H
            args+=('(' mpr:p -crop "$((c - a))x$((d - b))+$a+$b" +repage
                   -write "$out/cut/$p-l$(printf %03d "$n")-m$m.png" +delete ')')
        done
    done < <(awk -F'\t' -v p="$p" '$1 == p' "$out/page-lines.tsv")
    [ ${#args[@]} -gt 0 ] || continue
    convert "$f[0]" -write mpr:p +delete "${args[@]}" xc:white null: 2>>"$out/convert.log" ||
        fail "convert failed on $f (see $out/convert.log)"
done <"$out/pages.tsv"
find "$out/cut" -type f | sort >"$out/cuts.files"
xargs -d '\n' -n 500 "$inkpipe" ocr "${oargs[@]}" -f txt -o "$out/txt" <"$out/cuts.files" \
    2>"$out/ocr-cuts.log" || fail "inkpipe ocr failed on the cuts: $(tail -3 "$out/ocr-cuts.log")"

# compare: equal, equal without spaces, edit distance (characters)
printf 'page\tline\tmargin\tpage_text\tcut_text\tequal\tequal_nospace\tedits\tchars\tas_a_line\n' >"$out/lines.tsv"
while IFS=$'\t' read -r p n box text; do
    for m in $margins; do
        t=$out/txt/$p-l$(printf %03d "$n")-m$m.txt
        [ -f "$t" ] || fail "no reading of the cut $t ($out/ocr-cuts.log)"
        v=$(awk 'NF { $1 = $1; r = r (r == "" ? "" : " / ") $0 } END { print r }' "$t")
        printf '%s\t%d\t%s\t%s\t%s\n' "$p" "$n" "$m" "$text" "$v"
    done
done <"$out/page-lines.tsv" | awk -F'\t' -v OFS='\t' '
    function lev(a, b,   la, lb, i, j, c, d, prev, cur) {
        la = length(a); lb = length(b)
        for (j = 0; j <= lb; j++) prev[j] = j
        for (i = 1; i <= la; i++) {
            cur[0] = i
            for (j = 1; j <= lb; j++) {
                c = prev[j - 1] + (substr(a, i, 1) != substr(b, j, 1))
                d = prev[j] + 1; if (cur[j - 1] + 1 < d) d = cur[j - 1] + 1
                cur[j] = c < d ? c : d
            }
            for (j = 0; j <= lb; j++) prev[j] = cur[j]
        }
        return prev[lb]
    }
    { a = $4; b = $5; na = a; nb = b; gsub(/[ \/]/, "", na); gsub(/[ \/]/, "", nb)
      k = split(b, cl, " / "); one = 0
      for (i = 1; i <= k; i++) if (cl[i] == a) one = 1
      print $1, $2, $3, a, b, (a == b), (na == nb), lev(a, b), length(a), one }' >>"$out/lines.tsv"

awk -F'\t' -v ms="$margins" '
    NR == 1 { next }
    { n[$3]++; e[$3] += $6; e2[$3] += $7; ed[$3] += $8; ch[$3] += $9; o[$3] += $10
      N++; E += $6; E2 += $7; ED += $8; CH += $9; O += $10 }
    END { k = split(ms, M, " ")
          for (i = 1; i <= k; i++) { m = M[i]
              printf "LINELAW margin=%s n=%d equal=%d share=%.1f nospace=%.1f cer=%.2f as_a_line=%.1f\n",
                  m, n[m], e[m], 100 * e[m] / n[m], 100 * e2[m] / n[m],
                  100 * ed[m] / (ch[m] ? ch[m] : 1), 100 * o[m] / n[m] }
          printf "LINELAW margin=all n=%d equal=%d share=%.1f nospace=%.1f cer=%.2f as_a_line=%.1f\n",
              N, E, 100 * E / N, 100 * E2 / N, 100 * ED / (CH ? CH : 1), 100 * O / N }' "$out/lines.tsv"
echo "lines of $(wc -l <"$out/pages.tsv") pages: $nl; worst pages (cuts unequal / cuts):"
awk -F'\t' 'NR > 1 { n[$1]++; u[$1] += !$6 } END { for (p in n) printf "%d\t%d\t%s\n", u[p], n[p], p }' \
    "$out/lines.tsv" | sort -k1,1nr -k3,3 | head -"$worst" |
    while IFS=$'\t' read -r u n p; do
        printf '  %s  %d / %d\n' "$(awk -F'\t' -v p="$p" '$1 == p { print $2 }' "$out/pages.tsv")" "$u" "$n"
    done
echo "example failures per margin (page line: page | cut):"
for m in $margins; do
    awk -F'\t' -v m="$m" -v w="$worst" '$3 == m && !$6 && c++ < w { printf "  m%-3s %s l%s: %s | %s\n", m, $1, $2, $4, $5 }' "$out/lines.tsv"
done
exit 0
