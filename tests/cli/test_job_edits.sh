#!/usr/bin/env bash
# test_job_edits.sh - a job edited between runs (issue 12 item 4). The
# spool records the settings its results were made with; `run` after an
# edit redoes exactly the stages the edit affects, for every page, and the
# outputs equal those of a fresh job with the new settings:
#   output.dir / output.formats  -> output only (the new folder gets the
#                                   files, in the new formats)
#   binarize.*                   -> binarize, segment, recognize, output
#   segment.*, recognize.charset, the model file -> segment and later
#   recognize.context, recognize.lexicon (its bytes) -> recognize, output
# Which items ran is read from INKPIPE_TRACE ("STAGE KEY PID" per item).
# `work` refuses an edited job (exit 1, naming the change); a redo marked
# as cut short is finished by the next run; a claim that may be live
# blocks a redo (exit 1) instead of mixing settings.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/robust_lib.sh"

T=$TEST_TMPDIR

HOST=$(cat /proc/sys/kernel/hostname)

# job_yaml OUT FORMATS [YAML...]: T/e/job.yaml reading in/, writing OUT in
# FORMATS ("[txt, hocr]"), with the model m.model and $REC (lines under
# recognize:); the other lines are appended (top-level keys).
REC=
job_yaml() {
    local out=$1 formats=$2 l; shift 2
    {
        echo "input:"
        echo "  paths: [in]"
        echo "output:"
        echo "  dir: $out"
        echo "  formats: $formats"
        for l in "$@"; do echo "$l"; done
        echo "recognize:"
        echo "  model: m.model"
        [ -n "$REC" ] && printf '%s\n' "$REC"
    } >"$T/e/job.yaml"
}

# run_traced LOG: `inkpipe run` of T/e with a fresh trace in T/e/trace;
# sets rc.
run_traced() {
    rm -f "$T/e/trace"
    (cd "$T/e" && INKPIPE_TRACE="$T/e/trace" "$INKPIPE" run job.yaml) >"$1" 2>&1
    rc=$?
}

# ran STAGE: items of STAGE in the last trace.
ran() {
    local n
    n=$(grep -c "^$1 " "$T/e/trace" 2>/dev/null)
    echo "${n:-0}"
}

# fresh NAME: a new job T/NAME with T/e's inputs, model and job file, run
# once (what the edited job must equal).
fresh() {
    rm -rf "${T:?}/$1"
    mkdir -p "$T/$1"
    cp -r "$T/e/in" "$T/e/m.model" "$T/e/job.yaml" "$T/$1/"
    (cd "$T/$1" && "$INKPIPE" run job.yaml --quiet) >/dev/null 2>&1
}

# same_out NAME: T/e/out2 equals T/NAME/out2, byte for byte.
same_out() {
    [ -n "$(ls "$T/$1/out2" 2>/dev/null)" ] &&
        [ "$(tree_sums "$T/e/out2")" = "$(tree_sums "$T/$1/out2")" ] || {
        echo "  $T/e/out2 and $T/$1/out2 differ"
        return 1
    }
}

mkdir -p "$T/e/in"
model "$T/e/m.model"
page "$T/e/in/p1.png" 1
page "$T/e/in/p2.png" 2
page "$T/e/in/m.tif" 3 2
job_yaml out "[txt, hocr]"
run_traced "$T/e0.log"
check edits__first_run__exit_0 eval '[ $rc -eq 0 ] && [ -s "$T/e/out/m.hocr" ]'
check edits__first_run__settings_recorded grep -q '^segment recognize.model=' "$T/e/spool/job/settings"

# ---- output only: a new folder and one format --------------------------
job_yaml out2 "[hocr]"
run_traced "$T/e1.log"
check edits__output_dir_and_formats__exit_0_and_change_named eval \
    '[ $rc -eq 0 ] && grep -q "output.dir .*/out -> .*/out2" "$T/e1.log" && grep -q "output.formats txt,hocr -> hocr" "$T/e1.log"'
