#!/usr/bin/env bash
# tools/form_eval.sh - field-level accuracy of the forms reader on composed
# form pages (issue 14; docs/forms.md).
#
#   tools/form_eval.sh [--pages N] [--seed S] [--writers LIST] [--out DIR]
#                      [--build DIR] [--inkpipe BIN] [--data DIR]
#                      [--shift PX] [--scale F] [--rotate DEG] [--tesseract N]
#                      [--no-template] [--labels inkpipe|tesseract]
#                      [--lang en|fr] [--ocr-args "ARGS"]
#                      [--marks] [--line-gray G] [--line-gaps P] [--lines-only]
#                      [--page-text]
#
# Composes N filled-in registration cards (tools/form_compose: printed
# labels in DejaVu Sans, handwriting from the Chars74K images of held-out
# writers, default 041-045, in boxes, combs and underlines; each page
# shifted, scaled and rotated at random up to --shift/--scale/--rotate),
# reads them with `inkpipe ocr --template`, and prints per field group:
# fields, exact matches, CER (edit distance / truth length, summed), fields
# flagged needs_review, wrong fields not flagged, and pages that did not
# register. --tesseract N also reads the fields of the first N pages with
# Tesseract (--psm 7,
# the field's charset as a whitelist) from the page turned upright and the
# template box mapped with the composer's own transform (the true one: a
# head start for Tesseract), cut 5 px inside the box. Files are kept in DIR
# (default eval/forms/): fields.tsv has one row per field.
# --no-template also reads the same pages with `inkpipe ocr -f json` and
# no template (the fields found on the page, docs/forms.md) and scores them
# against the truth: each truth field (its box on the page taken from the
# template run, registered to under 1 px) is matched to the found field
# that overlaps it most (intersection over union at least 0.4); it prints
# fields found / missed / spurious (found, matched to no truth field),
# exact value and CER per group (a missed field counts as wrong, its CER
# against an empty value), and the labels read (case-insensitive exact,
# CER; and comparing only their letters and digits, as the classifier has
# no punctuation) against the printed labels, and the field names made from
# them (lower case, each run of other characters one _) against those made
# from the printed labels; notpl.tsv has one row per
# truth field. --labels R reads the found fields' labels with R
# (`inkpipe ocr --labels`; default: inkpipe's, tesseract). --lang fr
# composes French cards (form_compose --lang fr: "Nom :", "Prénom :",
# "Date de naissance (JJMMAAAA)"...; the truth label is without the colon).
# --ocr-args passes more options to the no-template run (e.g.
# "--labels-lang eng --no-guess-charset"). Field names are the JSON's
# names (less a _2 suffix) against the printed label's ASCII slug (iconv
# //TRANSLIT: accents dropped).
# --marks prints registration marks on the cards and writes them into the
# template; --line-gray G and --line-gaps P make the printed lines faint
# (grey G, 0-255) or broken (P% missing) (form_compose); --lines-only reads
# the cards with the template without its marks (registration by the
# printed lines alone). The summary says how many pages were registered by
# marks, by lines, and by lines because too few marks were found, and the
# pages refused (a template with marks refuses a page that neither its
# marks nor its lines fit; their fields count as wrong).
# --page-text also reads each card as a plain page (`inkpipe ocr`, text,
# no template, no field finding) and scores the text against the card's
# transcript (form_compose's form-NNN.gt.txt: title, labels and written
# values row by row) with build/tools/cer: the CER of a filled-in form
# read as a page, per page (page_text.tsv), per writer (the composer's
# writers.tsv) and in total, the worst page and writer named.
# Needs the Chars74K data: --data DIR, else $INKPIPE_CHARS74K, else
# ../shared/data/chars74k-hnd beside the repository. Exit: 0 ok, 1 a step
# failed, 2 usage, 3 no data.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
pages=100 seed=1 writers=041-045 out=$top/eval/forms build=$top/build
inkpipe= data=${INKPIPE_CHARS74K:-} shift_px=40 scale=0.15 rotate=2 tess=0
notpl=0 labels= lang=en ocr_args= marks= line_gray=0 line_gaps=0 lines_only=0
page_text=0
usage() { sed -n '2,/^set -u/p' "$0" | sed -e '/^set -u/d' -e 's/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
    case $1 in
    --pages) pages=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    --writers) writers=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --build) build=$2; shift 2 ;;
    --inkpipe) inkpipe=$2; shift 2 ;;
    --data) data=$2; shift 2 ;;
    --shift) shift_px=$2; shift 2 ;;
    --scale) scale=$2; shift 2 ;;
    --rotate) rotate=$2; shift 2 ;;
    --tesseract) tess=$2; shift 2 ;;
    --no-template) notpl=1; shift ;;
    --labels) labels=$2; shift 2 ;;
    --lang) lang=$2; shift 2 ;;
    --ocr-args) ocr_args=$2; shift 2 ;;
    --marks) marks=--marks; shift ;;
    --line-gray) line_gray=$2; shift 2 ;;
    --line-gaps) line_gaps=$2; shift 2 ;;
    --lines-only) lines_only=1; shift ;;
    --page-text) page_text=1; shift ;;
    --help|-h) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
    esac
