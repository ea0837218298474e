#!/usr/bin/env bash
# tools/adapt_eval.sh - writer adaptation per writer (issue 13 item 4;
# docs/context.md "Adapting to the writer").
#
#   tools/adapt_eval.sh [--writers "041 042 ..."] [--pages N] [--seed S]
#                       [--out DIR] [--build DIR] [--inkpipe BIN]
#                       [--data DIR] [-- COMPOSE_OPTIONS...]
#
# For each writer composes N pages written by that writer alone
# (tools/compose --writers W, seed S; cached in DIR/W/img while the
# command that made them is the same), reads them with `inkpipe ocr`
# and with `inkpipe ocr --no-adapt`, and prints one row per writer:
# characters, errors and CER without and with adaptation, and the
# change. The last row sums all writers; "worst" is the largest increase
# of errors of any writer. CPU seconds (user+sys) of both runs are
# printed too. Default writers: the held-out 041-045. Exit 0, 1 a step
# failed, 2 usage or missing binaries, 3 no data.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
writers="041 042 043 044 045" pages=2 seed=1 out=$top/build/adapt-eval
build=$top/build inkpipe= data=${INKPIPE_CHARS74K:-}
[ -n "$data" ] || for d in "$top/../shared/data/chars74k-hnd" /work/shared/data/chars74k-hnd; do
    [ -d "$d" ] && { data=$d; break; }
done
extra=()
while [ $# -gt 0 ]; do
    case $1 in
    --writers) writers=$2; shift 2 ;;
    --pages) pages=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --build) build=$2; shift 2 ;;
    --inkpipe) inkpipe=$2; shift 2 ;;
    --data) data=$2; shift 2 ;;
    --help|-h) sed -n '2,/^set -u/p' "$0" | sed -e '/^set -u/d' -e 's/^# \{0,1\}//'; exit 0 ;;
    --) shift; extra=("$@"); break ;;
    *) echo "adapt_eval: unknown argument '$1'" >&2; exit 2 ;;
    esac
done
[ -n "$inkpipe" ] || inkpipe=$top/inkpipe
for b in "$inkpipe" "$build/tools/compose" "$build/tools/cer"; do
    [ -x "$b" ] || { echo "adapt_eval: $b missing (run make first)" >&2; exit 2; }
done
[ -n "$data" ] && [ -d "$data" ] || { echo "adapt_eval: no Chars74K data at $data (--data DIR); skipped" >&2; exit 3; }
export OPENBLAS_NUM_THREADS=1

cpu() { # seconds of user+sys CPU of the command
    local t0 t1 me=$BASHPID
    t0=$(awk '{ print $14 + $15 + $16 + $17 }' /proc/$me/stat)
    "$@" || return 1
    t1=$(awk '{ print $14 + $15 + $16 + $17 }' /proc/$me/stat)
    awk -v a="$t0" -v b="$t1" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.2f", (b - a) / hz }'
}

sum_c=0 sum_e0=0 sum_e1=0 worst=-999999 worst_w= cpu0=0 cpu1=0 npages=0
printf '%-8s %7s %8s %8s %8s %8s %8s\n' writer chars err_off CER_off err_on CER_on change
for w in $writers; do
    d=$out/$w
    key="compose --pages $pages --seed $seed --writers $w ${extra[*]}"
    if [ "$(cat "$d/key" 2>/dev/null)" != "$key" ]; then
        rm -rf "$d"
        mkdir -p "$d/img" || exit 1
        "$build/tools/compose" --out "$d/img" --pages "$pages" --seed "$seed" \
            --writers "$w" --data "$data" ${extra[@]+"${extra[@]}"} >"$d/compose.log" 2>&1 ||
            { echo "adapt_eval: compose failed for writer $w:" >&2; cat "$d/compose.log" >&2; exit 1; }
        echo "$key" >"$d/key"
    fi
    imgs=()
    for f in "$d"/img/*; do case $f in *.gt.txt) ;; *) imgs+=("$f") ;; esac; done
    npages=$((npages + ${#imgs[@]}))
    declare -A e=()
    for mode in off on; do
        flag=()
        [ $mode = off ] && flag=(--no-adapt)
        rm -rf "$d/$mode"
        mkdir -p "$d/$mode"
        s=$(cpu "$inkpipe" ocr -f txt -o "$d/$mode" ${flag[@]+"${flag[@]}"} "${imgs[@]}" 2>"$d/$mode.log") ||
            { echo "adapt_eval: inkpipe ocr failed:" >&2; cat "$d/$mode.log" >&2; exit 1; }
        [ $mode = off ] && cpu0=$(awk -v a="$cpu0" -v b="$s" 'BEGIN { print a + b }')
        [ $mode = on ] && cpu1=$(awk -v a="$cpu1" -v b="$s" 'BEGIN { print a + b }')
        pairs=()
        for img in "${imgs[@]}"; do
            b=$(basename "${img%.*}")
            pairs+=("$d/img/$b.gt.txt" "$d/$mode/$b.txt")
        done
        "$build/tools/cer" --tsv "${pairs[@]}" >"$d/$mode.tsv" || exit 1
        e[$mode]=$(awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
            $1 == "TOTAL" { print $c["char_errors"] + 0, $c["gt_chars"] + 0 }' "$d/$mode.tsv")
    done
    read -r e0 c <<<"${e[off]}"
    read -r e1 _ <<<"${e[on]}"
    printf '%-8s %7d %8d %7.2f%% %8d %7.2f%% %+8d\n' "$w" "$c" "$e0" \
        "$(awk -v a="$e0" -v b="$c" 'BEGIN { print 100 * a / b }')" "$e1" \
        "$(awk -v a="$e1" -v b="$c" 'BEGIN { print 100 * a / b }')" $((e1 - e0))
    sum_c=$((sum_c + c)) sum_e0=$((sum_e0 + e0)) sum_e1=$((sum_e1 + e1))
    if [ $((e1 - e0)) -gt "$worst" ]; then worst=$((e1 - e0)) worst_w=$w; fi
done
printf '%-8s %7d %8d %7.2f%% %8d %7.2f%% %+8d\n' all "$sum_c" "$sum_e0" \
    "$(awk -v a="$sum_e0" -v b="$sum_c" 'BEGIN { print 100 * a / b }')" "$sum_e1" \
    "$(awk -v a="$sum_e1" -v b="$sum_c" 'BEGIN { print 100 * a / b }')" $((sum_e1 - sum_e0))
echo "worst change: $worst_w $(printf %+d "$worst") errors"
echo "CPU s (ocr, all $npages pages): --no-adapt $cpu0, adapt $cpu1"