check edits__output_dir_and_formats__new_folder_has_the_files eval \
    '[ -s "$T/e/out2/p1.hocr" ] && [ -s "$T/e/out2/p2.hocr" ] && [ -s "$T/e/out2/m.hocr" ] && ! ls "$T/e/out2" | grep -q txt'
check edits__output_dir_and_formats__only_output_redone eval \
    '[ "$(ran output)" -eq 3 ] && [ "$(ran binarize)" -eq 0 ] && [ "$(ran segment)" -eq 0 ] && [ "$(ran recognize)" -eq 0 ]'
check edits__output_dir_and_formats__summary_names_new_folder eval 'grep -q "3 files written in .*outputs in $T/e/out2" "$T/e1.log"'
fresh f1
check edits__output_dir_and_formats__same_as_fresh_job same_out f1

# ---- binarize.*: binarize and every later stage -------------------------
job_yaml out2 "[hocr]" "binarize:" "  method: otsu"
run_traced "$T/e2.log"
check edits__binarize__redone_from_binarize eval \
    '[ $rc -eq 0 ] && [ "$(ran ingest)" -eq 0 ] && [ "$(ran binarize)" -eq 4 ] && [ "$(ran segment)" -eq 4 ] && [ "$(ran recognize)" -eq 4 ] && [ "$(ran output)" -eq 3 ]'
check edits__binarize__change_named grep -q "binarize.method sauvola -> otsu" "$T/e2.log"
check edits__binarize__counts_not_doubled eval \
    '[ "$(stage_count "$T/e/job.yaml" binarize total)" -eq 4 ] && all_done "$T/e/job.yaml"'
fresh f2
check edits__binarize__same_as_fresh_job same_out f2

# ---- segment.* and recognize.charset: from segment on ------------------
REC="  charset: digits"
job_yaml out2 "[hocr]" "binarize:" "  method: otsu" "segment:" "  split_touching: false"
run_traced "$T/e3.log"
check edits__segment_and_charset__redone_from_segment eval \
    '[ $rc -eq 0 ] && [ "$(ran binarize)" -eq 0 ] && [ "$(ran segment)" -eq 4 ] && [ "$(ran recognize)" -eq 4 ] && [ "$(ran output)" -eq 3 ]'
fresh f3
check edits__segment_and_charset__same_as_fresh_job same_out f3

# ---- the model file replaced (same path): from segment on ---------------
"$REC_MODEL" create --arch c4,p,c8,p,f62 --seed 2 "$T/m2.model" >/dev/null
cp "$T/m2.model" "$T/e/m.model"
run_traced "$T/e4.log"
check edits__model_replaced__redone_from_segment eval \
    '[ $rc -eq 0 ] && grep -q "recognize.model (the file changed)" "$T/e4.log" && [ "$(ran binarize)" -eq 0 ] && [ "$(ran segment)" -eq 4 ] && [ "$(ran recognize)" -eq 4 ]'
fresh f4
check edits__model_replaced__same_as_fresh_job same_out f4
# the same bytes again (a copy: new mtime) change nothing
cp "$T/m2.model" "$T/e/m.model"
run_traced "$T/e5.log"
check edits__model_same_bytes__nothing_redone eval \
    '[ $rc -eq 0 ] && [ ! -s "$T/e/trace" ] && ! grep -q "settings changed" "$T/e5.log"'

# ---- recognize.context: recognize and output only -----------------------
REC=$(printf '  charset: digits\n  context: false')
job_yaml out2 "[hocr]" "binarize:" "  method: otsu" "segment:" "  split_touching: false"
run_traced "$T/e6.log"
check edits__context__redone_from_recognize eval \
    '[ $rc -eq 0 ] && [ "$(ran segment)" -eq 0 ] && [ "$(ran recognize)" -eq 4 ] && [ "$(ran output)" -eq 3 ]'