done
: "${inkpipe:=$top/inkpipe}"
[ -n "$data" ] || data=$(cd "$top/.." && pwd)/shared/data/chars74k-hnd
[ -d "$data/Img" ] || { echo "form_eval: no Chars74K data at $data (--data DIR)" >&2; exit 3; }
[ -x "$build/tools/form_compose" ] && [ -x "$inkpipe" ] ||
    { echo "form_eval: build first (make)" >&2; exit 2; }
rm -rf "$out"
mkdir -p "$out"
"$build/tools/form_compose" --out "$out/pages" --pages "$pages" --seed "$seed" \
    --writers "$writers" --data "$data" --shift "$shift_px" --scale "$scale" \
    --rotate "$rotate" --lang "$lang" $marks --line-gray "$line_gray" --line-gaps "$line_gaps" || exit 1
tpl=$out/pages/form.yaml
if [ "$lines_only" = 1 ]; then
    sed '/^marks:/,$d' "$tpl" >"$out/form-lines.yaml"
    tpl=$out/form-lines.yaml
fi
t0=$(date +%s.%N)
# a refused page (exit 1, no JSON, the reason in ocr.err) is scored
# below: its fields all wrong
"$inkpipe" ocr --template "$tpl" -f json -o "$out/json" \
    "$out/pages"/form-*.png 2>"$out/ocr.err" ||
    [ "$(grep -vc 'registration marks not found' "$out/ocr.err")" = 0 ] ||
    { cat "$out/ocr.err" >&2; exit 1; }
t1=$(date +%s.%N)
if [ "$notpl" = 1 ]; then
    t2=$(date +%s.%N)
    # shellcheck disable=SC2086 # ocr_args: options, split on purpose
    "$inkpipe" ocr -f json ${labels:+--labels "$labels"} $ocr_args -o "$out/json_notpl" "$out/pages"/form-*.png || exit 1
    t3=$(date +%s.%N)
fi

