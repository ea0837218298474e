#!/bin/bash
# bench/bench.sh - `make bench`: inkpipe against tesseract, ocrad and gocr
# on composed handprinted pages; speed, memory, CER/WER, where inkpipe's
# time goes, and the CNN against the sgemm bound.
#
#   bench/bench.sh [BUILD_DIR] [INKPIPE]      (make bench passes both)
#
# Environment:
#   BENCH_PAGES=N    pages in the set (default 10; cached in bench/pages/)
#   BENCH_ROUNDS=R   rounds; each round runs every system once, in an
#                    order that alternates between rounds (default 2)
#   BENCH_MODEL=F    classifier (default: inkpipe's default model; without
#                    one, an untrained model: speed only, CER meaningless)
#   BENCH_SYSTEMS    systems to run (default all: "inkpipe1 inkpipe2
#                    inkpipe_g4 tesseract ocrad gocr")
#   BENCH_CORETYPES=1  also rerun the CNN bench per OPENBLAS_CORETYPE
#
# Design: every system reads the same pages; the runs of one round follow
# each other, and the order is reversed every other round, so a busy
# machine hurts all of them alike. Each run is one /usr/bin/time over the
# whole page set: wall, user + system CPU of the process tree, and the
# peak RSS of the largest single process. The CPU time is the primary
# number (the machine is shared); pages/s is also given per core as
# 1 / (CPU s/page). For each system the round with the least CPU time
# counts. ocrad and gocr read only PNM: the PNG pages are converted to
# PGM once, outside the timing (bench/pages.sh). CER/WER come from
# build/tools/cer (whitespace runs count as one space). The engines'
# own chatter on stderr goes to RESULTS/SYSTEM/stderr. Results are kept in bench/results/bench/ (git-ignored); the report is
# also written to bench/results/bench/report.txt.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top/build}
inkpipe=${2:-$top/inkpipe}
case $build in /*) ;; *) build=$top/$build ;; esac
case $inkpipe in /*) ;; *) inkpipe=$top/$inkpipe ;; esac
npages=${BENCH_PAGES:-10}
rounds=${BENCH_ROUNDS:-2}
systems=${BENCH_SYSTEMS:-inkpipe1 inkpipe2 inkpipe_g4 tesseract ocrad gocr}
pages=$top/bench/pages/a4-$npages
res=$top/bench/results/bench
export OPENBLAS_NUM_THREADS=1 OMP_THREAD_LIMIT=1 LC_ALL=C

die() { echo "bench: $*" >&2; exit 1; }
for t in "$build/tools/compose" "$build/tools/cer" "$build/tools/rec_bench" \
         "$build/tools/bench_stages" "$inkpipe"; do
    [ -x "$t" ] || die "$t missing (run make first)"
done
[ -x /usr/bin/time ] || die "/usr/bin/time missing (apt-get install time)"
for s in $systems; do
    case $s in
    tesseract | ocrad | gocr)
        command -v "$s" >/dev/null || die "$s not installed (tools/deps.sh bench)"
        ;;
    esac
done

"$top/bench/pages.sh" "$pages" "$npages" || die "cannot make the page set"
rm -rf "$res"
mkdir -p "$res"

model=${BENCH_MODEL:-}
model_note=""
if [ -z "$model" ]; then
    for m in "${INKPIPE_MODEL:-}" "$top/models/inkpipe.model"; do
        if [ -n "$m" ] && [ -f "$m" ]; then model=$m; break; fi
    done
fi
if [ -z "$model" ]; then
    model=$res/untrained.model
    "$build/tools/rec_model" create "$model" >/dev/null || die "rec_model create failed"
    model_note=" (UNTRAINED: no trained model found; speed only, inkpipe's CER is meaningless)"
fi

greys=("$pages"/grey/page-*.png)
g4s=("$pages"/g4/page-*.tif)
pgms=("$pages"/pnm/page-*.pgm)
n=${#greys[@]}

job() { # job NAME INPUT_DIR
    cat >"$res/$1.yaml" <<EOF
name: $1
input:
  paths: ["$2"]
output:
  dir: "$res/$1/out"
  formats: [txt, hocr]
spool: "$res/$1/spool"
recognize:
  model: "$model"
EOF
}
job inkpipe1 "$pages/grey"
job inkpipe2 "$pages/grey"
job inkpipe_g4 "$pages/g4"

# run_system NAME ROUND: one timed run over the page set; appends
# "NAME ROUND wall user sys maxrss_kb" to $res/times.
run_system() {
    local s=$1 r=$2 out=$res/$1/out
    rm -rf "$res/$s/out" "$res/$s/spool" "$res/$s/timings.$r"
    mkdir -p "$out"
    local tf=$res/$s/time.$r
    case $s in
    inkpipe1 | inkpipe2 | inkpipe_g4)
        local w=1
        [ "$s" = inkpipe2 ] && w=2
        INKPIPE_TIMINGS=$res/$s/timings.$r /usr/bin/time -f "%e %U %S %M" \
            -o "$tf" "$inkpipe" run "$res/$s.yaml" --workers $w --quiet ||
            echo "bench: $s run failed (round $r)" >&2
        ;;
    tesseract)
        /usr/bin/time -f "%e %U %S %M" -o "$tf" bash -c '
            out=$1; shift
            for f; do b=${f##*/}; b=${b%.*}
                tesseract "$f" "$out/$b" --psm 4 quiet || exit 1
            done' _ "$out" "${greys[@]}" 2>"$res/$s/stderr" ||
            echo "bench: tesseract failed (see $res/$s/stderr)" >&2
        ;;
    ocrad)
        /usr/bin/time -f "%e %U %S %M" -o "$tf" bash -c '
            out=$1; shift
            for f; do b=${f##*/}; b=${b%.*}
                ocrad -F utf8 -o "$out/$b.txt" "$f" || exit 1
            done' _ "$out" "${pgms[@]}" 2>"$res/$s/stderr" ||
            echo "bench: ocrad failed (see $res/$s/stderr)" >&2
        ;;
    gocr)
        /usr/bin/time -f "%e %U %S %M" -o "$tf" bash -c '
            out=$1; shift
            for f; do b=${f##*/}; b=${b%.*}
                gocr -i "$f" -o "$out/$b.txt" || exit 1
            done' _ "$out" "${pgms[@]}" 2>"$res/$s/stderr" ||
            echo "bench: gocr failed (see $res/$s/stderr)" >&2
        ;;
    esac
    echo "$s $r $(tail -1 "$tf")" >>"$res/times"
}

