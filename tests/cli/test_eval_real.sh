#!/usr/bin/env bash
# test_eval_real.sh - tools/eval_real.sh (make eval-real) and
# tools/eval_report on a tiny data folder made here (no shared data): a
# CoMNIST-style folder of alpha PNGs, two name crops with a gold set and a
# lexicon; a random model, so only the plumbing is checked, not accuracy.
# Missing parts are skipped with a message and exit 0; bad arguments exit 2.
. "$(dirname "$0")/lib.sh"

B=${BUILD_DIR:-$TOP/build}
ER=$TOP/tools/eval_real.sh
T=$TEST_TMPDIR/er
D=$T/data
mkdir -p "$T" "$D/names-train/images"
"$B/tools/rec_model" create --seed 7 "$T/rand.model" >/dev/null || { fail setup__rec_model; exit 1; }
args=(--build "$B" --inkpipe "$INKPIPE" --model "$T/rand.model")

# CoMNIST-style: the ink in the alpha channel over black RGB
for l in A B; do
    mkdir -p "$D/comnist/$l"
    for k in 1 2; do
        convert -size 60x60 xc:'rgba(0,0,0,0)' -fill none -stroke 'rgba(0,0,0,1)' \
            -strokewidth 5 -draw "line 10,50 30,$((8 + k))" -draw "line 30,$((8 + k)) 50,50" \
            -draw "line 18,35 42,35" PNG32:"$D/comnist/$l/$k.png"
    done
done
# a tiny Chars74K: the 62 class folders, A and B (Sample011, Sample012)
# drawn for writers 001 and 041
for ((c = 1; c <= 62; c++)); do mkdir -p "$D/chars74k-hnd/Img/$(printf 'Sample%03d' $c)"; done
for c in 011 012; do
    extra=()
    [ $c = 012 ] && extra=(-draw "circle 45,45 45,20")
    for w in 001 041; do
        convert -size 90x90 xc:white -fill none -stroke black -strokewidth 6 \
            -draw "line 15,80 45,10" -draw "line 45,10 75,80" "${extra[@]}" \
            "$D/chars74k-hnd/Img/Sample$c/img$c-$w.png"
    done
done
# two name crops (spaced capitals drawn as bars) and their gold lines
for n in 1 2; do
    convert -size 200x40 xc:white -fill black -draw "rectangle 20,8 25,32" \
        -draw "rectangle 60,8 65,32" "$D/names-train/images/TRAIN_0000$n.jpg"
done
printf 'name\tcount\nII\t3\nJEAN PIERRE\t2\n' >"$D/names-train/names-lexicon.tsv"
printf 'TRAIN_00001.jpg\tII\nTRAIN_00002.jpg\tI?\n' >"$T/gold.tsv"

out=$("$ER" "${args[@]}" --data "$D" --gold "$T/gold.tsv" --out "$T/o" \
      --parts chars74k,mnist,comnist,names,lexicon 2>&1); rc=$?
check eval_real__tiny_data__exit0 test "$rc" = 0
case $out in *"assuming 041-045"*"held-out writers:   1 writers, 2 glyphs: top-1 mean "*"trained-on writers: 1 writers, 2 glyphs"*)
    pass eval_real__chars74k__heldout_and_trained_writers_apart ;;
*) fail eval_real__chars74k__heldout_and_trained_writers_apart "$out" ;; esac
check eval_real__chars74k__writer_rows \
    test "$(cut -f2,3,6 "$T/o/writers.tsv" | tr '\t\n' ' ;')" = "001 2 train;041 2 heldout;"
case $out in *"SKIP mnist: no MNIST test set"*) pass eval_real__no_mnist__skipped ;;
*) fail eval_real__no_mnist__skipped "$out" ;; esac
case $out in *"n=4  --charset upper: top-1"*) pass eval_real__comnist__alpha_glyphs_all_read ;;
*) fail eval_real__comnist__alpha_glyphs_all_read "$out" ;; esac
case $out in *"gold lines 2, scored 1 "*) pass eval_real__gold_with_question_mark__skipped ;;
*) fail eval_real__gold_with_question_mark__skipped "$out" ;; esac
case $out in *"inkpipe ocr --charset upper: n=1 crops  CER "*"exact match "*) pass eval_real__names__cer_reported ;;
*) fail eval_real__names__cer_reported "$out" ;; esac
case $out in *"inkpipe, all 2 crops: "*" plausible"*"ceiling: the gold transcriptions themselves: 1 of 1 (100.0%"*)
    pass eval_real__lexicon__all_crops_and_ceiling ;;
