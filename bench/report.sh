#!/bin/bash
# bench/report.sh - print the tables of `make bench` from bench/results/.
#
#   bench/report.sh RESULTS_DIR NPAGES "SYSTEMS" MODEL SOURCE
#
# Reads RESULTS/times ("SYSTEM ROUND wall user sys maxrss_kb" per run),
# RESULTS/SYSTEM/cer.tsv, RESULTS/SYSTEM/timings.ROUND (INKPIPE_TIMINGS),
# RESULTS/stages*.tsv (bench_stages), RESULTS/*_cer.tsv and
# RESULTS/rec_bench*.txt. For each system the round with the least CPU
# time is reported.
set -u
res=$1
n=$2
systems=$3
model=$4
source=$5
export LC_ALL=C

best_round() { # SYSTEM -> round with the least user+sys
    awk -v s="$1" '$1 == s { c = $4 + $5; if (!b || c < bc) { b = $2; bc = c } }
                   END { print b }' "$res/times"
}
total_cer() { # SYSTEM_CER_TSV -> "cer wer" in %
    awk -F'\t' '$1 == "TOTAL" { printf "%.2f %.2f", 100 * $9, 100 * $16 }' "$1"
}

rm -f "$res/best"
cpu=$(lscpu | sed -n 's/^Model name: *//p' | head -1)
# A virtual CPU's model name may not say its generation ("AMD EPYC"), and
# the ratio to tesseract depends on it: the int8 CNN runs much faster on a
# full-width AVX-512 core (Zen 5) than on a double-pumped one (Zen 4).
# Family and model say which it is.
fam=$(awk -F': *' '/^cpu family/ { print $2; exit }' /proc/cpuinfo)
mod=$(awk -F': *' '/^model[[:space:]]*:/ { print $2; exit }' /proc/cpuinfo)
gen=""
case "$cpu/$fam" in
*AMD*/25) # Zen 4: models 0x10-0x1f, 0x60-0x7f, 0xa0-0xaf; else Zen 3
    gen=", Zen 3"
    for r in 16-31 96-127 160-175; do
        [ "${mod:-0}" -ge "${r%-*}" ] && [ "${mod:-0}" -le "${r#*-}" ] &&
            gen=", Zen 4"
    done
    ;;
*AMD*/26) gen=", Zen 5" ;;
esac
cpu="$cpu (cpu family $fam, model $mod$gen)"
echo "== inkpipe bench: $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "machine: $cpu, $(getconf _NPROCESSORS_ONLN) cores; load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "pages: $n composed 300 dpi A4 pages ($source); grey PNG, and the same"
echo "       pages as bilevel G4 TIFF (inkpipe_g4); ocrad/gocr read PGM"
echo "       (converted from the PNGs outside the timing)"
echo "model: $model"
echo
echo "-- speed, memory and accuracy (best of $(awk '{print $2}' "$res/times" | sort -u | wc -l) rounds by CPU time)"
printf "%-11s %9s %9s %9s %11s %8s %7s %7s\n" system "wall s/p" "pages/s" \
    "CPU s/p" "p/s/core" "RSS MB" "CER %" "WER %"
for s in $systems; do
    r=$(best_round "$s")
    [ -n "$r" ] || continue
    read -r wall user sys rss < <(awk -v s="$s" -v r="$r" '$1 == s && $2 == r {print $3, $4, $5, $6}' "$res/times")
    read -r cer wer < <(total_cer "$res/$s/cer.tsv")
    awk -v s="$s" -v n="$n" -v w="$wall" -v u="$user" -v y="$sys" -v m="$rss" \
        -v c="${cer:-nan}" -v e="${wer:-nan}" 'BEGIN {
        cpu = (u + y) / n; wpp = w / n; pps = (w > 0) ? n / w : 0
        core = (cpu > 0) ? 1 / cpu : 0; mb = m / 1024
        printf "%-11s %9.3f %9.2f %9.3f %11.2f %8.1f %7s %7s\n", s, wpp,
            pps, cpu, core, mb, c, e }'
    echo "$s $wall $user $sys" >>"$res/best"
done
echo
echo "pages/s = pages / wall time; p/s/core = 1 / (CPU s/page), the rate of one"
echo "core when the machine is shared; RSS = peak of the largest process."
echo
ratio() { # A B FIELD(wall|cpu)
    awk -v a="$1" -v b="$2" -v f="$3" '
        $1 == a { aw = $2; ac = $3 + $4 } $1 == b { bw = $2; bc = $3 + $4 }
        END { if (aw > 0 && ac > 0 && bw > 0)
                  printf "%.1fx", f == "cpu" ? bc / ac : bw / aw
              else printf "n/a" }' "$res/best"
}
if grep -q '^tesseract ' "$res/best" 2>/dev/null; then
    echo "-- ratios (pages/s of inkpipe / pages/s of tesseract)"
    for s in inkpipe1 inkpipe2 inkpipe_g4; do
        grep -q "^$s " "$res/best" || continue
        echo "$s / tesseract: $(ratio "$s" tesseract cpu) per core (CPU time), $(ratio "$s" tesseract wall) wall"
    done
    if grep -q '^inkpipe2 ' "$res/best" && grep -q '^inkpipe1 ' "$res/best"; then
        echo "inkpipe 2 workers / 1 worker: $(ratio inkpipe2 inkpipe1 wall) wall (needs 2 idle cores to mean anything)"
    fi
    echo
fi

# Per-page CER, side by side, and the worst pages.
cols=""
for s in $systems; do
    case $s in inkpipe2) continue ;; esac
    [ -f "$res/$s/cer.tsv" ] && cols="$cols $s"
