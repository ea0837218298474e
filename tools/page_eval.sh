#!/usr/bin/env bash
# tools/page_eval.sh - character error rate on composed pages, with and
# without the line-context step (issue 3; `make eval-pages`).
#
#   tools/page_eval.sh [--pages N] [--seed S] [--writers LIST] [--out DIR]
#                      [--build DIR] [--inkpipe BIN] [--model FILE]
#                      [--data DIR] [--hershey] [-- COMPOSE_OPTIONS...]
#
# Composes N pages of handprinted text from Chars74K glyphs of held-out
# writers (tools/compose, fixed seed: the same pages every run), runs
# `inkpipe ocr` on them twice (default, then --no-context) and scores both
# against the ground truth with tools/cer. Prints a small table; the cer
# TSV of each run is kept in DIR (default eval/pages/) for programs.
# Needs the Chars74K data: --data DIR, else $INKPIPE_CHARS74K, else
# ../shared/data/chars74k-hnd beside the repository (/work/shared here);
# without it, exit status 3 and a message saying so. --hershey composes
# from a Hershey stroke font instead (no data needed; a smoke test, not a
# handwriting measurement). Exit: 0 ok, 1 a step failed, 2 usage or
# missing binary/model, 3 no data.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
pages=10 seed=1 writers=041-045 out=$top/eval/pages build=$top/build
inkpipe= model= hershey=0 data=${INKPIPE_CHARS74K:-}
compose_extra=()

usage() {
    sed -n '2,/^set -u/p' "$0" | sed -e '/^set -u/d' -e 's/^# \{0,1\}//'
}
while [ $# -gt 0 ]; do
    case $1 in
    --pages) pages=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    --writers) writers=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --build) build=$2; shift 2 ;;
    --inkpipe) inkpipe=$2; shift 2 ;;
    --model) model=$2; shift 2 ;;
    --hershey) hershey=1; shift ;;
    --data) data=$2; shift 2 ;;
    --help|-h) usage; exit 0 ;;
    --) shift; compose_extra=("$@"); break ;;
    *) echo "page_eval: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
    esac
done
case $pages in ''|*[!0-9]*|0) echo "page_eval: --pages '$pages': expected a positive number" >&2; exit 2 ;; esac

abspath() { case $1 in /*) echo "$1" ;; *) echo "$PWD/$1" ;; esac; }
out=$(abspath "$out")
build=$(abspath "$build")
[ -z "$inkpipe" ] || inkpipe=$(abspath "$inkpipe")
[ -z "$model" ] || model=$(abspath "$model")

[ -n "$data" ] || data=$top/../shared/data/chars74k-hnd
if [ $hershey = 1 ]; then
    source_args=(--source hershey)
    writers=hershey
elif [ ! -f "$data/labels.csv" ] && [ ! -d "$data/Img" ]; then
    echo "page_eval: Chars74K data not found at $data" >&2
    echo "  this step needs the shared data folder (../shared/data/chars74k-hnd" >&2
    echo "  next to the repository), --data DIR or INKPIPE_CHARS74K=DIR;" >&2
    echo "  skipped: no CER measured" >&2
    exit 3
else
    source_args=(--writers "$writers" --data "$data")
fi
[ -n "$inkpipe" ] || { if [ "$build" = "$top/build" ]; then inkpipe=$top/inkpipe; else inkpipe=$build/inkpipe; fi; }
for b in "$inkpipe" "$build/tools/compose" "$build/tools/cer"; do
    if [ ! -x "$b" ]; then
        echo "page_eval: $b missing (run make first)" >&2
        exit 2
    fi
done
model_args=()
if [ -n "$model" ]; then
    export INKPIPE_MODEL=$model
    model_args=(--model "$model")
elif [ -n "${INKPIPE_MODEL:-}" ]; then
    model=$INKPIPE_MODEL
else
    model=$top/models/inkpipe.model
fi
if [ ! -f "$model" ]; then
    echo "page_eval: model $model not found (train one, or --model FILE)" >&2
    exit 2
fi
export OPENBLAS_NUM_THREADS=1

rm -rf "$out"
mkdir -p "$out/img" "$out/ctx" "$out/noctx" || exit 1
if ! "$build/tools/compose" --out "$out/img" --pages "$pages" --seed "$seed" \
    "${source_args[@]}" ${compose_extra[@]+"${compose_extra[@]}"} \
    >"$out/compose.log" 2>&1; then
    echo "page_eval: compose failed:" >&2
    cat "$out/compose.log" >&2
    exit 1
fi
imgs=()
for f in "$out"/img/*; do
    case $f in *.gt.txt) ;; *) imgs+=("$f") ;; esac
done
if [ ${#imgs[@]} -eq 0 ]; then
    echo "page_eval: compose wrote no pages into $out/img" >&2
    exit 1
fi

declare -A secs
for mode in ctx noctx; do
    flag=()
    [ $mode = noctx ] && flag=(--no-context)
    t0=$(date +%s.%N)
    if ! "$inkpipe" ocr -f txt -o "$out/$mode" ${model_args[@]+"${model_args[@]}"} \
        ${flag[@]+"${flag[@]}"} "${imgs[@]}" >"$out/$mode.log" 2>&1; then
        echo "page_eval: inkpipe ocr ${flag[*]} failed:" >&2
        cat "$out/$mode.log" >&2
        exit 1
    fi
    secs[$mode]=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { print b - a }')
    pairs=()
    for img in "${imgs[@]}"; do
        b=$(basename "${img%.*}")
        pairs+=("$out/img/$b.gt.txt" "$out/$mode/$b.txt")
    done
    "$build/tools/cer" --tsv "${pairs[@]}" >"$out/$mode.tsv" || exit 1
    "$build/tools/cer" --tsv --ignore-case "${pairs[@]}" >"$out/$mode.nocase.tsv" || exit 1
done

total() { # file column -> value on the TOTAL row
    awk -F'\t' -v k="$2" 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
        $1 == "TOTAL" { print $c[k] }' "$1"
}
pct() { awk -v v="$1" 'BEGIN { printf "%6.2f%%", 100 * v }'; }

echo "eval-pages: $pages composed pages (writers $writers, seed $seed), model $model"
echo "  $(total "$out/ctx.tsv" gt_chars) characters, $(total "$out/ctx.tsv" gt_words) words of ground truth"
printf '  %-22s %8s %8s %16s %8s\n' step CER WER "CER ignoring case" "s/page"
for mode in ctx noctx; do
    name="with line context"
    [ $mode = noctx ] && name="without (--no-context)"
    printf '  %-22s %8s %8s %16s %8.3f\n' "$name" \
        "$(pct "$(total "$out/$mode.tsv" cer)")" \
        "$(pct "$(total "$out/$mode.tsv" wer)")" \
        "$(pct "$(total "$out/$mode.nocase.tsv" cer)")" \
        "$(awk -v s="${secs[$mode]}" -v n="$pages" 'BEGIN { print s / n }')"
done
{
    printf 'mode\tpages\tgt_chars\tcer\twer\tcer_nocase\n'
    for mode in ctx noctx; do
        printf '%s\t%s\t%s\t%s\t%s\t%s\n' $mode "$pages" \
            "$(total "$out/$mode.tsv" gt_chars)" "$(total "$out/$mode.tsv" cer)" \
            "$(total "$out/$mode.tsv" wer)" "$(total "$out/$mode.nocase.tsv" cer)"
    done
} >"$out/summary.tsv"
echo "  (per-page numbers: $out/ctx.tsv, $out/noctx.tsv; summary: $out/summary.tsv)"