# one row per field: page field truth value needs_review confidence fit
: >"$out/fields.tsv"
for tr in "$out/pages"/form-*.truth.tsv; do
    p=$(basename "$tr" .truth.tsv)
    if [ ! -s "$out/json/$p.json" ]; then # refused
        awk -F'\t' -v p="$p" 'BEGIN{OFS="\t"}
            {print p, $1, $2, "", "true", 0, "false", "refused"}' "$tr" >>"$out/fields.tsv"
        continue
    fi
    jq -r '.pages[0] as $pg | $pg.fields[] |
        [.name, .value, (.needs_review|tostring), (.confidence|tostring),
         ($pg.registration.fit|tostring),
         ($pg.registration.method // "lines")] | @tsv' "$out/json/$p.json" |
        paste <(cut -f2 "$tr") - | awk -F'\t' -v p="$p" 'BEGIN{OFS="\t"}
        {print p, $2, $1, $3, $4, $5, $6, $7}' >>"$out/fields.tsv"
done

if [ "$tess" -gt 0 ]; then
    command -v tesseract >/dev/null || { echo "form_eval: no tesseract" >&2; exit 2; }
    mkdir -p "$out/crops"
    # field boxes and charsets from the template, in order
    awk '/^  - name:/{n=$3} /box:/{gsub(/[\[\],]/," "); b=$2" "$3" "$4" "$5}
         /charset:/{c=$2} /type: checkbox/{c="checkbox"}
         /^  - name:/ && NR>1 && prev {print prev}
         {if (n != "" && b != "") prev=n" "b" "c}
         END{print prev}' "$out/pages/form.yaml" | awk '!seen[$1]++' >"$out/boxes.txt"
    : >"$out/tesseract.tsv"
    for tr in $(ls "$out/pages"/form-*.truth.tsv | head -n "$tess"); do
        p=$(basename "$tr" .truth.tsv)
        read -r s ang dx dy <"$out/pages/$p.xf"
        convert "$out/pages/$p.png" -virtual-pixel white \
            -distort SRT "$(awk -v a="$ang" 'BEGIN{print -a}')" +repage "$out/crops/$p-up.png"
        while read -r name x0 y0 x1 y1 cs; do
            [ "$cs" = checkbox ] && continue
            geo=$(awk -v s="$s" -v dx="$dx" -v dy="$dy" -v a="$x0" -v b="$y0" -v c="$x1" -v d="$y1" \
                'BEGIN{i=5; X0=s*a+dx+i; Y0=s*b+dy+i; X1=s*c+dx-i; Y1=s*d+dy-i;
                       printf "%dx%d+%d+%d", X1-X0, Y1-Y0, X0, Y0}')
            convert "$out/crops/$p-up.png" -crop "$geo" +repage "$out/crops/$p-$name.png"
            case $cs in
            digits) wl=0123456789 ;;
            upper) wl=ABCDEFGHIJKLMNOPQRSTUVWXYZ ;;
            alpha) wl=ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz ;;
            *) wl=0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz ;;
            esac
            v=$(tesseract "$out/crops/$p-$name.png" - --psm 7 \
                -c tessedit_char_whitelist="$wl" 2>/dev/null | tr -d ' \n\f')
            printf '%s\t%s\t%s\n' "$p" "$name" "$v" >>"$out/tesseract.tsv"
        done <"$out/boxes.txt"
        rm -f "$out/crops/$p-up.png"
    done
fi

# group: digits (birth_date postcode phone amount), names (surname
# first_name), city (mixed case), member_id (alnum comb + pattern), checkbox
score='
function group(f) {
    if (f ~ /^(birth_date|postcode|phone|amount)$/) return "digits"
    if (f ~ /^(surname|first_name)$/) return "names"
    if (f ~ /^(consent|newsletter)$/) return "checkbox"
    return f
}
function lev(a, b,   i, j, la, lb, d, x, y, z) {
    la = length(a); lb = length(b)
    for (i = 0; i <= la; i++) d[i, 0] = i
    for (j = 0; j <= lb; j++) d[0, j] = j
    for (i = 1; i <= la; i++) for (j = 1; j <= lb; j++) {
        x = d[i-1, j] + 1; y = d[i, j-1] + 1
        z = d[i-1, j-1] + (substr(a, i, 1) != substr(b, j, 1))
        d[i, j] = x < y ? (x < z ? x : z) : (y < z ? y : z)
    }
    return d[la, lb]
}'
echo "inkpipe: $pages pages, $(awk 'END{print NR}' "$out/fields.tsv") fields, writers $writers, read in $(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.1f", b-a}') s"
awk -F'\t' "$score"'
{ g = group($2); n[g]++; N++
  ok = ($3 "" == $4 ""); e[g] += ok; E += ok
  if (g != "checkbox") { ed[g] += lev($3, $4); len[g] += length($3) }
  fl[g] += ($5 == "true"); FL += ($5 == "true")
  wu[g] += (!ok && $5 != "true"); WU += (!ok && $5 != "true")
  if ($7 != "true") unreg[$1] = 1 }