*) fail eval_real__lexicon__all_crops_and_ceiling "$out" ;; esac
check eval_real__report__html_with_svg grep -q '<svg' "$T/o/report.html"
check eval_real__report__calibration grep -q 'Reliability' "$T/o/report.html"
check eval_real__summary__file_kept grep -q 'CoMNIST' "$T/o/summary.txt"
check eval_real__glyph_table__8_classify_rows \
    test "$(grep -vc '^Name crops after decoding' "$T/o/glyphs.tsv")" = 8
# confidence after decoding on the name crops: one glyph row per hOCR glyph
# (in the report's calibration), one field row per crop whose reading is
# the text output's, both reliability tables in the summary
nx=$(grep -o 'x_confs [0-9.]*' "$T/o/names/inkpipe/TRAIN_00001.hocr" | wc -l)
check eval_real__names_confidence__glyph_row_per_hocr_glyph \
    test "$(grep -c '^Name crops after decoding' "$T/o/glyphs.tsv")" = "$nx"
check eval_real__names_confidence__field_reading_is_text_output \
    test "$(cut -f3 "$T/o/names/inkpipe.fieldconf.tsv")" = "$(tr -d ' \n' <"$T/o/names/inkpipe/TRAIN_00001.txt")"
case $out in *"confidence after decoding"*"glyphs (right = aligned to the same gold letter): n=$nx "*"fields (confidence = product of the glyphs, right = exact match): n=1 "*)
    pass eval_real__names_confidence__tables_in_summary ;;
*) fail eval_real__names_confidence__tables_in_summary "$out" ;; esac

# --names-lexicon: the gold crops read again with --lexicon, split by
# whether the gold name is in the lexicon; a missing lexicon is skipped
out=$("$ER" "${args[@]}" --data "$D" --gold "$T/gold.tsv" --out "$T/o4" --parts names \
      --names-lexicon "$D/names-train/names-lexicon.tsv" 2>&1); rc=$?
check eval_real__names_lexicon__exit0 test "$rc" = 0
case $out in *"inkpipe ocr --charset upper --lexicon: n=1 crops  CER "*"gold name in the lexicon: 1 crops; without lexicon CER "*"gold name NOT in the lexicon: 0 crops; without lexicon CER -,"*)
    pass eval_real__names_lexicon__both_figures_split_by_lexicon ;;
*) fail eval_real__names_lexicon__both_figures_split_by_lexicon "$out" ;; esac
check eval_real__names_lexicon__lexicon_passed_to_ocr test -d "$T/o4/names/inkpipe-lexicon"
out=$("$ER" "${args[@]}" --data "$D" --gold "$T/gold.tsv" --out "$T/o5" --parts names \
      --names-lexicon "$T/none.tsv" 2>&1); rc=$?
case "$rc:$out" in 0:*"SKIP names-lexicon: no lexicon at $T/none.tsv"*) pass eval_real__names_lexicon_missing__skipped ;;
*) fail eval_real__names_lexicon_missing__skipped "rc=$rc $out" ;; esac

mv "$D/chars74k-hnd" "$D/chars74k-hnd.off"
out=$("$ER" "${args[@]}" --data "$D" --gold "$T/gold.tsv" --out "$T/o3" --parts chars74k 2>&1); rc=$?
case "$rc:$out" in 0:*"SKIP chars74k: no Chars74K data at $D/chars74k-hnd"*) pass eval_real__no_chars74k__skipped ;;
*) fail eval_real__no_chars74k__skipped "rc=$rc $out" ;; esac

# no gold set: that part says so, the run still succeeds
# the crop law on the two crops: every kind reported, the summary holds it
if command -v convert >/dev/null; then
    out=$("$ER" "${args[@]}" --data "$D" --gold "$T/gold.tsv" --out "$T/o4" --parts croplaw \
          --crop-step 1 2>&1); rc=$?
    check eval_real__croplaw__exit0 test "$rc" = 0
    case $out in *"CROPLAW kind=dpi300 n=2 "*"CROPLAW kind=all n=26 "*) pass eval_real__croplaw__kinds_reported ;;
    *) fail eval_real__croplaw__kinds_reported "$out" ;; esac
    check eval_real__croplaw__in_summary grep -q "CROPLAW kind=page n=2 " "$T/o4/summary.txt"
