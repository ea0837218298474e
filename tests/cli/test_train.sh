#!/usr/bin/env bash
# test_train.sh - `inkpipe train` and `inkpipe eval` on a tiny labelled set
# drawn here with ImageMagick (a bar "1", a ring "0", a cross "X"; five
# writers who differ in size, pen and slant): the writer split, a learnt
# model, reproducibility per seed, the metadata, the eval report, and bad
# usage / bad data exit codes.
source "$(dirname "$0")/lib.sh"
BUILD_DIR=${BUILD_DIR:-$TOP/build}
T=$TEST_TMPDIR
G=$T/glyphs
mkdir -p "$G/1" "$G/0" "$G/upper_X"
for w in 1 2 3 4 5; do
    s=$((30 + 8 * w)); p=$((2 + w)); h=$((s / 2)); q=$((s - 6))
    for v in 1 2 3; do
        name=$(printf 'img%03d-%03d' "$v" "$w")
        r=$(( (v * 7 + w * 3) % 11 - 5 ))
        convert -size ${s}x${s} xc:white -fill none -stroke black -strokewidth $p \
            -draw "rotate $r line $h,6 $h,$q" "$G/1/$name.png"
        convert -size ${s}x${s} xc:'#e8e8e8' -fill none -stroke '#202020' \
            -strokewidth $p -draw "ellipse $h,$h $((h - 6 - v)),$((h - 5)) 0,360" \
            "$G/0/$name.png"
        convert -size ${s}x${s} xc:white -stroke black -strokewidth $p \
            -draw "rotate $r line 6,6 $q,$q" -draw "rotate $r line $q,6 6,$q" \
            "$G/upper_X/$name.png"
    done
done

train() { # OUT [more args]: a small, quick run
    local out=$1; shift
    "$INKPIPE" train --dir "$G" --val-writers 004 --test-writers 005 \
        --epochs 6 --arch c8b,p,c16b,p,f32,f62 --repeat image=20 --seed 3 \
        -o "$out" "$@"
}

train "$T/a.model" 2>"$T/a.err"
rc=$?
check train__tiny_set__exit_0 test "$rc" -eq 0
check train__tiny_set__model_written test -s "$T/a.model"
check train__progress__epochs_and_val_on_stderr \
    grep -q 'epoch   6/6 .* val [0-9.]*%' "$T/a.err"
# writers 1-3 train (3 classes x 3 images x 3 writers), 4 validates, 5 never
check train__writer_split__counts grep -q 'train 27 .* validation 9 ' "$T/a.err"
check train__metadata__records_command_and_val \
    sh -c "'$BUILD_DIR/tools/rec_model' info '$T/a.model' | grep -q 'command: inkpipe train --dir' &&
           '$BUILD_DIR/tools/rec_model' info '$T/a.model' | grep -q 'validation writers 004'"

# per-epoch curves beside the model: a header and one row per epoch
check train__curves__tsv_header_and_six_rows \
    sh -c "test \$(wc -l <'$T/a.model.curves.tsv') -eq 7 &&
           head -1 '$T/a.model.curves.tsv' | grep -q '^epoch	train_loss	train_acc_pct	val_acc_pct	elapsed_s$' &&
           sed -n 7p '$T/a.model.curves.tsv' | grep -Eq '^6	[0-9.]+	[0-9.]+	[0-9.]+	[0-9.]+$'"
check train__curves__svg_beside_model \
    sh -c "head -c 5 '$T/a.model.curves.svg' | grep -q '<svg' && grep -q '</svg>' '$T/a.model.curves.svg'"
"$INKPIPE" train --dir "$G" --val-writers none --test-writers 005 --epochs 1 \
    --arch c8b,p,f16,f62 --repeat image=2 -o "$T/one.model" 2>/dev/null
check train__one_epoch_no_val__one_row_with_dash \
    sh -c "test \$(wc -l <'$T/one.model.curves.tsv') -eq 2 &&
           sed -n 2p '$T/one.model.curves.tsv' | grep -Eq '^1	[0-9.]+	[0-9.]+	-	[0-9.]+$'"

# --init: fine-tune from a model (its network), recorded in the metadata
"$INKPIPE" train --dir "$G" --val-writers 004 --test-writers 005 --epochs 1 \
    --repeat image=4 --lr 0.0005 --init "$T/a.model" -o "$T/ft.model" 2>"$T/ft.err"
check train__init__exit_0_fine_tuned_in_metadata \
    sh -c "test $? -eq 0 && grep -q 'starting from .*a.model' '$T/ft.err' &&
           '$BUILD_DIR/tools/rec_model' info '$T/ft.model' | grep -q 'fine-tuned from .*a.model' &&
           '$BUILD_DIR/tools/rec_model' info '$T/ft.model' | grep -q 'c8,p,c16,p,f32,f62'"
