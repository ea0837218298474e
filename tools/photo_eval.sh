#!/usr/bin/env bash
# tools/photo_eval.sh - glyphs as a phone camera takes them (issue 13:
# "photographed pen and pencil glyphs"; docs/eval-real.md "Glyphs
# photographed in uneven light").
#
#   tools/photo_eval.sh [--writers "041 042 ..."] [--seed S] [--size PCT]
#                       [--noise A] [--even] [--out DIR] [--inkpipe BIN]
#                       [--model FILE] [--data DIR]
#
# Renders each writer's 62 Chars74K pictures (default the held-out writers
# 041-045) as a phone would take them, with ImageMagick `convert`: grey
# paper (175-225), pencil-grey ink (90-140), the light falling off from
# one corner to the opposite one to 45-75 % (--even: no fall-off), a blur
# of 0.8 px, Gaussian noise (`-attenuate A +noise Gaussian`, default 0.6;
# 0 = none), JPEG quality 70, scaled to 8-15 % (about 100-180 px wide;
# --size PCT: all at PCT %). Every picture's settings come from the seed
# and its place in the list: the same seed, the same pictures (cached in
# DIR/img while the settings are the same). Then `inkpipe eval --dir`
# (the classifier alone, as `inkpipe classify` reads a glyph image) per
# writer and for all: top-1 over 62 classes and with look-alikes merged,
# the mean and the worst writer. Output: the table on stdout, the eval
# reports in DIR (default build/photo-eval/). Exit 0, 1 a step failed, 2
# usage or missing programs, 3 no data.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
writers="041 042 043 044 045" seed=1 size= noise=0.6 even=0
out=$top/build/photo-eval inkpipe=$top/inkpipe model= data=${INKPIPE_CHARS74K:-}
[ -n "$data" ] || for d in "$top/../shared/data/chars74k-hnd" /work/shared/data/chars74k-hnd; do
    [ -d "$d" ] && { data=$d; break; }
done
while [ $# -gt 0 ]; do
    case $1 in
    --writers) writers=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    --size) size=$2; shift 2 ;;
    --noise) noise=$2; shift 2 ;;
    --even) even=1; shift ;;
    --out) out=$2; shift 2 ;;
    --inkpipe) inkpipe=$2; shift 2 ;;
    --model) model=$2; shift 2 ;;
    --data) data=$2; shift 2 ;;
    --help|-h) sed -n '2,/^set -u/p' "$0" | sed -e '/^set -u/d' -e 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "photo_eval: unknown argument '$1' (--help)" >&2; exit 2 ;;
    esac
done
case $seed in ''|*[!0-9]*) echo "photo_eval: --seed '$seed': expected a number" >&2; exit 2 ;; esac
case $size in ''|[1-9]|[1-9][0-9]|100) ;; *) echo "photo_eval: --size '$size': expected a percentage 1-100" >&2; exit 2 ;; esac
case $noise in [0-9]|[0-9].[0-9]*) ;; *) echo "photo_eval: --noise '$noise': expected a number such as 0.6" >&2; exit 2 ;; esac
for w in $writers; do
    case $w in [0-9][0-9][0-9]) ;; *) echo "photo_eval: writer '$w': expected three digits (001-045)" >&2; exit 2 ;; esac
done
command -v convert >/dev/null || { echo "photo_eval: ImageMagick convert not installed (tools/deps.sh test)" >&2; exit 2; }
[ -x "$inkpipe" ] || { echo "photo_eval: $inkpipe missing (run make first)" >&2; exit 2; }
[ -n "$data" ] && [ -f "$data/labels.csv" ] ||
    { echo "photo_eval: no Chars74K data at '$data' (--data DIR); skipped" >&2; exit 3; }
[ -n "$model" ] || model=${INKPIPE_MODEL:-$top/models/inkpipe.model}
export OPENBLAS_NUM_THREADS=1

