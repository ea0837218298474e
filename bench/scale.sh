#!/bin/bash
# bench/scale.sh - `make bench-scale`: does a big job keep a constant time
# per page and constant worker memory, and do 2 workers give ~2x?
#
#   bench/scale.sh [BUILD_DIR] [INKPIPE]
#
# Environment: BENCH_SCALE_PAGES=N (default 2000), BENCH_SCALE_DPI
# (default 150), BENCH_MODEL=F (default models/inkpipe.model).
#
# Design: 20 distinct small pages (half an A4, composed from Chars74K
# writers 041-045, else Hershey) are hard-linked N/20 times each into one
# input folder of N files, and one job runs over it, first with 1 worker,
# then with 2. While it runs, a sampler notes every 0.5 s the pages done
# (the "item output" lines of INKPIPE_TIMINGS) and the resident memory of
# every inkpipe process (the run, the workers and their stage processes,
# from /proc). The report gives, for the windows up to N/4, N/2 and N
# pages, the wall time per page, the stage CPU per page and the largest
# RSS of any one inkpipe process, then the 2-worker / 1-worker speedup.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top/build}
inkpipe=${2:-$top/inkpipe}
case $build in /*) ;; *) build=$top/$build ;; esac
case $inkpipe in /*) ;; *) inkpipe=$top/$inkpipe ;; esac
N=${BENCH_SCALE_PAGES:-2000}
dpi=${BENCH_SCALE_DPI:-150}
res=$top/bench/results/scale
src=$top/bench/pages/scale-$dpi
export OPENBLAS_NUM_THREADS=1 LC_ALL=C
die() { echo "bench-scale: $*" >&2; exit 1; }
[ "$N" -ge 20 ] || die "BENCH_SCALE_PAGES must be >= 20"

model=${BENCH_MODEL:-$top/models/inkpipe.model}
if [ ! -f "$model" ]; then
    mkdir -p "$res"
    model=$res/untrained.model
    "$build/tools/rec_model" create "$model" >/dev/null || die "rec_model create failed"
    echo "bench-scale: no trained model; an untrained one (speed only)" >&2
fi

data=${INKPIPE_CHARS74K:-$top/../shared/data/chars74k-hnd}
if [ -d "$data/Img" ] || [ -f "$data/labels.csv" ]; then
    csrc="--source chars74k --writers 041-045 --data $data"
else
    csrc="--source hershey"
fi
stamp="compose --pages 20 --seed 77 --size small --dpi $dpi $csrc --paper grey --noise 3"
if [ ! -f "$src/STAMP" ] || [ "$(cat "$src/STAMP")" != "$stamp" ]; then
    rm -rf "$src"
    echo "bench-scale: composing 20 small pages ($csrc) ..." >&2
    # shellcheck disable=SC2086
    nice -n 10 "$build/tools/compose" --out "$src" --pages 20 --seed 77 \
        --size small --dpi "$dpi" $csrc --paper grey --noise 3 >/dev/null ||
        die "compose failed"
    echo "$stamp" >"$src/STAMP"
fi
rm -rf "$res"
mkdir -p "$res/in"
# one process for all the links (perl-base is part of every Debian)
perl -e 'my ($dir, $n, @src) = @ARGV;
    for my $i (0 .. $n - 1) {
        link($src[$i % @src], sprintf("%s/p%05d.png", $dir, $i))
            or die "link: $!\n";
    }' "$res/in" "$N" "$src"/page-*.png || die "cannot link pages into $res/in"

tree_pids() { # PID: its descendants
    local c
    for c in $(pgrep -P "$1" 2>/dev/null); do
        echo "$c"
        tree_pids "$c"
    done
}

# sample W: run the job with W workers, sampling progress and RSS.
sample() {
    local w=$1 d=$res/w$1
    mkdir -p "$d"
    cat >"$d/job.yaml" <<EOF
name: scale
input:
  paths: ["$res/in"]
output:
  dir: "$d/out"
  formats: [txt, hocr]
spool: "$d/spool"
recognize:
  model: "$model"
EOF
    local t0
    t0=$(date +%s.%N)
    INKPIPE_TIMINGS=$d/timings /usr/bin/time -f "%e %U %S %M" -o "$d/time" \
        "$inkpipe" run "$d/job.yaml" --workers "$w" --quiet &
    local tp=$!
    : >"$d/samples"
    while kill -0 $tp 2>/dev/null; do
        local now done rss
        now=$(date +%s.%N)
        done=$(grep -c '^item output ' "$d/timings" 2>/dev/null)
        # largest RSS (kB) of any process under the run
        rss=0
        for p in $(tree_pids $tp); do
            r=$(awk '/^VmRSS/ {print $2}' "/proc/$p/status" 2>/dev/null)
            [ -n "$r" ] && [ "$r" -gt "$rss" ] && rss=$r
        done
        echo "$(awk -v a="$now" -v b="$t0" 'BEGIN {printf "%.2f", a - b}') ${done:-0} $rss" >>"$d/samples"
        sleep 0.5
    done
    wait $tp || echo "bench-scale: run with $w workers failed" >&2
    echo "$(awk -v b="$t0" -v a="$(date +%s.%N)" 'BEGIN {printf "%.2f", a - b}') $(grep -c '^item output ' "$d/timings") 0" >>"$d/samples"
}

echo "bench-scale: $N pages, 1 worker ..." >&2
sample 1
echo "bench-scale: $N pages, 2 workers ..." >&2
sample 2

{
echo "== inkpipe bench-scale: $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "machine: $(lscpu | sed -n 's/^Model name: *//p' | head -1), $(getconf _NPROCESSORS_ONLN) cores; load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "job: $N pages (20 distinct half-A4 pages at $dpi dpi, hard-linked), txt + hOCR"
for w in 1 2; do
    d=$res/w$w
    read -r wall user sys maxrss <"$d/time"
    echo
    echo "-- $w worker(s): $wall s wall, $(awk -v u="$user" -v s="$sys" -v n="$N" 'BEGIN {printf "%.1f", 1000 * (u + s) / n}') CPU ms/page, peak RSS of one process $((maxrss / 1024)) MB"
    printf "  %-14s %12s %14s %12s\n" "pages" "wall ms/page" "stage CPU ms/p" "max RSS MB"
    prev=0
    for mark in $((N / 4)) $((N / 2)) $N; do
        # window (prev, mark]: wall from the samples, CPU from the stage
        # lines of the pages' items in log order, RSS from the samples
        awk -v lo="$prev" -v hi="$mark" '
            { t = $1; d = $2; r = $3
              if (d <= lo) { t0 = t; d0 = d }
              if (d <= hi) { t1 = t; d1 = d }
              if (d > lo && d <= hi && r > mx) mx = r
              if (d >= lo && d <= hi && r > mx) mx = r }
            END { printf "%s %s %s\n", (d1 > d0) ? 1000 * (t1 - t0) / (d1 - d0) : 0,
                  mx / 1024, d1 }' "$d/samples" >"$d/win"
        read -r wpp rssmb got <"$d/win"
        cpu=$(awk -v lo="$prev" -v hi="$mark" '
            $1 == "item" && $2 == "output" { k++ }
            $1 == "stage" && k >= lo && k < hi { c += $5 }
            END { printf "%.1f", (hi > lo) ? c / (hi - lo) : 0 }' "$d/timings")
        printf "  %-14s %12.1f %14s %12.1f\n" "$prev-$mark" "$wpp" "$cpu" "$rssmb"
        prev=$mark
    done
done
w1=$(cut -d' ' -f1 "$res/w1/time")
w2=$(cut -d' ' -f1 "$res/w2/time")
echo
echo "2 workers / 1 worker: $(awk -v a="$w1" -v b="$w2" 'BEGIN {printf "%.2fx", a / b}') pages/s (wall; needs 2 otherwise idle cores)"
} | tee "$res/report.txt"
rm -rf "$res/in" "$res"/w?/spool
