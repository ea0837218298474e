#!/usr/bin/env bash
# tools/eval_real.sh - accuracy on material inkpipe did not make (issue 13;
# `make eval-real`, docs/eval-real.md).
#
#   tools/eval_real.sh [--data DIR] [--gold FILE] [--model FILE] [--out DIR]
#                      [--build DIR] [--inkpipe BIN] [--parts LIST]
#                      [--heldout LIST] [--folds K] [--fold-epochs E]
#                      [--train-args "ARGS"] [--names-lexicon FILE]
#                      [--crop-step N] [--scales LIST]
#
# Parts (--parts, comma-separated; default all but folds, which is on when
# --folds K > 0):
#   chars74k   inkpipe eval on every Chars74K writer 001-045, top-1 and
#              merged look-alikes per writer; the writers the model trained
#              on are named (from the model's metadata: "test writers ...
#              never loaded"; --heldout LIST overrides), the held-out ones
#              give the honest numbers (mean and worst writer); plus
#              inkpipe classify on every glyph for confusions and
#              confidence calibration
#   mnist      the last 2,000 MNIST test digits (never trained on):
#              --charset digits and 62 classes
#   comnist    CoMNIST (591 upper-case letters by other people, ink in the
#              alpha channel): --charset upper and 62 classes with merged
#              look-alikes, per letter; classify for calibration
#   names      the hand-labelled gold set (--gold, file<TAB>text; lines
#              with '?' skipped) of real name crops: inkpipe ocr --charset
#              upper, CER and exact match per crop and overall, worst 10;
#              the confidence after decoding (hOCR x_confs aligned to the
#              gold): glyph and field reliability tables, the glyph curve
#              in the report (tools/calib_fit.py: the refit check);
#              with --names-lexicon FILE (names, one per line, optional TAB
#              count: names-lexicon.tsv) also read with --lexicon FILE, as a
#              user reading a name field would, both figures, split by
#              whether the gold name is in FILE (the lexicon is soft: a
#              name not in it must stay readable)
#   scales     the same gold crops resized with ImageMagick (`convert
#              -resize S%`, S in --scales, default 50,75,150,200): the
#              names part's figures at each size (a field scanned at half
#              or twice the resolution must read the same); after names
#   tesseract  tesseract --psm 7 on the same crops, plain and with an
#              upper-case whitelist (where tesseract is installed)
#   lexicon    inkpipe ocr on ALL unlabelled name crops: the share whose
#              reading is a name of names-lexicon.tsv (plausibility only)
#   croplaw    the crop law on real writing (tools/crop_law.sh): every Nth
#              name crop (--crop-step, default 100) read as is and with
#              margins, trimmed, scaled, another dpi claimed, as PNG/JPEG,
#              pasted into a page: the share of each kind of variant that
#              reads as the crop does, and the worst crops
#   folds      K writer-disjoint folds over the 45 writers: one model per
#              fold trained with `inkpipe train` (--train-args, --fold-epochs
#              E; cached in OUT/folds/), per-writer accuracy on each fold's
#              held-out writers: every writer measured by a model that
#              never saw it. Expensive: about 30 s per epoch and fold.
#              Then pages: each writer's own pages (tools/compose --writers
#              W, 2 clean A4 pages, seed 1; cached in OUT/folds/pages/W)
#              read by `inkpipe ocr` with that writer's fold model, as users
#              read (line context, language model, adaptation): CER per
#              writer, pooled and worst (OUT/folds.pages.tsv)
# Names are compared after folding case and removing all whitespace
# (tools/cer --ignore-case --no-space): the handwriting is spaced capitals,
# so the gaps between letters say nothing about word breaks; the CER with
# whitespace runs kept as one space is reported beside it.
# A part whose data is missing says so ("SKIP part: ...") and is skipped;
# that is never an error. Output: the summary on stdout and in
# OUT/summary.txt, tables in OUT/ (default build/eval-real/) and the HTML
# report OUT/report.html (tools/eval_report). Exit: 0 ok (parts may have
# been skipped), 1 a step failed, 2 usage or a missing binary/model.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
data=$top/../shared/data gold=$top/../devset/names-gold.tsv
out=$top/build/eval-real build=$top/build inkpipe= model=
parts=chars74k,mnist,comnist,names,scales,tesseract,lexicon,croplaw
heldout= folds=0 fold_epochs=24 train_args= names_lexicon= crop_step=100
scales=50,75,150,200

usage() {
    sed -n '2,/^set -u/p' "$0" | sed -e '/^set -u/d' -e 's/^# \{0,1\}//'
}
while [ $# -gt 0 ]; do
    case $1 in
    --data) data=$2; shift 2 ;;
    --gold) gold=$2; shift 2 ;;
    --model) model=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --build) build=$2; shift 2 ;;
    --inkpipe) inkpipe=$2; shift 2 ;;
    --parts) parts=$2; shift 2 ;;
    --heldout) heldout=$2; shift 2 ;;
    --folds) folds=$2; shift 2 ;;
    --fold-epochs) fold_epochs=$2; shift 2 ;;
    --train-args) train_args=$2; shift 2 ;;
    --names-lexicon) names_lexicon=$2; shift 2 ;;
    --crop-step) crop_step=$2; shift 2 ;;
    --scales) scales=$2; shift 2 ;;
    --help|-h) usage; exit 0 ;;
    *) echo "eval_real: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
    esac
done
case $folds in ''|*[!0-9]*) echo "eval_real: --folds '$folds': expected a number (0 = off)" >&2; exit 2 ;; esac
case $fold_epochs in ''|*[!0-9]*|0) echo "eval_real: --fold-epochs '$fold_epochs': expected a positive number" >&2; exit 2 ;; esac
if [ "$folds" -eq 1 ] || [ "$folds" -gt 45 ]; then
    echo "eval_real: --folds $folds: expected 0 (off) or 2..45" >&2; exit 2
