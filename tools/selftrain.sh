#!/usr/bin/env bash
# tools/selftrain.sh - self-training on the unlabelled real name crops
# (issue 13; `make model-selftrain`, docs/model.md).
#
#   tools/selftrain.sh [--data DIR] [--model FILE] [--out DIR] [--build DIR]
#                      [--inkpipe BIN] [--epochs E] [--lr X]
#                      [--min-conf C] [--min-count N] [--max-per-class K]
#                      [--letters LIST] [--no-train-on-val] [--no-glyphs]
#                      [--freeze-conv] [--scratch]
#                      [--list-only] [--train-args "ARGS"]
#
# 1. list the crops of DIR/names-train/images that may be used: every one
#    EXCEPT the gold dev set's (every 30th file from TRAIN_00001: 00001,
#    00031, ..., 10471; docs/eval-real.md), so the gold set stays unseen;
# 2. build/tools/selftrain_glyphs reads them with MODEL (charset upper,
#    context, language model, no lexicon); a reading that is a lexicon name
#    seen >= N times (not a printed form word), every glyph's confidence
#    >= C, gives its glyphs as labelled pictures (OUT/selftrain.csv);
# 3. inkpipe train --init MODEL fine-tunes MODEL on the usual recipe
#    (--train-args: what `make model` trains on) plus those glyphs, E
#    epochs at peak learning rate X: OUT/inkpipe-selftrain.model (and its
#    .curves.tsv/.svg).
# --letters LIST keeps only the glyphs of those letters (e.g. ABDEFGHNQRT);
# --no-train-on-val leaves the validation writers 036-040 out of the
# fine-tune, so that `inkpipe eval --writers 036-040` measures what it
# forgot (the bundled model itself trained on them); --no-glyphs
# fine-tunes on the recipe alone (a control: is a change the fine-tune's
# or the glyphs'?); --freeze-conv fine-tunes the dense layers only
# (inkpipe train --freeze-conv). --scratch trains a new model on the
# recipe and the glyphs from the start instead of fine-tuning MODEL (no
# --init; --train-args must then hold the recipe's --arch; --lr only when
# given): `make model` builds the bundled model so, MODEL being the model
# the recipe alone gives. --list-only stops after step 1 (prints
# the list's path). The candidate model is never copied over MODEL:
# measure it first (tools/eval_real.sh --model OUT/inkpipe-selftrain.model).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
data=$top/../shared/data
model=$top/models/inkpipe.model
out=$top/build/selftrain
build=$top/build
inkpipe=$top/inkpipe
epochs=3
lr=0.0005
min_conf=0.7
min_count=10
max_per_class=400
list_only=0
train_args=""
letters=""
on_val=--train-on-val
glyphs=1
scratch=0
lr_given=0
usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
    case $1 in
    --data) data=$2; shift 2 ;;
    --model) model=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --build) build=$2; shift 2 ;;
    --inkpipe) inkpipe=$2; shift 2 ;;
    --epochs) epochs=$2; shift 2 ;;
    --lr) lr=$2; lr_given=1; shift 2 ;;
    --min-conf) min_conf=$2; shift 2 ;;
    --min-count) min_count=$2; shift 2 ;;
    --max-per-class) max_per_class=$2; shift 2 ;;
    --letters) letters=$2; shift 2 ;;
    --no-train-on-val) on_val=; shift ;;
    --no-glyphs) glyphs=0; shift ;;
    --freeze-conv) train_args="$train_args --freeze-conv"; shift ;;
    --scratch) scratch=1; shift ;;
    --list-only) list_only=1; shift ;;
    --train-args) train_args=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "selftrain.sh: unknown argument $1" >&2; usage >&2; exit 2 ;;
    esac
done
images=$data/names-train/images
lexicon=$data/names-train/names-lexicon.tsv
[ -d "$images" ] && [ -f "$lexicon" ] || {
    echo "selftrain.sh: needs $images and $lexicon (--data DIR)" >&2; exit 2; }
mkdir -p "$out"

# 1. the crops, without the gold set's: TRAIN_NNNNN with (NNNNN - 1) % 30 == 0
find "$images" -maxdepth 1 -type f -name 'TRAIN_*.jpg' -printf '%f\n' | sort |
    awk -v dir="$images" '
        { n = substr($0, 7, 5) + 0
          if ($0 !~ /^TRAIN_[0-9][0-9][0-9][0-9][0-9]\.jpg$/) { odd++; next }
          if ((n - 1) % 30 == 0) { gold++; next }
          print dir "/" $0 }
        END { printf "selftrain: %d gold-set crops left out (every 30th from TRAIN_00001)%s\n",
                     gold, odd ? ", " odd " other names skipped" : "" > "/dev/stderr" }' \
    >"$out/list.txt"
echo "selftrain: $(wc -l <"$out/list.txt") crops to read: $out/list.txt" >&2
if [ "$list_only" = 1 ]; then
    echo "$out/list.txt"
    exit 0
fi
[ -f "$model" ] || { echo "selftrain.sh: no model $model" >&2; exit 2; }
lm=$(dirname "$model")/en-fr.lm
[ -f "$lm" ] || lm=$top/models/en-fr.lm

# 2. labelled glyphs from the readings that are known names
csv=()
if [ "$glyphs" = 1 ]; then
    rm -rf "$out/glyphs"
    OPENBLAS_NUM_THREADS=1 nice -n 5 "$build/tools/selftrain_glyphs" \
        --model "$model" --lm "$lm" --lexicon "$lexicon" --list "$out/list.txt" \
        -o "$out" --min-conf "$min_conf" --min-count "$min_count" \
        --max-per-class "$max_per_class" | tee "$out/glyphs.txt"
    csv=(--csv "$out/selftrain.csv")
    if [ -n "$letters" ]; then
        # path,char lines: keep the letters asked for (a header line stays)
        awk -F, -v keep="$letters" 'index(keep, $NF) || $NF == "char"' \
            "$out/selftrain.csv" >"$out/selftrain-letters.csv"
        csv=(--csv "$out/selftrain-letters.csv")
        echo "selftrain: $(grep -vc ',char$' "$out/selftrain-letters.csv") glyphs of the letters $letters" >&2
    fi
fi

# 3. fine-tune on the recipe + those glyphs (--scratch: train anew)
start=$(date +%s)
how=(--init "$model" --lr "$lr")
if [ "$scratch" = 1 ]; then
    how=()
    [ "$lr_given" = 1 ] && how=(--lr "$lr")
fi
# shellcheck disable=SC2086 # train_args is a list of arguments
OPENBLAS_NUM_THREADS=1 nice -n 5 "$inkpipe" train "${how[@]}" \
    --val-writers 036-040 --test-writers 041-045 $on_val --seed 1 \
    $train_args "${csv[@]}" --epochs "$epochs" \
    -o "$out/inkpipe-selftrain.model"
end=$(date +%s)
echo "selftrain: $out/inkpipe-selftrain.model in $(( (end - start) / 60 )) min $(( (end - start) % 60 )) s"
