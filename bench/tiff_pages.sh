#!/bin/bash
# bench/tiff_pages.sh - is a multi-page TIFF linear in its page count?
#
#   bench/tiff_pages.sh [INKPIPE] [PAGES...]      (default: ./inkpipe 500 2000 8000)
#
# Design: one small page (360 x 200 px, 300 dpi, Deflate, drawn by
# build/tools/mkpage) is copied PAGES times into one TIFF with tiffcp
# (libtiff-tools, `tools/deps.sh bench`), and `inkpipe run` reads it with
# one worker and a tiny untrained model (build/tools/rec_model), so that the
# cost of finding each page in the file is not hidden by recognition. The
# time of the whole run is measured with /usr/bin/time (wall, and the CPU
# of the run, its workers and their stage processes). INKPIPE_FSYNC=0.
# Results stay in bench/results/tiff/ (git-ignored).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
inkpipe=${1:-$top/inkpipe}
shift $(($# > 0 ? 1 : 0))
case $inkpipe in /*) ;; *) inkpipe=$top/$inkpipe ;; esac
pages=("$@")
[ ${#pages[@]} -gt 0 ] || pages=(500 2000 8000)
res=$top/bench/results/tiff
export OPENBLAS_NUM_THREADS=1 INKPIPE_FSYNC=0 LC_ALL=C
die() { echo "tiff_pages: $*" >&2; exit 1; }
command -v tiffcp >/dev/null || die "tiffcp missing: tools/deps.sh bench"
[ -x /usr/bin/time ] || die "/usr/bin/time missing: tools/deps.sh bench"

mkdir -p "$res"
[ -f "$res/one.tif" ] || "$top/build/tools/mkpage" --size 360x200 --seed 3 "$res/one.tif" ||
    die "mkpage failed (make first)"
[ -f "$res/m.model" ] || "$top/build/tools/rec_model" create --arch c4,p,c8,p,f62 --seed 1 \
    "$res/m.model" >/dev/null || die "rec_model failed"
echo "inkpipe: $inkpipe; $(nproc) CPUs; $(date -u '+%Y-%m-%d %H:%M UTC')"
for n in "${pages[@]}"; do
    d=$res/p$n
    rm -rf "$d"
    mkdir -p "$d/in"
    args=()
    for ((i = 0; i < n; i++)); do args+=("$res/one.tif"); done
    tiffcp "${args[@]}" "$d/in/m.tif" || die "tiffcp failed"
    printf 'input:\n  paths: [in]\noutput:\n  dir: out\nrecognize:\n  model: %s\n' \
        "$res/m.model" >"$d/job.yaml"
    load=$(cut -d' ' -f1 /proc/loadavg)
    t=$( { /usr/bin/time -f '%e %U %S %M' "$inkpipe" run "$d/job.yaml" --quiet; } 2>&1 | tail -n 1)
    read -r wall user sys rss <<<"$t"
    pages_out=$(grep -c 'class=.ocr_page' "$d/out/m.hocr" 2>/dev/null)
    awk -v n="$n" -v w="$wall" -v u="$user" -v s="$sys" -v r="$rss" -v l="$load" -v o="${pages_out:-0}" \
        'BEGIN { printf "%6d pages: %8.2f s wall, %8.2f s CPU (%.2f ms/page), peak RSS %d KB, load %s before; %d pages in the hOCR\n",
                 n, w, u + s, 1000 * (u + s) / n, r, l, o }'
done