# ---- recognize.lexicon, then the lexicon file's bytes: recognize on ----
printf 'HELLO\nWORLD\n' >"$T/e/lex.txt"
REC=$(printf '  charset: digits\n  context: false\n  lexicon: lex.txt')
job_yaml out2 "[hocr]" "binarize:" "  method: otsu" "segment:" "  split_touching: false"
run_traced "$T/e6b.log"
check edits__lexicon_set__redone_from_recognize eval \
    '[ $rc -eq 0 ] && grep -q "recognize.lexicon none -> " "$T/e6b.log" && [ "$(ran segment)" -eq 0 ] && [ "$(ran recognize)" -eq 4 ] && [ "$(ran output)" -eq 3 ]'
printf 'PAGE\nTEXT\n' >"$T/e/lex.txt"
run_traced "$T/e6c.log"
check edits__lexicon_file_changed__redone_from_recognize eval \
    '[ $rc -eq 0 ] && grep -q "recognize.lexicon (the file changed)" "$T/e6c.log" && [ "$(ran segment)" -eq 0 ] && [ "$(ran recognize)" -eq 4 ]'
REC=$(printf '  charset: digits\n  context: false')

# ---- `work` refuses an edited job; `submit` redoes, then work finishes --
REC="  charset: digits"
job_yaml out2 "[hocr]" "binarize:" "  method: otsu" "segment:" "  split_touching: false"
(cd "$T/e" && "$INKPIPE" work job.yaml --exit-when-idle) >"$T/e7.log" 2>&1
rc=$?
check edits__work__refuses_naming_change eval \
    '[ $rc -eq 1 ] && grep -q "recognize.context false -> true" "$T/e7.log" && grep -q "inkpipe submit" "$T/e7.log"'
(cd "$T/e" && "$INKPIPE" submit job.yaml && "$INKPIPE" work job.yaml --exit-when-idle) >"$T/e8.log" 2>&1
rc=$?
check edits__submit_then_work__finishes eval '[ $rc -eq 0 ] && all_done "$T/e/job.yaml"'
check edits__submit_then_work__same_as_fresh_job same_out f4

# ---- a redo cut short is finished by the next run -----------------------
# (what a kill between the settings' "redo=" line and its removal leaves)
sed -i '3a redo=segment' "$T/e/spool/job/settings"
run_traced "$T/e9.log"
check edits__redo_cut_short__finished_next_run eval \
    '[ $rc -eq 0 ] && grep -q "cut short" "$T/e9.log" && [ "$(ran segment)" -eq 4 ] && ! grep -q "^redo=" "$T/e/spool/job/settings"'
check edits__redo_cut_short__same_as_fresh_job same_out f4

# ---- a claim that may be live blocks a redo ----------------------------
# A planted claim held by this shell (alive, with its own start time).
q=$T/e/spool/job/output
k=$(ls "$q/done" | head -n 1)
start=$(sed 's/.*) //' /proc/$$/stat | awk '{ print $20 }')
mv "$q/done/$k" "$q/claimed/$k~$HOST~$$~$start"
job_yaml out2 "[txt]" "binarize:" "  method: otsu" "segment:" "  split_touching: false"
run_traced "$T/e10.log"
check edits__live_claim__redo_refused eval \
    '[ $rc -eq 1 ] && grep -q "being worked on" "$T/e10.log" && grep -q "pid $$" "$T/e10.log" && [ ! -e "$T/e/out2/p1.txt" ]'
mv "$q/claimed/$k~$HOST~$$~$start" "$q/done/$k"
run_traced "$T/e11.log"
check edits__live_claim_gone__redo_runs eval '[ $rc -eq 0 ] && [ -s "$T/e/out2/p1.txt" ]'

# ---- a format added (alto): output only ----------------------------------
job_yaml out2 "[txt, alto]" "binarize:" "  method: otsu" "segment:" "  split_touching: false"
run_traced "$T/e12.log"
check edits__format_added__output_only_alto_written eval \
    '[ $rc -eq 0 ] && grep -q "output.formats txt -> txt,alto" "$T/e12.log" && [ "$(ran recognize)" -eq 0 ] && [ "$(ran output)" -eq 3 ] && [ -s "$T/e/out2/m.alto.xml" ]'