"$INKPIPE" train --dir "$G" --init "$T/a.model" --arch c8b,p,f62 -o "$T/x.model" 2>/dev/null
check train__init_with_arch__exit_2 test $? -eq 2
"$INKPIPE" train --dir "$G" --init "$T/nowhere.model" -o "$T/x.model" 2>"$T/fi.err"
check train__init_missing_model__exit_1_named \
    sh -c "test $? -eq 1 && grep -q nowhere.model '$T/fi.err'"

# the output path is part of the recorded command: same name, two folders
mkdir -p "$T/r1" "$T/r2"
(cd "$T/r1" && train m.model 2>/dev/null)
(cd "$T/r2" && train m.model 2>/dev/null)
check train__same_seed__same_model cmp -s "$T/r1/m.model" "$T/r2/m.model"
(cd "$T/r2" && train m.model --seed 4 2>/dev/null)
check train__other_seed__other_model test -s "$T/r2/m.model" -a -n "$(cmp "$T/r1/m.model" "$T/r2/m.model")"

# eval on the held-out writer 5 (a separate folder with its glyphs only)
mkdir -p "$T/held/1" "$T/held/0" "$T/held/upper_X"
for c in 1 0 upper_X; do cp "$G/$c"/img*-005.png "$T/held/$c/"; done
out=$("$INKPIPE" eval --model "$T/a.model" --dir "$T/held" 2>"$T/e.err")
rc=$?
check eval__held_out__exit_0 test "$rc" -eq 0
check eval__report__result_line \
    sh -c "printf '%s\n' \"\$1\" | grep -Eq '^RESULT dir n=9 top1=[0-9.]+ merged=[0-9.]+ digits=[0-9.]+$'" _ "$out"
top1=$(printf '%s\n' "$out" | sed -n 's/^RESULT dir .*top1=\([0-9]*\).*/\1/p')
check eval__learnt_model__most_held_out_right test "${top1:-0}" -ge 66
check eval__report__confusions_section \
    sh -c "printf '%s\n' \"\$1\" | grep -q 'top confusions'" _ "$out"
dig=$("$INKPIPE" eval --model "$T/a.model" --dir "$T/held" --charset digits)
check eval__charset_digits__only_digit_glyphs \
    sh -c "printf '%s\n' \"\$1\" | grep -q '^RESULT dir n=6 '" _ "$dig"

# bad usage: exit 2; bad data: exit 1 with the file named
"$INKPIPE" train -o "$T/x.model" 2>"$T/u.err"
check train__no_data__exit_2 test $? -eq 2
"$INKPIPE" train --dir "$G" --epochs zero 2>/dev/null
check train__bad_epochs__exit_2 test $? -eq 2
"$INKPIPE" train --dir "$G" --frobnicate 2>/dev/null
check train__unknown_option__exit_2 test $? -eq 2
"$INKPIPE" train --dir "$T/nowhere" -o "$T/x.model" 2>"$T/n.err"
check train__missing_dir__exit_1_named \
    sh -c "test $? -eq 1 && grep -q nowhere '$T/n.err'"
check train__failed__no_model_left test ! -e "$T/x.model"
mkdir -p "$T/badset/1" && echo "not an image" >"$T/badset/1/g.png"
"$INKPIPE" train --dir "$T/badset" -o "$T/x.model" 2>"$T/b.err"
check train__unreadable_image__exit_1_named \
    sh -c "test $? -eq 1 && grep -q 'badset/1/g.png' '$T/b.err'"
echo "not a font" >"$T/broken.ttf"
"$INKPIPE" train --dir "$G" --ttf "$T/broken.ttf" -o "$T/x.model" 2>"$T/f.err"
check train__ttf_not_a_font__exit_1_named \
    sh -c "test $? -eq 1 && grep -q 'broken.ttf: not a font' '$T/f.err'"
"$INKPIPE" train --dir "$G" --repeat ttf=0 -o "$T/x.model" 2>/dev/null
check train__repeat_ttf_0__exit_2 test $? -eq 2
# an outline font alone is training data (DejaVu Sans: Debian base image)
DEJAVU=/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf
if [ -r "$DEJAVU" ]; then
    "$INKPIPE" train --ttf "$DEJAVU" --epochs 1 --arch c4,p,f62 \
        -o "$T/ttf.model" 2>"$T/t.err"
    check train__ttf_only__exit_0_62_glyphs \
        sh -c "test $? -eq 0 && grep -q 'outline fonts: 1 read, 62 glyphs' '$T/t.err' \
               && grep -q 'outline fonts 62)' '$T/t.err'"
else
    echo "SKIP train__ttf_only__exit_0_62_glyphs ($DEJAVU not installed)"
fi
"$INKPIPE" eval --model "$T/a.model" 2>/dev/null
check eval__no_data__exit_2 test $? -eq 2
"$INKPIPE" eval --model "$T/nomodel" --dir "$T/held" 2>/dev/null
check eval__missing_model__exit_1 test $? -eq 1
"$INKPIPE" train --help | grep -q -- '--val-writers'
check train__help__exit_0 test "${PIPESTATUS[0]}" -eq 0
"$INKPIPE" eval --help | grep -q -- '--writers'
check eval__help__exit_0 test "${PIPESTATUS[0]}" -eq 0