done
echo "-- CER % per page"
printf "%-10s" page
for s in $cols; do printf " %11s" "$s"; done
echo
paste_args=()
for s in $cols; do paste_args+=("$res/$s/cer.tsv"); done
# column 1 = gt path, 9 = cer in each file; one row per page
awk -F'\t' -v ncol="$(echo $cols | wc -w)" '
    FNR == 1 { f++ ; next }
    $1 == "TOTAL" { next }
    { p = $1; sub(/.*\//, "", p); sub(/\.gt\.txt$/, "", p)
      if (f == 1) order[++np] = p
      cer[p, f] = 100 * $9 }
    END { for (i = 1; i <= np; i++) { p = order[i]; printf "%-10s", p
            for (j = 1; j <= ncol; j++) printf " %11.2f", cer[p, j]
            printf "\n" } }' "${paste_args[@]}"
echo
for s in inkpipe1 tesseract; do
    [ -f "$res/$s/cer.tsv" ] || continue
    echo "worst pages for $s (CER %, chars, errors sub/del/ins):"
    awk -F'\t' 'NR > 1 && $1 != "TOTAL" { p = $1; sub(/.*\//, "", p)
        sub(/\.gt\.txt$/, "", p)
        printf "%.2f %s %d %d/%d/%d\n", 100 * $9, p, $3, $6, $7, $8 }' \
        "$res/$s/cer.tsv" | sort -rn | head -3 |
        awk '{ printf "  %-10s %6.2f%%  %4d chars  %s\n", $2, $1, $3, $4 }'
done
echo

# Where inkpipe's time goes.
if [ -f "$res/stages.tsv" ]; then
    echo "-- inkpipe, CPU ms per page by step (in-process, bench_stages, job defaults)"
    awk -F'\t' 'NR == 1 { for (i = 2; i <= NF; i++) h[i] = $i; nf = NF }
        $1 == "MEAN" { for (i = 2; i <= nf; i++)
                           printf "  %-10s %8.1f\n", h[i], $i }' "$res/stages.tsv"
    echo "  (deskew = binarize with deskew minus without; g4_write/g4_read,"
    echo "   seg_io, rec_io = the artifacts between stages; write = text + hOCR)"
    echo
fi
r=$(best_round inkpipe1)
tf=$res/inkpipe1/timings.$r
if [ -n "$r" ] && [ -f "$tf" ]; then
    echo "-- inkpipe run --workers 1: per stage, ms per page (INKPIPE_TIMINGS, round $r)"
    printf "  %-10s %6s %10s %10s %10s\n" stage items "stage CPU" "stage wall" "queue wall"
    awk -v n="$n" '$1 == "stage" { k[$2]++; sw[$2] += $4; sc[$2] += $5; tsc += $5 }
                   $1 == "item" { iw[$2] += $4 }
        END { split("ingest binarize segment recognize output", st, " ")
              for (i = 1; i <= 5; i++) { s = st[i]
                  printf "  %-10s %6d %10.1f %10.1f %10.1f\n", s, k[s],
                      sc[s] / n, sw[s] / n, (iw[s] - sw[s]) / n }
              printf "  %-10s %6s %10.1f\n", "sum", "", tsc / n }' "$tf"
    read -r user sys < <(awk -v r="$r" '$1 == "inkpipe1" && $2 == r {print $4, $5}' "$res/times")
    awk -v n="$n" -v u="$user" -v y="$sys" '$1 == "stage" { tsc += $5 } END {
        tot = 1000 * (u + y) / n
        printf "  whole run: %.1f CPU ms/page, of which outside the stages (start,\n", tot
        printf "  model load, queues, claims, fork): %.1f ms/page\n", tot - tsc / n }' "$tf"
    if [ -f "$res/stages.tsv" ]; then
        inproc=$(awk -F'\t' '$1 == "MEAN" { print $(NF - 1) }' "$res/stages.tsv")
        awk -v n="$n" -v ip="$inproc" '$1 == "stage" { t += $5 } END {
            printf "  stages in the pipeline vs the same steps in one process: %.1f vs %.1f ms/page\n", t / n, ip }' "$tf"
    fi
    echo
fi
if [ -f "$res/stages_otsu.tsv" ] && [ -f "$res/otsu_cer.tsv" ]; then
    echo "-- binarisation: Sauvola vs adaptive Otsu (in-process CPU ms/page, CER %)"
    printf "  %-8s %9s %8s %9s %9s %7s\n" method binarize deskew segment total "CER %"
    for m in sauvola otsu; do
        f=$res/stages_$m.tsv
        c=$(total_cer "$res/${m}_cer.tsv" | cut -d' ' -f1)
        awk -F'\t' -v m=$m -v c="$c" 'NR == 1 { for (i = 2; i <= NF; i++) h[$i] = i }
            $1 == "MEAN" { printf "  %-8s %9.1f %8.1f %9.1f %9.1f %7s\n", m,
                $h["binarize"], $h["deskew"], $h["segment"], $h["total"], c }' "$f"
    done
    echo
fi
if [ -f "$res/rec_bench.txt" ]; then
    echo "-- CNN (tools/rec_bench, one thread, a page's glyphs in one call)"
    sed 's/^/  /' "$res/rec_bench.txt"
    if [ -f "$res/rec_bench_coretypes.txt" ]; then
        grep -E "^==|classify|bound" "$res/rec_bench_coretypes.txt" | sed 's/^/  /'
    fi
fi
