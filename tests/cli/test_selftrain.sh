#!/usr/bin/env bash
# test_selftrain.sh - self-training (tools/selftrain.sh, build/tools/
# selftrain_glyphs): the gold set's crops (every 30th from TRAIN_00001) are
# never listed; a crop read as a lexicon name gives one labelled glyph
# picture per letter; a printed form word, a name not in the lexicon or
# seen too rarely gives nothing. Crops are typed here with ImageMagick
# (spaced capitals, as the name fields are written).
source "$(dirname "$0")/lib.sh"
BUILD_DIR=${BUILD_DIR:-$TOP/build}
T=$TEST_TMPDIR
IM=$T/data/names-train/images
mkdir -p "$IM"
crop() { # FILE TEXT
    convert -size 300x40 xc:white -font DejaVu-Sans -pointsize 26 -fill black \
        -annotate +10+30 "$2" -quality 92 "$1"
}
printf 'name\tcount\nLAURA\t50\nNOM\t40\nANNE\t5\n' >"$T/data/names-train/names-lexicon.tsv"
crop "$IM/TRAIN_00001.jpg" 'L  A  U  R  A'
for i in $(seq 2 62); do cp "$IM/TRAIN_00001.jpg" "$IM/$(printf 'TRAIN_%05d.jpg' "$i")"; done

# 1. the list never holds a gold-set crop
list=$("$TOP/tools/selftrain.sh" --data "$T/data" --out "$T/st" --list-only 2>"$T/l.err")
check selftrain_list__gold_crops__left_out \
    sh -c "test \$(wc -l <'$list') -eq 59 &&
           ! grep -Eq 'TRAIN_000(01|31|61)\\.jpg' '$list' &&
           grep -q 'TRAIN_00002.jpg' '$list' && grep -q 'TRAIN_00062.jpg' '$list'"
check selftrain_list__says_how_many_left_out grep -q '^selftrain: 3 gold-set crops left out' "$T/l.err"

# 2. glyphs from the readings that are known names
crop "$T/nom.jpg" 'N  O  M'
crop "$T/paul.jpg" 'P  A  U  L'
crop "$T/anne.jpg" 'A  N  N  E'
printf '%s\n' "$IM/TRAIN_00002.jpg" "$T/nom.jpg" "$T/paul.jpg" "$T/anne.jpg" >"$T/few.txt"
"$BUILD_DIR/tools/selftrain_glyphs" --model "$TOP/models/inkpipe.model" \
    --lm "$TOP/models/en-fr.lm" --lexicon "$T/data/names-train/names-lexicon.tsv" \
    --list "$T/few.txt" -o "$T/g" >"$T/g.out" 2>"$T/g.err"
check selftrain_glyphs__run__exit_0 test $? -eq 0
check selftrain_glyphs__known_name__one_glyph_per_letter \
    sh -c "test \"\$(sed 1d '$T/g/selftrain.csv' | cut -d, -f2 | tr -d '\n')\" = LAURA"
check selftrain_glyphs__csv_paths__pictures_exist \
    sh -c "cd '$T/g' && sed 1d selftrain.csv | cut -d, -f1 | xargs -n1 test -s"
check selftrain_glyphs__readings__every_crop_once \
    sh -c "test \$(sed 1d '$T/g/readings.tsv' | wc -l) -eq 4"
check selftrain_glyphs__form_word_rare_or_unknown__not_taken \
    sh -c "grep -P '^(nom|paul|anne)\t' '$T/g/readings.tsv' | cut -f4 | sort -u | grep -qx 0 &&
           test \$(grep -P '^(nom|paul|anne)\t' '$T/g/readings.tsv' | cut -f4 | sort -u | wc -l) -eq 1"
check selftrain_glyphs__rare_name__taken_with_lower_min_count \
    sh -c "'$BUILD_DIR/tools/selftrain_glyphs' --model '$TOP/models/inkpipe.model' \
             --lexicon '$T/data/names-train/names-lexicon.tsv' --list '$T/few.txt' \
             -o '$T/g2' --min-count 2 >/dev/null 2>&1 &&
           grep -q ',E\$' '$T/g2/selftrain.csv'"
"$BUILD_DIR/tools/selftrain_glyphs" --model "$TOP/models/inkpipe.model" 2>/dev/null
check selftrain_glyphs__missing_options__exit_2 test $? -eq 2

# 3. the fine-tune's arguments (an inkpipe stand-in records them):
# --letters keeps only those letters' glyphs, --no-train-on-val leaves the
# validation writers out, --no-glyphs trains on the recipe alone
cat >"$T/fake-inkpipe" <<'SH'
#!/bin/sh
printf '%s\n' "$@" >"$FAKE_ARGS"
SH
chmod +x "$T/fake-inkpipe"
FAKE_ARGS=$T/args1 "$TOP/tools/selftrain.sh" --data "$T/data" --out "$T/st1" \
    --build "$BUILD_DIR" --inkpipe "$T/fake-inkpipe" --letters LR >"$T/s1.out" 2>&1
check selftrain__letters__only_those_glyphs \
    sh -c "grep -qx -- '--train-on-val' '$T/args1' &&
           grep -qx '$T/st1/selftrain-letters.csv' '$T/args1' &&
           test \"\$(sed 1d '$T/st1/selftrain-letters.csv' | cut -d, -f2 | sort -u | tr -d '\n')\" = LR"
FAKE_ARGS=$T/args2 "$TOP/tools/selftrain.sh" --data "$T/data" --out "$T/st2" \
    --build "$BUILD_DIR" --inkpipe "$T/fake-inkpipe" --no-glyphs --no-train-on-val \
    >"$T/s2.out" 2>&1
check selftrain__no_glyphs_no_val__recipe_alone \
    sh -c "! grep -qx -- '--train-on-val' '$T/args2' && ! grep -qx -- '--csv' '$T/args2' &&
           grep -qx -- '--init' '$T/args2' && test ! -e '$T/st2/selftrain.csv'"
FAKE_ARGS=$T/args3 "$TOP/tools/selftrain.sh" --data "$T/data" --out "$T/st3" \
    --build "$BUILD_DIR" --inkpipe "$T/fake-inkpipe" --no-glyphs --freeze-conv \
    >"$T/s3.out" 2>&1
check selftrain__freeze_conv__passed_to_train grep -qx -- '--freeze-conv' "$T/args3"
# --scratch trains anew on the recipe and the glyphs (how `make model`
# builds the bundled model): no --init, no --lr unless one is given
FAKE_ARGS=$T/args4 "$TOP/tools/selftrain.sh" --data "$T/data" --out "$T/st4" \
    --build "$BUILD_DIR" --inkpipe "$T/fake-inkpipe" --scratch --epochs 24 \
    >"$T/s4.out" 2>&1
check selftrain__scratch__trains_anew_with_glyphs \
    sh -c "! grep -qx -- '--init' '$T/args4' && ! grep -qx -- '--lr' '$T/args4' &&
           grep -qx '$T/st4/selftrain.csv' '$T/args4' &&
           grep -A1 -x -- '--epochs' '$T/args4' | grep -qx 24"
FAKE_ARGS=$T/args5 "$TOP/tools/selftrain.sh" --data "$T/data" --out "$T/st5" \
    --build "$BUILD_DIR" --inkpipe "$T/fake-inkpipe" --scratch --lr 0.001 \
    >"$T/s5.out" 2>&1
check selftrain__scratch_with_lr__lr_passed \
    sh -c "! grep -qx -- '--init' '$T/args5' && grep -A1 -x -- '--lr' '$T/args5' | grep -qx 0.001"