fi
# the gold crops resized: the names figures at each size; the sizes need
# the names part
if command -v convert >/dev/null; then
    out=$("$ER" "${args[@]}" --data "$D" --gold "$T/gold.tsv" --out "$T/o6" \
          --parts names,scales --scales 50,200 2>&1); rc=$?
    check eval_real__scales__exit0 test "$rc" = 0
    case $out in *"crops at 50 %: n=1 crops  CER "*"crops at 200 %: n=1 crops  CER "*)
        pass eval_real__scales__each_size_scored ;;
    *) fail eval_real__scales__each_size_scored "$out" ;; esac
    check eval_real__scales__crop_resized \
        test "$(identify -format %w "$T/o6/names/scale50-img/TRAIN_00001.jpg")" = 100
    check eval_real__scales__in_summary grep -q "crops at 200 %: n=1 " "$T/o6/summary.txt"
fi
out=$("$ER" "${args[@]}" --data "$D" --gold "$T/gold.tsv" --out "$T/o7" --parts scales 2>&1); rc=$?
case "$rc:$out" in 0:*"SKIP scales: "*) pass eval_real__scales_without_names__skipped ;;
*) fail eval_real__scales_without_names__skipped "rc=$rc $out" ;; esac
"$ER" --scales 50,x >/dev/null 2>&1; check eval_real__bad_scales__exit2 test $? = 2
out=$("$ER" "${args[@]}" --data "$D" --gold "$T/none.tsv" --out "$T/o2" --parts names 2>&1); rc=$?
case "$rc:$out" in 0:*"SKIP names: no gold set at $T/none.tsv"*) pass eval_real__no_gold__skipped_exit0 ;;
*) fail eval_real__no_gold__skipped_exit0 "rc=$rc $out" ;; esac

"$ER" --folds 1 >/dev/null 2>&1; check eval_real__one_fold__exit2 test $? = 2
"$ER" --fold-epochs 0 >/dev/null 2>&1; check eval_real__zero_epochs__exit2 test $? = 2
"$ER" --frobnicate >/dev/null 2>&1; check eval_real__unknown_option__exit2 test $? = 2
"$ER" "${args[@]}" --model "$T/none.model" >/dev/null 2>&1; check eval_real__no_model__exit2 test $? = 2
"$ER" --help | grep -q "writer-disjoint"; check eval_real__help__exit0 test $? = 0

# eval_report: a bad line is named with file:line, exit 1
printf 'src\tA\tA\t0.9\nsrc\tA\tB\t1.7\n' >"$T/bad.tsv"
"$B/tools/eval_report" --glyphs "$T/bad.tsv" -o "$T/r.html" 2>"$T/err"
check eval_report__bad_confidence__exit1 test $? = 1
check eval_report__bad_confidence__names_line grep -q "bad.tsv:2" "$T/err"
# and a good table: calibration per source on stdout (2 of 3 right)
printf 'src\tA\tA\t0.95\nsrc\tB\tB\t0.85\nsrc\tc\tC\t0.55\n' >"$T/good.tsv"
out=$("$B/tools/eval_report" --glyphs "$T/good.tsv" -o "$T/r.html")
case $out in "CALIB src n=3 top1=66.67 merged=100.00 "*) pass eval_report__merged_lookalike__counted ;;
*) fail eval_report__merged_lookalike__counted "$out" ;; esac
# true "-" (a glyph of a reading with no counterpart in the gold): wrong,
# counted in the calibration, not in the confusions
printf 'src\tA\tA\t0.9\nsrc\t-\tB\t0.9\n' >"$T/nocp.tsv"
out=$("$B/tools/eval_report" --glyphs "$T/nocp.tsv" -o "$T/r.html")
case $out in "CALIB src n=2 top1=50.00 merged=50.00 ece=40.00 "*) pass eval_report__no_counterpart__counted_wrong ;;
*) fail eval_report__no_counterpart__counted_wrong "$out" ;; esac