fi
[ "$folds" -gt 0 ] && parts=$parts,folds
case ,$scales, in
*,,*|*[!0-9,]*) echo "eval_real: --scales '$scales': expected percentages, e.g. 50,75,150,200" >&2; exit 2 ;;
esac

abspath() { case $1 in /*) echo "$1" ;; *) echo "$PWD/$1" ;; esac; }
data=$(abspath "$data") gold=$(abspath "$gold") out=$(abspath "$out")
[ -z "$names_lexicon" ] || names_lexicon=$(abspath "$names_lexicon")
build=$(abspath "$build")
[ -n "$inkpipe" ] || { if [ "$build" = "$top/build" ]; then inkpipe=$top/inkpipe; else inkpipe=$build/inkpipe; fi; }
inkpipe=$(abspath "$inkpipe")
[ -n "$model" ] || model=${INKPIPE_MODEL:-$top/models/inkpipe.model}
model=$(abspath "$model")
for b in "$inkpipe" "$build/tools/cer" "$build/tools/eval_report" "$build/tools/rec_model"; do
    [ -x "$b" ] || { echo "eval_real: $b missing (run make first)" >&2; exit 2; }
done
[ -f "$model" ] || { echo "eval_real: model $model not found" >&2; exit 2; }
want() { case ",$parts," in *",$1,"*) return 0 ;; *) return 1 ;; esac; }

export OPENBLAS_NUM_THREADS=1 OMP_THREAD_LIMIT=1
mkdir -p "$out" || exit 1
summary=$out/summary.txt glyphs=$out/glyphs.tsv writers=$out/writers.tsv
: >"$summary"; : >"$glyphs"; : >"$writers"
say() { printf '%s\n' "$*" | tee -a "$summary"; }
skip() { say "SKIP $1: $2"; }
fail() { echo "eval_real: $*" >&2; exit 1; }
run() { nice -n 10 "$@"; }
classes=0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz

# Expand a writer list (041-045,050) into one number per line.
expand_writers() {
    local IFS=, part
    for part in $1; do
        case $part in
        *-*) seq "$((10#${part%-*}))" "$((10#${part#*-}))" ;;
        ?*) echo "$((10#$part))" ;;
        esac
    done
}

# Per-writer lines of `inkpipe eval` output -> writers.tsv rows
# (set, writer, glyphs, top-1, merged, role by the held-out list in $2).
writer_rows() { # FILE HELDOUT_NUMBERS SET ROLE_HELDOUT
    awk -v held="$2" -v set="$3" -v hrole="$4" '
        BEGIN { n = split(held, h, " "); for (i = 1; i <= n; i++) H[h[i] + 0] = 1 }
        # "  writer 041:   62 glyphs  top-1  93.55%  merged  96.77%"
        $1 == "writer" && $5 == "top-1" && $7 == "merged" {
            w = $2; sub(":", "", w)
            t = $6; sub("%", "", t); m = $8; sub("%", "", m)
            printf "%s\t%s\t%d\t%s\t%s\t%s\n", set, w, $3, t, m,
                   ((w + 0) in H) ? hrole : "train"
        }' "$1"
}

# Mean (pooled over glyphs) and worst writer of writers.tsv rows on stdin.
writer_stats() {
    awk -F'\t' '{ n += $3; t += $3 * $4; m += $3 * $5; k++
                  if (k == 1 || $4 < wt) { wt = $4; ww = $2 }
                  if (k == 1 || $5 < wm) { wm = $5; wmw = $2 } }
        END { if (!k) { print "no writers"; exit }
              printf "%d writers, %d glyphs: top-1 mean %.2f%%, worst %.2f%% (writer %s); merged mean %.2f%%, worst %.2f%% (writer %s)",
                     k, n, t / n, wt, ww, m / n, wm, wmw }'
}

# The RESULT line of an `inkpipe eval` output as "top1 merged digits".
result_of() { awk '$1 == "RESULT" { for (i = 3; i <= NF; i++) { split($i, kv, "="); r[kv[1]] = kv[2] }
                    print r["top1"], r["merged"], r["digits"], r["n"] }' "$1"; }

# Classify a list of files (stdin) in batches: PATH<TAB>CHAR<TAB>CONF.
classify_list() { # OUT ARGS...
    local o=$1; shift
    xargs -d '\n' -n 400 sh -c 'exec nice -n 10 "$0" classify "$@"' "$inkpipe" "$@" >"$o" ||
        fail "inkpipe classify failed (see above)"
}

# inkpipe ocr --charset upper of a list of files (stdin) in batches, text
# into DIR/NAME.txt.
ocr_list() { # DIR [LEXICON [FORMATS]]
    xargs -d '\n' -n 500 sh -c 'b=$0 m=$1 o=$2 lx=$3 fm=$4; shift 4
        exec nice -n 10 "$b" ocr --model "$m" --charset upper ${lx:+--lexicon "$lx"} \
            -f "$fm" -o "$o" "$@"' \
        "$inkpipe" "$model" "$1" "${2:-}" "${3:-txt}"
}

say "make eval-real: $(date -u '+%Y-%m-%d %H:%M UTC'), $(uname -n), model $model"
say "inkpipe $(cd "$top" && git describe --always --dirty 2>/dev/null || echo '?'); data $data"
say ""

# ---- Chars74K -----------------------------------------------------------
c74=$data/chars74k-hnd
meta=$("$build/tools/rec_model" info "$model" 2>/dev/null)
if want chars74k || want folds; then
    if [ ! -d "$c74/Img" ]; then
        skip chars74k "no Chars74K data at $c74 (DATA=...)"
        parts=${parts//chars74k/}; parts=${parts//folds/}
    fi
fi
if want chars74k; then
    say "== Chars74K EnglishHnd: $(find "$c74/Img" -name 'img*-*.png' | wc -l) glyphs of writers 001-045, 62 classes (drawn on a tablet) =="
    if [ -z "$heldout" ]; then
        heldout=$(printf '%s\n' "$meta" | sed -n 's/.*test writers \([0-9,-]*\) never loaded.*/\1/p' | head -1)
        val=$(printf '%s\n' "$meta" | sed -n 's/^validation writers \([0-9,-]*\): .*/\1/p' | head -1)
        [ -n "$val" ] && heldout=$heldout,$val # validation not also trained on
        if [ -z "$heldout" ]; then
            heldout=041-045
            say "(the model's metadata names no held-out writers; assuming 041-045, as make model)"
        fi
    fi
    held=$(expand_writers "$heldout" | tr '\n' ' ')
    say "model $(basename "$model"): writers $heldout held out (never loaded by inkpipe train); every other writer was trained on"
    run "$inkpipe" eval --model "$model" --chars74k "$c74" --writers 001-045 \
        --confusions 20 >"$out/chars74k.eval.txt" 2>"$out/chars74k.eval.err" ||
        fail "inkpipe eval on Chars74K failed: $(tail -3 "$out/chars74k.eval.err")"
    writer_rows "$out/chars74k.eval.txt" "$held" "Chars74K, bundled model" heldout >"$out/chars74k.writers.tsv"
    cat "$out/chars74k.writers.tsv" >>"$writers"
    say "held-out writers:   $(awk -F'\t' '$6 != "train"' "$out/chars74k.writers.tsv" | writer_stats)"
    say "trained-on writers: $(awk -F'\t' '$6 == "train"' "$out/chars74k.writers.tsv" | writer_stats)  <- seen in training: not a measure"
    say "per writer (top-1 / merged; * = held out):"
    awk -F'\t' '{ printf "  %s%s %6.2f /%6.2f", $2, ($6 == "train") ? " " : "*", $4, $5; if (NR % 4 == 0) printf "\n" }
                END { if (NR % 4) printf "\n" }' "$out/chars74k.writers.tsv" | tee -a "$summary"
    # every glyph through classify: confusions and calibration
    find "$c74/Img" -name 'img*-*.png' | sort >"$out/chars74k.files"
    classify_list "$out/chars74k.classify.tsv" --model "$model" <"$out/chars74k.files"
    awk -F'\t' -v held="$held" -v cls="$classes" '
        BEGIN { n = split(held, h, " "); for (i = 1; i <= n; i++) H[h[i] + 0] = 1 }
        { b = $1; sub(/.*\/img/, "", b); c = substr(b, 1, 3) + 0; w = substr(b, 5, 3) + 0
          src = (w in H) ? "Chars74K held-out writers" : "Chars74K trained-on writers"
          printf "%s\t%s\t%s\t%s\n", src, substr(cls, c, 1), $2, $3 }' \
        "$out/chars74k.classify.tsv" >>"$glyphs"
    nc=$(wc -l <"$out/chars74k.classify.tsv")
    [ "$nc" -eq "$(wc -l <"$out/chars74k.files")" ] || fail "classify answered $nc of $(wc -l <"$out/chars74k.files") Chars74K glyphs"
    say "top confusions over all 45 writers (true -> read: count):"
    sed -n '/top confusions/,/^RESULT/p' "$out/chars74k.eval.txt" | sed -e '1d' -e '/^RESULT/d' | head -10 | tee -a "$summary"
    say ""
fi

# Each writer LO..HI's two composed pages read with fold model MODEL:
# rows writer, character errors, characters, CER (tools/cer).
fold_pages() { # MODEL LO HI
    local w W d k
    for ((w = $2; w <= $3; w++)); do
        W=$(printf '%03d' "$w") d=$out/folds/pages/$W
        k="compose --pages 2 --seed 1 --writers $W"
        if [ "$(cat "$d/key" 2>/dev/null)" != "$k" ]; then
            rm -rf "$d" && mkdir -p "$d/img" || exit 1
            "$build/tools/compose" --out "$d/img" --pages 2 --seed 1 \
                --writers "$W" --data "$c74" >"$d/compose.log" 2>&1 ||
                fail "compose for writer $W failed: $(tail -2 "$d/compose.log")"
            echo "$k" >"$d/key"
        fi
        rm -rf "$d/ocr"
        run "$inkpipe" ocr --model "$1" -f txt -o "$d/ocr" "$d"/img/page-00[12].png \
            2>"$d/ocr.log" || fail "inkpipe ocr of writer $W's pages failed: $(tail -2 "$d/ocr.log")"
        "$build/tools/cer" --tsv "$d/img/page-001.gt.txt" "$d/ocr/page-001.txt" \
            "$d/img/page-002.gt.txt" "$d/ocr/page-002.txt" >"$d/cer.tsv" ||
            fail "cer of writer $W's pages failed"
        awk -F'\t' -v w="$W" 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
            $1 == "TOTAL" { e = $c["char_errors"]; n = $c["gt_chars"]
                            printf "%s\t%d\t%d\t%.2f\n", w, e, n, n ? 100 * e / n : 0 }' "$d/cer.tsv"
    done
}

# Pooled CER and worst writer of fold_pages rows on stdin.
page_stats() {
    awk -F'\t' '{ e += $2; n += $3; k++; if (k == 1 || $4 > wc) { wc = $4; ww = $1 } }
        END { if (!k || !n) { print "no pages"; exit }
              printf "%d writers, %d characters: CER %.2f%% (%d errors), worst writer %s %.2f%%",
                     k, n, 100 * e / n, e, ww, wc }'
}

# ---- Chars74K folds -----------------------------------------------------
if want folds && [ "$folds" -gt 0 ]; then
    say "== Chars74K, $folds writer-disjoint folds, $fold_epochs epochs per fold model =="
    if [ -z "$train_args" ]; then
        fail "--folds needs --train-args (make eval-real passes the make model recipe)"
    fi
    say "fold recipe (inkpipe train ...): $(printf '%s' "$train_args" | tr -s ' \n' '  ')"
    key=$(printf '%s' "$train_args" | cksum | cut -d' ' -f1)
    mkdir -p "$out/folds" || exit 1
    set_name="Chars74K, $folds folds x $fold_epochs epochs"
    : >"$out/folds.writers.tsv"; : >"$out/folds.pages.tsv"
    [ -x "$build/tools/compose" ] || fail "$build/tools/compose missing (make tools)"
    for ((f = 0; f < folds; f++)); do
        lo=$((f * 45 / folds + 1)) hi=$(((f + 1) * 45 / folds))
        group=$(printf '%03d-%03d' "$lo" "$hi")
        fm=$out/folds/k$folds-e$fold_epochs-$key-f$((f + 1)).model
        if [ -f "$fm" ]; then
            say "fold $((f + 1)): writers $group held out; model cached: $fm"
        else
            say "fold $((f + 1)): writers $group held out; training $fm ..."
            t0=$(date +%s)
            # shellcheck disable=SC2086 # the recipe is a list of arguments
            run "$inkpipe" train --chars74k "$c74" $train_args --val-writers none \
                --test-writers "$group" --seed 1 --epochs "$fold_epochs" -o "$fm" \
                >"$fm.log" 2>&1 || fail "training fold $((f + 1)) failed: $(tail -3 "$fm.log")"
            say "  trained in $(( ($(date +%s) - t0) / 60 )) min $(( ($(date +%s) - t0) % 60 )) s"
        fi
        run "$inkpipe" eval --model "$fm" --chars74k "$c74" --writers "$group" \
            >"$out/folds/f$((f + 1)).eval.txt" 2>&1 || fail "eval of fold $((f + 1)) failed"
        writer_rows "$out/folds/f$((f + 1)).eval.txt" "$(seq "$lo" "$hi" | tr '\n' ' ')" \
            "$set_name" "fold $((f + 1))" >>"$out/folds.writers.tsv"
        say "  fold $((f + 1)): $(awk -F'\t' -v r="fold $((f + 1))" '$6 == r' "$out/folds.writers.tsv" | writer_stats)"
        fold_pages "$fm" "$lo" "$hi" >"$out/folds/f$((f + 1)).pages.tsv" || exit 1
        cat "$out/folds/f$((f + 1)).pages.tsv" >>"$out/folds.pages.tsv"
        say "  fold $((f + 1)) pages: $(page_stats <"$out/folds/f$((f + 1)).pages.tsv")"
    done
    cat "$out/folds.writers.tsv" >>"$writers"
    # the report's per-writer bars: characters right (100 - CER) per writer
    awk -F'\t' -v set="Composed pages, ${folds} folds: characters right (100 - CER)" \
        '{ printf "%s\t%s\t%d\t%.2f\t%.2f\tpages\n", set, $1, $3, 100 - $4, 100 - $4 }' \
        "$out/folds.pages.tsv" >>"$writers"
    say "all writers, each by a model that never saw it: $(writer_stats <"$out/folds.writers.tsv")"
    say "per writer (top-1 / merged):"
    awk -F'\t' '{ printf "  %s %6.2f /%6.2f", $2, $4, $5; if (NR % 4 == 0) printf "\n" }
                END { if (NR % 4) printf "\n" }' "$out/folds.writers.tsv" | tee -a "$summary"
    say "composed pages of each writer (2 A4 pages, seed 1), read with inkpipe ocr by the"
    say "model that never saw the writer: $(page_stats <"$out/folds.pages.tsv")"
    say "per writer (CER %):"
    awk -F'\t' '{ printf "  %s %6.2f", $1, $4; if (NR % 8 == 0) printf "\n" }
                END { if (NR % 8) printf "\n" }' "$out/folds.pages.tsv" | tee -a "$summary"
    say ""
fi

# ---- MNIST ---------------------------------------------------------------
if want mnist; then
    mi=$data/mnist-test/t10k-images-idx3-ubyte.gz ml=$data/mnist-test/t10k-labels-idx1-ubyte.gz
    if [ ! -f "$mi" ] || [ ! -f "$ml" ]; then
        skip mnist "no MNIST test set at $data/mnist-test"
    else
        say "== MNIST test set, the last 2,000 digits (held out from training) =="
        run "$inkpipe" eval --model "$model" --charset digits --idx "$mi" "$ml" \
            --idx-holdout 2000 >"$out/mnist.digits.txt" 2>&1 || fail "inkpipe eval on MNIST failed"
        run "$inkpipe" eval --model "$model" --idx "$mi" "$ml" \
            --idx-holdout 2000 >"$out/mnist.62.txt" 2>&1 || fail "inkpipe eval on MNIST failed"
        read -r t _ _ n <<<"$(result_of "$out/mnist.digits.txt")"
        read -r t62 _ d62 _ <<<"$(result_of "$out/mnist.62.txt")"
        say "n=$n  --charset digits: top-1 $t%   (62 classes: top-1 $t62%, a digit read as a letter counts wrong)"
        say "confusions (--charset digits): $(sed -n '/top confusions/,/^RESULT/p' "$out/mnist.digits.txt" | sed -e '1d' -e '/^RESULT/d' | head -5 | sed 's/^ *//' | paste -sd';' | sed 's/;/; /g')"
        say ""
    fi
fi

# ---- CoMNIST -------------------------------------------------------------
if want comnist; then
    cm=$data/comnist
    if [ ! -d "$cm/A" ]; then
        skip comnist "no CoMNIST data at $cm"
    else
        say "== CoMNIST Latin: upper-case letters by other people on a touch screen (ink in the alpha channel) =="
        run "$inkpipe" eval --model "$model" --charset upper --dir "$cm" \
            >"$out/comnist.upper.txt" 2>&1 || fail "inkpipe eval on CoMNIST failed: $(tail -3 "$out/comnist.upper.txt")"
        run "$inkpipe" eval --model "$model" --dir "$cm" \
            >"$out/comnist.62.txt" 2>&1 || fail "inkpipe eval on CoMNIST failed"
        read -r t _ _ n <<<"$(result_of "$out/comnist.upper.txt")"
        read -r t62 m62 _ _ <<<"$(result_of "$out/comnist.62.txt")"
        say "n=$n  --charset upper: top-1 $t%   62 classes: top-1 $t62%, merged look-alikes $m62%"
        # per letter, from the upper run's per-class block
        sed -n '/per class:/,/top confusions/p' "$out/comnist.upper.txt" | sed -e '1d' -e '$d' |
            awk '{ for (i = 1; i + 1 <= NF; i += 2) { v = $(i + 1); sub("%", "", v); print $i "\t" v } }' \
            >"$out/comnist.letters.tsv"
        say "per letter (--charset upper): $(awk -F'\t' '{ printf "%s%s %.0f", (NR > 1 ? ", " : ""), $1, $2 }' "$out/comnist.letters.tsv")"
        say "worst letters: $(sort -t$'\t' -k2,2n "$out/comnist.letters.tsv" | head -5 | awk -F'\t' '{ printf "%s%s %.1f%%", (NR > 1 ? ", " : ""), $1, $2 }')"
        say "confusions (--charset upper): $(sed -n '/top confusions/,/^RESULT/p' "$out/comnist.upper.txt" | sed -e '1d' -e '/^RESULT/d' | head -6 | sed 's/^ *//' | paste -sd';' | sed 's/;/; /g')"
        find "$cm" -mindepth 2 -name '*.png' | sort >"$out/comnist.files"
        classify_list "$out/comnist.classify.tsv" --model "$model" --charset upper <"$out/comnist.files"
        awk -F'\t' '{ n = split($1, p, "/"); printf "CoMNIST (--charset upper)\t%s\t%s\t%s\n", p[n - 1], $2, $3 }' \
            "$out/comnist.classify.tsv" >>"$glyphs"
        say ""
    fi
fi

# ---- names: the hand-labelled gold set ------------------------------------
names=$data/names-train/images lex=$data/names-train/names-lexicon.tsv
nd=$out/names
if want names || want tesseract; then
    if [ ! -d "$names" ]; then
        skip names "no name crops at $names"
        parts=${parts//names/}; parts=${parts//tesseract/}
    elif [ ! -f "$gold" ]; then
        skip names "no gold set at $gold (NAMES_GOLD=...; it is hand-labelled and kept outside the repository)"
        parts=${parts//names/}; parts=${parts//tesseract/}
    fi
fi
# Score one system's readings of the gold crops (folder DIR of NAME.txt):
# per-crop TSV (file, gold, reading, cer) and a summary line.
score_names() { # DIR LABEL
    local dir=$1 label=$2 args=()
    while IFS=$'\t' read -r f text; do
        args+=("$nd/gt/${f%.*}.txt" "$dir/${f%.*}.txt")
    done <"$nd/gold.tsv"
    "$build/tools/cer" --tsv --ignore-case --no-space "${args[@]}" >"$dir.cer.tsv" ||
        fail "cer failed on $dir"
    "$build/tools/cer" --tsv --ignore-case "${args[@]}" >"$dir.cer-space.tsv" ||
        fail "cer failed on $dir"
    # file, gold, reading (lines joined by " / "), CER without spaces
    awk -F'\t' '
        FNR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
        $1 == "TOTAL" { next }
        { g = ""; while ((getline l < $1) > 0) g = g l; close($1)
          r = ""; while ((getline l < $2) > 0) if (l != "") r = r (r == "" ? "" : " / ") l; close($2)
          f = $1; sub(/.*\//, "", f); sub(/\.txt$/, "", f)
          printf "%s\t%s\t%s\t%s\n", f, g, r, $(col["cer"]) }' \
        "$dir.cer.tsv" >"$dir.crops.tsv"
    local tot cer_ns cer_sp exact n
    tot=$(awk -F'\t' 'FNR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
                      $1 == "TOTAL" { printf "%s %s %s", $(col["cer"]), $(col["gt_chars"]), $(col["char_errors"]) }' "$dir.cer.tsv")
    cer_ns=$(echo "$tot" | awk '{ printf "%.2f", 100 * $1 }')
    cer_sp=$(awk -F'\t' 'FNR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
                         $1 == "TOTAL" { printf "%.2f", 100 * $(col["cer"]) }' "$dir.cer-space.tsv")
    n=$(wc -l <"$dir.crops.tsv")
    exact=$(awk -F'\t' '$4 + 0 == 0' "$dir.crops.tsv" | wc -l)
    local mean_crop
    mean_crop=$(awk -F'\t' '{ s += $4 } END { printf "%.2f", 100 * s / NR }' "$dir.crops.tsv")
    say "$label: n=$n crops  CER $cer_ns% (no spaces; $(echo "$tot" | awk '{ print $3 " errors / " $2 " chars" }'))  with spaces $cer_sp%  mean per-crop CER $mean_crop%  exact match $exact/$n ($(awk -v a="$exact" -v b="$n" 'BEGIN { printf "%.1f", 100 * a / b }')%)"
    # diagnostic, not a result: if something picked the right line of the
    # reading (an oracle), how good would that line be?
    local ld=$dir.lines pairs=()
    rm -rf "$ld"; mkdir -p "$ld" || exit 1
    while IFS=$'\t' read -r f text; do
        local k=0
        while IFS= read -r l; do
            [ -n "${l// /}" ] || continue
            k=$((k + 1))
            printf '%s\n' "$l" >"$ld/${f%.*}.$k.txt"
            pairs+=("$nd/gt/${f%.*}.txt" "$ld/${f%.*}.$k.txt")
        done <"$dir/${f%.*}.txt"
        [ $k -gt 0 ] || { : >"$ld/${f%.*}.0.txt"; pairs+=("$nd/gt/${f%.*}.txt" "$ld/${f%.*}.0.txt"); }
    done <"$nd/gold.tsv"
    "$build/tools/cer" --tsv --ignore-case --no-space "${pairs[@]}" >"$ld.cer.tsv" || fail "cer failed on $ld"
    awk -F'\t' 'FNR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
        $1 == "TOTAL" { next }
        { f = $1; e = $(col["char_errors"]); if (!(f in best) || e < best[f]) { best[f] = e; g[f] = $(col["gt_chars"]) } }
        END { for (f in best) { E += best[f]; G += g[f]; n++; x += best[f] == 0 }
              printf "  best single line of each reading (oracle line choice, a diagnostic): CER %.2f%%, exact %d/%d (%.1f%%)\n", 100 * E / G, x, n, 100 * x / n }' \
        "$ld.cer.tsv" | tee -a "$summary"
}
# Confidence after decoding (the glyph confidences of hOCR x_confs, as
# forms and the review page use them) against the gold: each reading's
# glyphs (case and spaces ignored, as cer --ignore-case --no-space) aligned
# to the gold text by edit distance; a glyph is right when aligned to the
# same letter (an extra glyph is wrong). Writes DIR.glyphconf.tsv (rows of
# $glyphs: the reliability curve of the report) and DIR.fieldconf.tsv (file,
# gold, reading, product of the glyph confidences = the field confidence
# of forms, exact 0/1), and prints both reliability tables (10 bins, ECE).
names_confidence() { # DIR
    local dir=$1
    awk -F'\t' -v dir="$dir" -v gl="$dir.glyphconf.tsv" -v fl="$dir.fieldconf.tsv" '
        function cls(c) { return c ~ /^[0-9A-Za-z]$/ }
        { stem = $1; sub(/\.[^.]*$/, "", stem); g = toupper($2); gsub(/ /, "", g)
          n = 0; f = dir "/" stem ".hocr"
          while ((getline l < f) > 0)
              while (match(l, /ocrx_cinfo[^>]*x_confs [0-9.]+[^>]*>[^<]*</)) {
                  m = substr(l, RSTART, RLENGTH); l = substr(l, RSTART + RLENGTH)
                  c = m; sub(/.*>/, "", c); sub(/<$/, "", c)
                  p = m; sub(/.*x_confs /, "", p); sub(/[^0-9.].*/, "", p)
                  if (c == "" || c == " ") continue
                  n++; r[n] = toupper(c); q[n] = p / 100 }
          close(f)
          # edit distance, gold (rows) x reading (columns), then the path back
          ng = length(g)
          for (i = 0; i <= ng; i++) D[i, 0] = i
          for (j = 0; j <= n; j++) D[0, j] = j
          for (i = 1; i <= ng; i++)
              for (j = 1; j <= n; j++) {
                  d = D[i - 1, j - 1] + (substr(g, i, 1) != r[j])
                  if (D[i - 1, j] + 1 < d) d = D[i - 1, j] + 1
                  if (D[i, j - 1] + 1 < d) d = D[i, j - 1] + 1
                  D[i, j] = d }
          for (j = 1; j <= n; j++) t[j] = "-"
          i = ng; j = n
          while (i > 0 && j > 0) {
              if (D[i, j] == D[i - 1, j - 1] + (substr(g, i, 1) != r[j])) { t[j] = substr(g, i, 1); i--; j-- }
              else if (D[i, j] == D[i, j - 1] + 1) j--
              else i-- }
          fc = 1; rd = ""
          for (j = 1; j <= n; j++) {
              fc *= q[j]; rd = rd r[j]
              if (cls(r[j])) printf "Name crops after decoding\t%s\t%s\t%.4f\n", cls(t[j]) ? t[j] : "-", r[j], q[j] > gl }
          printf "%s\t%s\t%s\t%.4f\t%d\n", $1, g, rd, fc, (rd == g) > fl }' "$nd/gold.tsv"
    say "confidence after decoding (hOCR x_confs; 10 bins: n, mean confidence, share right; ECE = expected calibration error):"
    local k
    for k in glyph field; do
        awk -F'\t' -v k=$k '
            { c = $4; ok = (k == "glyph") ? ($2 == $3) : $5
              b = int(c * 10); if (b > 9) b = 9
              n[b]++; s[b] += c; a[b] += ok; N++; S += c; A += ok }
            END { if (!N) exit
                  for (b = 0; b < 10; b++) if (n[b]) e += n[b] / N * (s[b] / n[b] > a[b] / n[b] ? s[b] / n[b] - a[b] / n[b] : a[b] / n[b] - s[b] / n[b])
                  printf "  %s: n=%d  right %.1f%%  mean confidence %.3f  ECE %.3f\n    ", (k == "glyph") ? "glyphs (right = aligned to the same gold letter)" : "fields (confidence = product of the glyphs, right = exact match)", N, 100 * A / N, S / N, e
                  for (b = 0; b < 10; b++) if (n[b]) printf "%.1f-%.1f: %d %.2f %.2f  ", b / 10, (b + 1) / 10, n[b], s[b] / n[b], a[b] / n[b]
                  printf "\n" }' "$dir.${k}conf.tsv" | tee -a "$summary"
    done
    cat "$dir.glyphconf.tsv" >>"$glyphs"
}
if want names; then
    say "== Real name crops (French forms), hand-labelled gold set: $gold =="
    mkdir -p "$nd/gt" "$nd/inkpipe" || exit 1
    # usable lines: no '?', image present, text in the allowed alphabet
    awk -F'\t' -v dir="$names" 'NF == 2 && $2 !~ /\?/ && $2 ~ /^[A-Z][A-Z \047-]*$/ &&
                                (getline _ < (dir "/" $1)) >= 0 { print; close(dir "/" $1) }' \
        "$gold" >"$nd/gold.tsv"
    total=$(grep -c . "$gold") usable=$(wc -l <"$nd/gold.tsv")
    say "gold lines $total, scored $usable (lines with '?' = illegible skipped: $((total - usable)))"
    while IFS=$'\t' read -r f text; do printf '%s\n' "$text" >"$nd/gt/${f%.*}.txt"; done <"$nd/gold.tsv"
    cut -f1 "$nd/gold.tsv" | sed "s|^|$names/|" >"$nd/gold.files"
    rm -f "$nd"/inkpipe/*.txt
    rm -f "$nd"/inkpipe/*.hocr
    ocr_list "$nd/inkpipe" "" txt,hocr <"$nd/gold.files" 2>"$nd/inkpipe.err" ||
        fail "inkpipe ocr on the name crops failed: $(tail -3 "$nd/inkpipe.err")"
    score_names "$nd/inkpipe" "inkpipe ocr --charset upper"
    names_confidence "$nd/inkpipe"
    say "worst 10 crops (inkpipe; CER without spaces, gold | reading):"
    sort -t$'\t' -k4,4gr -k1,1 "$nd/inkpipe.crops.tsv" | head -10 |
        awk -F'\t' '{ printf "  %s  %5.1f%%  %s | %s\n", $1, 100 * $4, $2, $3 }' | tee -a "$summary"
    labels=$(awk -F'\t' '{ r = $3; gsub(/ /, "", r) } r ~ /NOM/' "$nd/inkpipe.crops.tsv" | wc -l)
    say "readings that contain a printed label (NOM/PRENOM) read as letters: $labels/$usable"
    if [ -n "$names_lexicon" ] && [ ! -f "$names_lexicon" ]; then
        skip names-lexicon "no lexicon at $names_lexicon (NAMES_LEXICON=...)"
    elif [ -n "$names_lexicon" ]; then
        say ""
        say "-- the same crops read with the names lexicon: inkpipe ocr --charset upper --lexicon $names_lexicon --"
        mkdir -p "$nd/inkpipe-lexicon" || exit 1
        rm -f "$nd"/inkpipe-lexicon/*.txt
        ocr_list "$nd/inkpipe-lexicon" "$names_lexicon" <"$nd/gold.files" 2>"$nd/inkpipe-lexicon.err" ||
            fail "inkpipe ocr --lexicon on the name crops failed: $(tail -3 "$nd/inkpipe-lexicon.err")"
        score_names "$nd/inkpipe-lexicon" "inkpipe ocr --charset upper --lexicon"
        # split by whether the gold name (spaces removed) is a lexicon entry
        # (spaces removed): the lexicon must not spoil the names it lacks
        awk -F'\t' '
            FILENAME == ARGV[1] { if (FNR > 1) { k = $1; gsub(/ /, "", k); L[k] = 1 } next }
            FILENAME == ARGV[2] { g = $2; gsub(/ /, "", g); inl[$1] = (g in L); next }
            FNR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
            $1 == "TOTAL" { next }
            { f = $1; sub(/.*\//, "", f); sub(/\.txt$/, "", f); f = f ".jpg"
              run = (FILENAME == ARGV[3]) ? 1 : 2; g = inl[f]
              e[run, g] += $(col["char_errors"]); c[run, g] += $(col["gt_chars"])
              x[run, g] += ($(col["char_errors"]) == 0); n[run, g] += (run == 1)
              if (run == 1) e1[f] = $(col["char_errors"])
              else { better[g] += ($(col["char_errors"]) < e1[f]); worse[g] += ($(col["char_errors"]) > e1[f]) } }
            function pct(a, b) { return b ? sprintf("%.2f%%", 100 * a / b) : "-" }
            END { for (g = 1; g >= 0; g--)
                    printf "  gold name %s the lexicon: %d crops; without lexicon CER %s, exact %d; with lexicon CER %s, exact %d (%d crops better, %d worse)\n",
                           g ? "in" : "NOT in", n[1, g], pct(e[1, g], c[1, g]), x[1, g],
                           pct(e[2, g], c[2, g]), x[2, g], better[g], worse[g] }' \
            "$names_lexicon" "$nd/gold.tsv" "$nd/inkpipe.cer.tsv" "$nd/inkpipe-lexicon.cer.tsv" |
            tee -a "$summary"
        say "(the gold set is a dev set: figures of anything tuned on it are optimistic)"
    fi
    say ""
fi
# ---- names at other sizes ----------------------------------------------
if want scales && ! want names; then
    skip scales "it reads the gold crops of the names part (--parts names,scales)"
elif want scales && ! command -v convert >/dev/null; then
    skip scales "ImageMagick convert not installed (tools/deps.sh test)"
elif want scales; then
    say "== The same gold crops resized (convert -resize S%): a field scanned at another resolution =="
    for sc in ${scales//,/ }; do
        sd=$nd/scale$sc
        rm -rf "$sd" "$sd-img"
        mkdir -p "$sd" "$sd-img" || exit 1
        while IFS=$'	' read -r f text; do
            convert "$names/$f" -resize "$sc%" "$sd-img/$f" ||
                fail "convert -resize $sc% failed on $names/$f"
        done <"$nd/gold.tsv"
        cut -f1 "$nd/gold.tsv" | sed "s|^|$sd-img/|" |
            ocr_list "$sd" "" 2>"$sd.err" ||
            fail "inkpipe ocr on the name crops at $sc % failed: $(tail -3 "$sd.err")"
        score_names "$sd" "inkpipe ocr --charset upper, crops at $sc %"
    done
    say ""
fi
if want tesseract; then
    if ! command -v tesseract >/dev/null; then
        skip tesseract "tesseract not installed (apt-get install tesseract-ocr)"
    else
        say "== Tesseract $(tesseract --version 2>&1 | head -1 | awk '{ print $2 }') on the same crops (--psm 7, one line) =="
        for v in plain upper; do
            mkdir -p "$nd/tesseract-$v" || exit 1
            while IFS=$'\t' read -r f text; do
                if [ $v = plain ]; then
                    run tesseract "$names/$f" - --psm 7 2>/dev/null
                else
                    run tesseract "$names/$f" - --psm 7 \
                        -c "tessedit_char_whitelist=ABCDEFGHIJKLMNOPQRSTUVWXYZ -'" 2>/dev/null
                fi >"$nd/tesseract-$v/${f%.*}.txt"
            done <"$nd/gold.tsv"
        done
        score_names "$nd/tesseract-plain" "tesseract --psm 7"
        score_names "$nd/tesseract-upper" "tesseract --psm 7, whitelist A-Z space - '"
        say ""
    fi
fi

# ---- lexicon plausibility on all crops ------------------------------------
# A reading is plausible when every non-empty line, with its spaces
# removed, is a lexicon name with its spaces removed (spaced capitals).
# An empty reading is not plausible.
plausible() { # LEXICON FILES... -> "k n"
    awk -F'\t' '
        FNR == NR { if (FNR > 1) { k = $1; gsub(/[ \t]/, "", k); L[k] = 1 } next }
        { l = toupper($0); gsub(/[ \t\f\r]/, "", l); if (l == "") next
          has[FILENAME] = 1; if (!(l in L)) bad[FILENAME] = 1 }
        END { for (i = 2; i < ARGC; i++) { n++; p += (ARGV[i] in has) && !(ARGV[i] in bad) }
              printf "%d %d", p, n }' "$@"
}
if want lexicon; then
    if [ ! -d "$names" ] || [ ! -f "$lex" ]; then
        skip lexicon "no name crops or lexicon at $data/names-train"
    else
        say "== Plausibility on all unlabelled name crops: is the reading a name of names-lexicon.tsv? =="
        mkdir -p "$nd/all" || exit 1
        rm -f "$nd"/all/*.txt
        find "$names" -name '*.jpg' | sort >"$nd/all.files"
        ocr_list "$nd/all" <"$nd/all.files" 2>"$nd/all.err" ||
            fail "inkpipe ocr on all name crops failed: $(tail -3 "$nd/all.err")"
        files=("$nd"/all/*.txt)
        read -r k n <<<"$(plausible "$lex" "${files[@]}")"
        say "inkpipe, all $n crops: $k plausible ($(awk -v a="$k" -v b="$n" 'BEGIN { printf "%.1f", 100 * a / b }')%)"
        if [ -f "$nd/gold.tsv" ]; then
            read -r k n <<<"$(plausible "$lex" "$nd"/gt/*.txt)"
            say "ceiling: the gold transcriptions themselves: $k of $n ($(awk -v a="$k" -v b="$n" 'BEGIN { printf "%.1f", 100 * a / b }')%; rare surnames are not in the lexicon)"
            for sys in inkpipe tesseract-upper; do
                [ -d "$nd/$sys" ] || continue
                read -r k n <<<"$(plausible "$lex" "$nd/$sys"/*.txt)"
                say "$sys on the gold crops: $k of $n ($(awk -v a="$k" -v b="$n" 'BEGIN { printf "%.1f", 100 * a / b }')%)"
            done
        fi
        say ""
    fi
fi

# ---- the crop law on real name crops ---------------------------------------
if want croplaw; then
    if [ ! -d "$names" ]; then
        skip croplaw "no name crops at $names"
    elif ! command -v convert >/dev/null; then
        skip croplaw "ImageMagick convert not installed (tools/deps.sh test)"
    else
        say "== Crop law on real name crops: does a variant of a crop read as the crop does? =="
        "$top/tools/crop_law.sh" --images "$names" --step "$crop_step" --inkpipe "$inkpipe" \
            --model "$model" --out "$out/croplaw" >"$out/croplaw.txt" 2>&1 ||
            fail "tools/crop_law.sh failed: $(tail -3 "$out/croplaw.txt")"
        tee -a "$summary" <"$out/croplaw.txt"
        say "(variants and readings: $out/croplaw/variants.tsv)"
        say ""
    fi
fi

# ---- report ----------------------------------------------------------------
if [ -s "$glyphs" ]; then
    "$build/tools/eval_report" --glyphs "$glyphs" --writers "$writers" \
        --summary "$summary" -o "$out/report.html" >"$out/calib.txt" || fail "eval_report failed"
    say "== Confidence calibration (inkpipe classify; the name crops: hOCR x_confs after decoding; 10 bins; ECE = expected calibration error) =="
    sed 's/^CALIB //' "$out/calib.txt" | tee -a "$summary"
    # again, so that the report's summary holds the calibration lines too
    "$build/tools/eval_report" --glyphs "$glyphs" --writers "$writers" \
        --summary "$summary" -o "$out/report.html" >/dev/null || fail "eval_report failed"
    say "report: $out/report.html"
elif [ -s "$writers" ] || [ -s "$summary" ]; then
    "$build/tools/eval_report" --writers "$writers" --summary "$summary" \
        -o "$out/report.html" >/dev/null || fail "eval_report failed"
    say "report: $out/report.html"
fi
exit 0