echo "bench: $n pages ($(cat "$pages/SOURCE")), $rounds rounds, model $model$model_note" >&2
sys_arr=($systems)
for ((r = 1; r <= rounds; r++)); do
    order=("${sys_arr[@]}")
    if ((r % 2 == 0)); then # reversed every other round
        order=()
        for ((i = ${#sys_arr[@]} - 1; i >= 0; i--)); do order+=("${sys_arr[$i]}"); done
    fi
    for s in "${order[@]}"; do
        echo "bench: round $r: $s ..." >&2
        run_system "$s" "$r"
    done
done

# CER/WER of each system's last outputs (all runs give the same text).
for s in $systems; do
    args=()
    for g in "${greys[@]}"; do
        b=${g##*/}; b=${b%.png}
        o=$res/$s/out/$b.txt
        [ -f "$o" ] || : >"$o"
        # other engines may write bytes that are not UTF-8: drop them
        iconv -f UTF-8 -t UTF-8 -c "$o" >"$o.u8" 2>/dev/null || cp "$o" "$o.u8"
        args+=("${g%.png}.gt.txt" "$o.u8")
    done
    "$build/tools/cer" --tsv "${args[@]}" >"$res/$s/cer.tsv" ||
        echo "bench: cer failed for $s" >&2
done

# Where inkpipe's time goes: each step in-process, and the pipeline's
# per-stage child CPU from INKPIPE_TIMINGS.
"$build/tools/bench_stages" --model "$model" --tsv "${greys[@]}" \
    >"$res/stages.tsv" 2>"$res/stages.err" || echo "bench: bench_stages failed" >&2
for m in sauvola otsu; do
    mkdir -p "$res/${m}_out"
    "$build/tools/bench_stages" --model "$model" --tsv --method $m \
        -o "$res/${m}_out" "${greys[@]}" >"$res/stages_$m.tsv" 2>>"$res/stages.err"
done
for m in otsu sauvola; do
    args=()
    for g in "${greys[@]}"; do
        b=${g##*/}; b=${b%.png}
        args+=("${g%.png}.gt.txt" "$res/${m}_out/$b.txt")
    done
    "$build/tools/cer" --tsv "${args[@]}" >"$res/${m}_cer.tsv" 2>/dev/null
done
glyphs=$(awk -F'\t' '$1 == "MEAN" {printf "%d", $NF + 0.5}' "$res/stages.tsv")
[ -n "$glyphs" ] && [ "$glyphs" -gt 0 ] || glyphs=400
"$build/tools/rec_bench" --model "$model" --batch "$glyphs" --seconds 2 >"$res/rec_bench.txt" 2>&1
if [ "${BENCH_CORETYPES:-0}" = 1 ]; then
    : >"$res/rec_bench_coretypes.txt"
    for t in SkylakeX Haswell Zen; do # read at library load: one process each
        echo "== OPENBLAS_CORETYPE=$t" >>"$res/rec_bench_coretypes.txt"
        OPENBLAS_CORETYPE=$t "$build/tools/rec_bench" --model "$model" \
            --batch "$glyphs" --seconds 1 >>"$res/rec_bench_coretypes.txt" 2>&1
    done
fi

"$top/bench/report.sh" "$res" "$n" "$systems" "$model$model_note" \
    "$(cat "$pages/SOURCE")" | tee "$res/report.txt"