END {
  printf "%-10s %6s %8s %7s %8s %14s\n", "group", "fields", "exact", "CER", "flagged", "wrong_unflagged"
  split("digits names city member_id checkbox", order, " ")
  for (k = 1; k <= 5; k++) { g = order[k]; if (!n[g]) continue
    printf "%-10s %6d %7.1f%% %6s %7.1f%% %14d\n", g, n[g], 100 * e[g] / n[g],
      g == "checkbox" ? "-" : sprintf("%.1f%%", 100 * ed[g] / len[g]), 100 * fl[g] / n[g], wu[g] }
  printf "%-10s %6d %7.1f%% %6s %7.1f%% %14d\n", "all", N, 100 * E / N, "", 100 * FL / N, WU
  u = 0; for (p in unreg) u++
  printf "pages not registered: %d\n", u }' "$out/fields.tsv"
awk -F'\t' '!seen[$1]++ { m[$8]++ }
    END { printf "registration: marks %d, lines %d, lines-fallback %d, refused %d\n",
          m["marks"], m["lines"], m["lines-fallback"], m["refused"] }' "$out/fields.tsv"

if [ "$tess" -gt 0 ]; then
    echo "inkpipe on the same $tess pages:"
    awk -F'\t' 'NR == FNR { t[$1 FS $2] = 1; next } ($1 FS $2) in t' \
        "$out/tesseract.tsv" "$out/fields.tsv" >"$out/inkpipe_same.tsv"
    awk -F'\t' "$score"'
    { g = group($2); n[g]++; ok = ($3 "" == $4 ""); e[g] += ok
      ed[g] += lev($3, $4); len[g] += length($3) }
    END { printf "%-10s %6s %8s %7s\n", "group", "fields", "exact", "CER"
      split("digits names city member_id", order, " ")
      for (k = 1; k <= 4; k++) { g = order[k]; if (!n[g]) continue
        printf "%-10s %6d %7.1f%% %6.1f%%\n", g, n[g], 100 * e[g] / n[g], 100 * ed[g] / len[g] } }' \
        "$out/inkpipe_same.tsv"
    echo "tesseract (same fields, true registration):"
    awk -F'\t' 'NR == FNR { t[$1 FS $2] = $3; next }
        ($1 FS $2) in t { print $1 "\t" $2 "\t" $3 "\t" t[$1 FS $2] "\tfalse\t0\ttrue" }' \
        "$out/tesseract.tsv" "$out/fields.tsv" >"$out/tesseract_fields.tsv"
    awk -F'\t' "$score"'
    { g = group($2); n[g]++; ok = ($3 "" == $4 ""); e[g] += ok
      ed[g] += lev($3, $4); len[g] += length($3) }
    END { printf "%-10s %6s %8s %7s\n", "group", "fields", "exact", "CER"
      split("digits names city member_id", order, " ")
      for (k = 1; k <= 4; k++) { g = order[k]; if (!n[g]) continue
        printf "%-10s %6d %7.1f%% %6.1f%%\n", g, n[g], 100 * e[g] / n[g], 100 * ed[g] / len[g] } }' \
        "$out/tesseract_fields.tsv"
fi

