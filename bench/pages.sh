#!/bin/bash
# bench/pages.sh - the benchmark's page set, generated once and cached.
#
#   bench/pages.sh DIR NPAGES
#
# Writes DIR/grey/page-NNN.png (8 bpp grey, 300 dpi A4) with
# page-NNN.gt.txt, DIR/g4/page-NNN.tif (the same pages, bilevel CCITT G4)
# and DIR/pnm/page-NNN.pgm (the grey pages as PGM, for ocrad and gocr,
# which read only PNM). The pages are composed by build/tools/compose from
# Chars74K writers 041-045 (held out from training) with mild scan
# degradations; without the data set they come from the Hershey fonts and
# DIR/SOURCE says so. A page set is reused when DIR/STAMP matches the
# command that would make it.
set -eu
dir=$1
n=$2
top=$(cd "$(dirname "$0")/.." && pwd)
compose=$top/build/tools/compose
seed=${BENCH_SEED:-2026}
data=${INKPIPE_CHARS74K:-$top/../shared/data/chars74k-hnd}
# Degradations of a decent flatbed scan: grey paper with a smooth
# variation, slight skew, a little blur and noise, a few specks, and some
# field values in boxes / on underlines / in comb fields.
degr="--paper grey --skew 2 --blur 1 --noise 4 --specks 8 --boxes 0.2"
if [ -f "$data/labels.csv" ] || ls "$data"/Sample001 >/dev/null 2>&1; then
    src="--source chars74k --writers 041-045 --data $data"
    source="chars74k writers 041-045"
else
    src="--source hershey"
    source="hershey (Chars74K not found at $data)"
fi
args="--pages $n --seed $seed $src $degr"
stamp="compose $args"
if [ -f "$dir/STAMP" ] && [ "$(cat "$dir/STAMP")" = "$stamp" ]; then
    exit 0
fi
echo "bench: composing $n pages ($source) into $dir ..." >&2
rm -rf "$dir"
mkdir -p "$dir"
# shellcheck disable=SC2086
nice -n 10 "$compose" --out "$dir/grey" $args >/dev/null
# shellcheck disable=SC2086
nice -n 10 "$compose" --out "$dir/g4" $args --format g4 >/dev/null
rm -f "$dir"/g4/*.gt.txt # identical to grey/'s
mkdir -p "$dir/pnm"
for f in "$dir"/grey/*.png; do
    b=$(basename "$f" .png)
    convert "$f" -depth 8 "pgm:$dir/pnm/$b.pgm"
done
echo "$source" >"$dir/SOURCE"
echo "$stamp" >"$dir/STAMP"
