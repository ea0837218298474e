#!/usr/bin/env bash
# test_determinism.sh - the same job run twice gives the same bytes.
#
# A job over a few dozen small generated pages of assorted sizes (16 x 16
# up to 800 x 400; many 240 x 120 pages, the size on which the XY-cut block
# map of segment/seg_lines.c read past its end: a stray block number
# printed "7\n\n4" in one run of a job and "7\n4" in another) plus
# samples/, with the bundled model, is run into two output folders with
# their own spools, once with two workers and once with one; every output
# file must be identical. The same pages through `inkpipe ocr` twice must
# be identical too, and give the job's text.
. "$(dirname "$0")/lib.sh"

B=${BUILD_DIR:-$TOP/build}
MKPAGE=$B/tools/mkpage
T=$TEST_TMPDIR
MODEL=$TOP/models/inkpipe.model
unset INKPIPE_MODEL

# --- inputs ------------------------------------------------------------------
mkdir -p "$T/in/small" "$T/in/sizes"
ok=1
for s in $(seq 1 24); do
    "$MKPAGE" --size 240x120 --seed "$s" "$T/in/small/p$s.png" || ok=0
done
i=0
for size in 16x16 24x40 40x24 64x64 100x40 120x240 160x90 200x60 320x100 \
    400x160 480x240 640x200 800x400; do
    i=$((i + 1))
    "$MKPAGE" --size "$size" --seed $((100 + i)) "$T/in/sizes/s$size.png" || ok=0
done
"$MKPAGE" --size 300x150 --seed 201 --pages 3 "$T/in/sizes/multi.tif" || ok=0
"$MKPAGE" --size 360x180 --seed 202 "$T/in/sizes/grey.pgm" || ok=0
"$MKPAGE" --size 360x180 --seed 203 "$T/in/sizes/photo.jpg" || ok=0
cp -r "$TOP/samples" "$T/in/samples" || ok=0
find "$T/in" -name '*.txt' -delete -o -name '*.md' -delete
if [ $ok != 1 ]; then
    fail determinism__setup "mkpage or samples copy failed"
    exit 1
fi
n_images=$(find "$T/in" -type f | wc -l)

job() { # NAME: a job over $T/in into $T/NAME/out with its own spool
    mkdir -p "$T/$1"
    cat >"$T/$1/job.yaml" <<EOF
name: det
input:
  paths: [$T/in]
output:
  dir: out
  formats: [txt, hocr, pdf]
spool: spool
recognize:
  model: $MODEL
EOF
}

# --- the same job twice --------------------------------------------------------
# The second run also has glibc fill fresh and freed heap memory
# (MALLOC_PERTURB_), so a read of memory never written comes out different
# even in a build without ASan (under ASan it is ignored: ASan reports it).
job run1
job run2
"$INKPIPE" run "$T/run1/job.yaml" --workers 2 >"$T/run1.log" 2>&1
rc1=$?
MALLOC_PERTURB_=165 "$INKPIPE" run "$T/run2/job.yaml" --workers 1 >"$T/run2.log" 2>&1
rc2=$?
check run__twice__both_exit_0 test "$rc1" = 0 -a "$rc2" = 0
[ "$rc1" = 0 ] || sed 's/^/    run1: /' "$T/run1.log" | tail -n 20
[ "$rc2" = 0 ] || sed 's/^/    run2: /' "$T/run2.log" | tail -n 20
n_out=$(find "$T/run1/out" -name '*.txt' | wc -l)
check run__every_input__text_written test "$n_out" = "$n_images"
check run__text__not_all_empty test -n "$(find "$T/run1/out" -name '*.txt' -size +0c)"
if diff -r "$T/run1/out" "$T/run2/out" >"$T/diff.log" 2>&1; then
    pass run__twice_2_and_1_workers__byte_identical_outputs
else
    fail run__twice_2_and_1_workers__byte_identical_outputs
    head -n 40 "$T/diff.log" | sed 's/^/    /'
fi

# --- inkpipe ocr twice -----------------------------------------------------------
mapfile -t imgs < <(find "$T/in/small" "$T/in/sizes" -type f | sort)
"$INKPIPE" ocr --model "$MODEL" -o "$T/ocr1" "${imgs[@]}" >"$T/ocr1.log" 2>&1
rc1=$?
"$INKPIPE" ocr --model "$MODEL" -o "$T/ocr2" "${imgs[@]}" >"$T/ocr2.log" 2>&1
rc2=$?
check ocr__twice__both_exit_0 test "$rc1" = 0 -a "$rc2" = 0
[ "$rc1" = 0 ] || tail -n 20 "$T/ocr1.log" | sed 's/^/    ocr1: /'
if diff -r "$T/ocr1" "$T/ocr2" >"$T/diff2.log" 2>&1; then
    pass ocr__twice__byte_identical_outputs
else
    fail ocr__twice__byte_identical_outputs
    head -n 40 "$T/diff2.log" | sed 's/^/    /'
fi
# the one-shot command and the job read the same text
same=1
for f in "${imgs[@]}"; do
    rel=${f#"$T/in/"}
    base=$(basename "${f%.*}")
    cmp -s "$T/ocr1/$base.txt" "$T/run1/out/${rel%.*}.txt" || { same=0; echo "    differs: $rel"; }
done
check ocr_and_run__same_pages__same_text test $same = 1