if [ "$notpl" = 1 ]; then
    # T page name x0 y0 x1 y1 truth label / F page idx x0 y0 x1 y1 value label review
    : >"$out/notpl_in.tsv"
    for tr in "$out/pages"/form-*.truth.tsv; do
        p=$(basename "$tr" .truth.tsv)
        jq -r '.pages[0].fields[] | [.name] + (.bbox|map(tostring)) + [.label // ""] | @tsv' \
            "$out/json/$p.json" | paste - <(cut -f2 "$tr") <(jq -r '.pages[0].fields[] | .label // ""' \
            "$out/json/$p.json" | iconv -f UTF-8 -t ASCII//TRANSLIT) |
            awk -F'\t' -v p="$p" 'BEGIN{OFS="\t"} {print "T", p, $1, $2, $3, $4, $5, $7, $6, $8}' >>"$out/notpl_in.tsv"
        jq -r '.pages[0].fields | to_entries[] | [(.key|tostring)] + (.value.bbox|map(tostring)) +
            [.value.value, (.value.label // ""), (.value.needs_review|tostring), .value.name] | @tsv' \
            "$out/json_notpl/$p.json" |
            awk -F'\t' -v p="$p" 'BEGIN{OFS="\t"} {print "F", p, $1, $2, $3, $4, $5, $6, $7, $8, $9}' >>"$out/notpl_in.tsv"
    done
    # one row per truth field: page field truth value review label_truth label_read matched
    awk -F'\t' 'BEGIN{OFS="\t"}
    $1 == "T" { nt[$2]++; k = $2 SUBSEP nt[$2]; tn[k] = $3; tb[k] = $4 " " $5 " " $6 " " $7
                tv[k] = $8; tl[k] = $9; ta[k] = $10; if (!($2 in seen)) { seen[$2] = 1; pages[++np] = $2 } }
    $1 == "F" { nf[$2]++; k = $2 SUBSEP nf[$2]; fb[k] = $4 " " $5 " " $6 " " $7
                fv[k] = $8; fl[k] = $9; fr[k] = $10; fn[k] = $11 }
    function iou(a, b,   x, y, ix, iy, i, u) {
        split(a, x, " "); split(b, y, " ")
        ix = (x[3] < y[3] ? x[3] : y[3]) - (x[1] > y[1] ? x[1] : y[1])
        iy = (x[4] < y[4] ? x[4] : y[4]) - (x[2] > y[2] ? x[2] : y[2])
        if (ix <= 0 || iy <= 0) return 0
        i = ix * iy; u = (x[3]-x[1])*(x[4]-x[2]) + (y[3]-y[1])*(y[4]-y[2]) - i
        return i / u
    }
    END {
        for (q = 1; q <= np; q++) { p = pages[q]; delete used
            for (i = 1; i <= nt[p]; i++) { k = p SUBSEP i; best = 0; bv = 0.4
                for (j = 1; j <= nf[p]; j++) { v = iou(tb[k], fb[p SUBSEP j])
                    if (!(j in used) && v >= bv) { bv = v; best = j } }
                if (best) { used[best] = 1; m = p SUBSEP best
                    print p, tn[k], tv[k], fv[m], fr[m], tl[k], fl[m], 1, ta[k], fn[m] }
                else print p, tn[k], tv[k], "", "true", tl[k], "", 0, ta[k], "" }
            for (j = 1; j <= nf[p]; j++) if (!(j in used)) spur++ }
        print spur + 0 > "/dev/stderr" }' "$out/notpl_in.tsv" >"$out/notpl.tsv" 2>"$out/notpl_spurious"
    nfound=$(awk -F'\t' '$1 == "F"' "$out/notpl_in.tsv" | wc -l)
    echo "no template: $nfound fields found on $pages pages, read in $(awk -v a="$t2" -v b="$t3" 'BEGIN{printf "%.1f", b-a}') s; spurious (matched to no truth field): $(cat "$out/notpl_spurious")"
    awk -F'\t' "$score"'
    { g = group($2); n[g]++; N++; mt[g] += $8; MT += $8
      ok = ($3 "" == $4 ""); e[g] += ok; E += ok
      if (g != "checkbox") { ed[g] += lev($3, $4); len[g] += length($3) }
      fl[g] += ($5 == "true"); FL += ($5 == "true")
      wu[g] += (!ok && $5 != "true"); WU += (!ok && $5 != "true")
      lt = tolower($6); lr = tolower($7); LN++; LE += (lt == lr)
      LED += lev(lt, lr); LLEN += length(lt)
      nt = tolower($9); nr = $10; gsub(/[^a-z0-9]+/, "_", nt); sub(/_[0-9]+$/, "", nr)
      gsub(/^_+|_+$/, "", nt); NM += (nr != "" && nt == nr)
      gsub(/[^a-z0-9]/, "", lt); gsub(/[^a-z0-9]/, "", lr); LA += (lt == lr) }
    END {
      printf "%-10s %6s %6s %7s %8s %7s %8s %14s\n", "group", "fields", "found", "missed", "exact", "CER", "flagged", "wrong_unflagged"
      split("digits names city member_id checkbox", order, " ")
      for (k = 1; k <= 5; k++) { g = order[k]; if (!n[g]) continue
        printf "%-10s %6d %6d %7d %7.1f%% %6s %7.1f%% %14d\n", g, n[g], mt[g], n[g] - mt[g], 100 * e[g] / n[g],
          g == "checkbox" ? "-" : sprintf("%.1f%%", 100 * ed[g] / len[g]), 100 * fl[g] / n[g], wu[g] }
      printf "%-10s %6d %6d %7d %7.1f%% %6s %7.1f%% %14d\n", "all", N, MT, N - MT, 100 * E / N, "", 100 * FL / N, WU
      printf "labels: %d of %d read exactly (case-insensitive, %.1f%%), CER %.1f%%; %d (%.1f%%) right in their letters and digits\n", LE, LN, 100 * LE / LN, 100 * LED / LLEN, LA, 100 * LA / LN
      printf "field names (the JSON names, less a _N suffix) equal to the printed labels slugs (ASCII, accents dropped): %d of %d (%.1f%%)\n", NM, LN, 100 * NM / LN }' \
        "$out/notpl.tsv"
fi

if [ "$page_text" = 1 ]; then
    [ -x "$build/tools/cer" ] || { echo "form_eval: $build/tools/cer missing (make)" >&2; exit 2; }
    mkdir -p "$out/text"
    "$inkpipe" ocr -o "$out/text" "$out/pages"/form-*.png || exit 1
    pairs=()
    for gt in "$out/pages"/form-*.gt.txt; do
        p=$(basename "$gt" .gt.txt)
        pairs+=("$gt" "$out/text/$p.txt")
    done
    "$build/tools/cer" --tsv "${pairs[@]}" >"$out/page_text.tsv" || exit 1
    awk -F'\t' 'FNR == NR { wr[$1] = $2; next }
        FNR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
        $1 == "TOTAL" { tc = $col["cer"]; next }
        { n++; p = $1; sub(/.*\//, "", p); sub(/\.gt\.txt$/, "", p)
          if ($col["cer"] > wc) { wc = $col["cer"]; wp = p }
          w = wr[p]; e[w] += $col["char_errors"]; c[w] += $col["gt_chars"]; np[w]++ }
        END { printf "page text (no template, %d pages): CER %.2f%%; worst page %s %.2f%%\n", n, 100 * tc, wp, 100 * wc
              printf "page text per writer:"
              for (w in c) { r = e[w] / c[w]; printf " %s %.2f%% (%d pages);", w, 100 * r, np[w]
                             if (r >= worst) { worst = r; ww = w } }
              printf " worst writer %s %.2f%%\n", ww, 100 * worst }' \
        "$out/pages/writers.tsv" "$out/page_text.tsv"
fi