# A class folder name inkpipe eval --dir reads: upper_A, lower_a, 7.
class_dir() {
    case $1 in [A-Z]) echo "upper_$1" ;; [a-z]) echo "lower_$1" ;; *) echo "$1" ;; esac
}

key="seed $seed size ${size:-8-15} noise $noise even $even writers $writers"
img=$out/img
if [ "$(cat "$out/key" 2>/dev/null)" != "$key" ]; then
    rm -rf "$out" && mkdir -p "$img" || exit 1
    i=0
    for w in $writers; do
        grep -E ",$w\$" "$data/labels.csv" >"$out/list.$w"
        [ -s "$out/list.$w" ] || { echo "photo_eval: writer $w not in $data/labels.csv" >&2; exit 3; }
        while IFS=, read -r pic ch _ _; do
            i=$((i + 1)) r=$(((i * 7919 + seed * 104729) % 1000))
            ink=$((90 + r % 50)) pap=$((175 + (r / 7) % 50)) dark=$((45 + (r / 3) % 30))
            [ "$even" = 1 ] && dark=100
            sc=${size:-$((8 + r % 8))}
            case $((r % 4)) in
            0) g="0,0 gray(100%) %[fx:w-1],%[fx:h-1] gray($dark%)" ;;
            1) g="%[fx:w-1],0 gray(100%) 0,%[fx:h-1] gray($dark%)" ;;
            2) g="0,%[fx:h-1] gray(100%) %[fx:w-1],0 gray($dark%)" ;;
            *) g="%[fx:w-1],%[fx:h-1] gray(100%) 0,0 gray($dark%)" ;;
            esac
            d=$img/$w/$(class_dir "$ch")
            mkdir -p "$d" || exit 1
            convert "$data/$pic" -colorspace gray -resize "$sc%" \
                +level "$((ink * 100 / 255))%,$((pap * 100 / 255))%" \
                \( +clone -sparse-color Barycentric "$g" \) -compose multiply -composite \
                -blur 0x0.8 -seed "$((seed * 100000 + i))" -attenuate "$noise" +noise Gaussian \
                -quality 70 \
                "$d/$(basename "${pic%.*}").jpg" ||
                { echo "photo_eval: convert failed on $data/$pic" >&2; exit 1; }
        done <"$out/list.$w"
    done
    echo "$key" >"$out/key"
fi

# "top1 merged n" of an eval report
result() { awk '$1 == "RESULT" { for (i = 3; i <= NF; i++) { split($i, kv, "="); r[kv[1]] = kv[2] }
                                  print r["top1"], r["merged"], r["n"] }' "$1"; }

printf '%-8s %6s %8s %8s\n' writer glyphs top-1 merged
dirs=()
: >"$out/writers.txt"
for w in $writers; do
    "$inkpipe" eval --model "$model" --dir "$img/$w" >"$out/eval.$w.txt" 2>&1 ||
        { echo "photo_eval: inkpipe eval failed:" >&2; tail -3 "$out/eval.$w.txt" >&2; exit 1; }
    read -r t m n <<<"$(result "$out/eval.$w.txt")"
    printf '%-8s %6d %7.2f%% %7.2f%%\n' "$w" "$n" "$t" "$m"
    dirs+=(--dir "$img/$w")
    echo "$w $t $m" >>"$out/writers.txt"
done
"$inkpipe" eval --model "$model" "${dirs[@]}" >"$out/eval.all.txt" 2>&1 ||
    { echo "photo_eval: inkpipe eval failed:" >&2; tail -3 "$out/eval.all.txt" >&2; exit 1; }
read -r t m n <<<"$(result "$out/eval.all.txt")"
printf '%-8s %6d %7.2f%% %7.2f%%\n' all "$n" "$t" "$m"
sort -k2 -g "$out/writers.txt" | head -1 | awk '{ printf "worst writer: %s, top-1 %.2f%%\n", $1, $2 }'
rm -f "$out/writers.txt"
