#!/usr/bin/env bash
# test_nightly.sh - one job run night after night over a folder that
# changes (issue 16): new and changed scans are redone and nothing else, a
# touched file is not, a deleted output folder is written again, a broken
# file removed or fixed stops failing, removed inputs are reported (and
# pruned on demand), files that are not read are listed with the reason,
# each run says what it did and leaves a JSON report; after each night the
# outputs equal those of a fresh job over that night's folder.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/robust_lib.sh"

T=$TEST_TMPDIR
mkdir -p "$T/hostile"
"$HOSTILE" "$T/hostile" >/dev/null
if ! command -v jq >/dev/null; then
    fail setup "jq is missing (tools/deps.sh test installs it)"
    exit 1
fi

J=$T/n/job.yaml
IN=$T/n/in
SPOOL=$T/n/spool/job

# jqe ARGS...: jq -e's exit status only.
jqe() { jq -e "$@" >/dev/null; }
# night NAME: run the job with a trace of the items run; sets rc, LOG
# ($T/NAME.log) and TRACE ($T/NAME.trace).
night() {
    LOG=$T/$1.log
    TRACE=$T/$1.trace
    : >"$TRACE"
    INKPIPE_TRACE=$TRACE "$INKPIPE" run "$J" "${@:2}" >"$LOG" 2>&1
    rc=$?
}
# ran STAGE: items of STAGE run in the last night.
ran() { grep -c "^$1 " "$TRACE"; }
# same_as_fresh NAME: the outputs equal those of a fresh job over a copy
# of today's folder (the hOCR names its image: the folder is mapped).
same_as_fresh() {
    local f=$T/fresh-$1
    rm -rf "$f"
    mkjob "$f"
    cp -a "$IN/." "$f/in/"
    "$INKPIPE" run "$f/job.yaml" >"$f.log" 2>&1
    diff <(cd "$f/out" && find . -type f | sort) \
        <(cd "$T/n/out" && find . -type f | sort) >/dev/null || {
        echo "  $1: output files differ from a fresh job's"
        return 1
    }
    local x
    for x in $(cd "$f/out" && find . -type f); do
        sed "s#$f/#$T/n/#g" "$f/out/$x" | cmp -s - "$T/n/out/$x" ||
            { echo "  $1: $x differs"; return 1; }
    done
}

# --- night 1: three scans -------------------------------------------------
mkjob "$T/n"
page "$IN/a.png" 1
page "$IN/b.png" 2
page "$IN/c.tif" 3 2
night n1
check night1__exit_0 [ $rc -eq 0 ]
check night1__summary__this_run_pages eval \
    'grep -q "this run: 4 pages done, 0 failed, 3 files written in" "$LOG"'
check night1__same_as_fresh same_as_fresh n1
check night1__run_report__kept eval '[ "$(ls "$SPOOL/runs" | wc -l)" = 1 ]'
R=$(ls "$SPOOL"/runs/*.json | tail -n 1)
check run_report__fields jqe \
    '(.start | test("^20[0-9-]+T[0-9:]+Z$")) and (.end | type == "string") and
     .this_run.pages_done == 4 and .inputs.new == 3 and .job_total.pages == 4 and
     .exit_code == 0 and .peak_rss_kb.run > 0 and .peak_rss_kb.workers > 0' "$R"

# --- night 2: nothing new -------------------------------------------------
night n2
check nothing_new__exit_0 [ $rc -eq 0 ]
check nothing_new__no_item_run [ ! -s "$TRACE" ]
check nothing_new__summary_says_0_pages_3_unchanged \
    grep -q "this run: 0 pages (3 unchanged), 0 files written in" "$LOG"
check nothing_new__no_rate eval '! grep -q "pages/s" "$LOG"'

# --- touched, not changed: nothing redone ---------------------------------
touch -d '2030-01-01' "$IN/a.png"
night touched
check touched_same_bytes__nothing_redone eval '[ $rc -eq 0 ] && [ ! -s "$TRACE" ]'
check touched_same_bytes__summary_unchanged grep -q "0 new, 0 changed, 3 unchanged" "$LOG"

# --- a record written by an earlier inkpipe (SPOOL/inputs version 1) -----
sed -i '1s/^# inkpipe inputs 2$/# inkpipe inputs 1/' "$SPOOL/inputs"
night v1record
check inputs_v1_record__read_nothing_redone eval '[ $rc -eq 0 ] && [ ! -s "$TRACE" ]'
check inputs_v1_record__rewritten_as_v2 eval \
    '[ "$(head -1 "$SPOOL/inputs")" = "# inkpipe inputs 2" ]'
sed -i '1s/^.*$/# inkpipe inputs 9/' "$SPOOL/inputs"
night v9record
check inputs_unknown_version__refused_naming_file eval \
    '[ $rc -ne 0 ] && grep -q "inputs.*not an inputs record" "$LOG"'
sed -i '1s/^.*$/# inkpipe inputs 2/' "$SPOOL/inputs"

# --- a re-scan replaces a file --------------------------------------------
before=$(cat "$T/n/out/a.txt")
page "$IN/a.png" 11
night rescan
check rescan_replaced__exit_0 [ $rc -eq 0 ]
check rescan_replaced__only_it_redone eval \
    '[ "$(ran ingest)" = 1 ] && [ "$(ran recognize)" = 1 ] && [ "$(ran output)" = 1 ]'
check rescan_replaced__summary_one_changed eval \
    'grep -q "this run: 1 pages done, 0 failed, 1 files written in .*0 new, 1 changed, 2 unchanged" "$LOG"'
check rescan_replaced__text_new eval '[ "$(cat "$T/n/out/a.txt")" != "$before" ]'
check rescan_replaced__same_as_fresh same_as_fresh rescan

# --- the output folder deleted --------------------------------------------
rm -rf "$T/n/out"
night outdel
check output_folder_deleted__exit_0 [ $rc -eq 0 ]
check output_folder_deleted__written_again_without_decoding eval \
    '[ "$(ran output)" = 3 ] && [ "$(ran binarize)" = 0 ] && [ "$(ran recognize)" = 0 ]'
check output_folder_deleted__summary_3_files_written \
    grep -q "this run: 0 pages (3 unchanged), 3 files written in" "$LOG"
check output_folder_deleted__same_as_fresh same_as_fresh outdel
rm "$T/n/out/b.hocr"
night onedel
check output_file_deleted__that_file_written_again eval \
    '[ $rc -eq 0 ] && [ "$(ran output)" = 1 ] && [ -s "$T/n/out/b.hocr" ]'

# --- a broken file, removed, then retry + run -----------------------------
cp "$T/hostile/truncated-png.png" "$IN/broken.png"
night broken
check broken_file__exit_3 [ $rc -eq 3 ]
rm "$IN/broken.png"
"$INKPIPE" retry "$J" >/dev/null 2>&1
night broken_gone
check broken_file_removed_retry_run__exit_0 [ $rc -eq 0 ]
check broken_file_removed_retry_run__line_names_it \
    grep -q "broken.png was removed from the inputs (it had no outputs)" "$LOG"
check broken_file_removed_retry_run__status_no_failure eval \
    '[ "$(status_json "$J" | jq ".failed | length")" = 0 ]'
night after_broken
check broken_file_removed__next_night_exit_0_quiet eval \
    '[ $rc -eq 0 ] && ! grep -q broken "$LOG"'

# --- a broken file removed, then run (no retry) ---------------------------
cp "$T/hostile/truncated-png.png" "$IN/broken2.png"
night broken2
rm "$IN/broken2.png"
night broken2_gone
check broken_file_removed_run__exit_0 eval \
    '[ $rc -eq 0 ] && grep -q "broken2.png is gone: its failure dropped" "$LOG"'

# --- a broken file removed the night new files arrive ---------------------
cp "$T/hostile/truncated-png.png" "$IN/broken3.png"
night broken3
rm "$IN/broken3.png"
for i in 1 2 3 4 5 6; do page "$IN/z$i.png" $((60 + i)); done
night broken3_gone
check broken_file_removed_new_files_added__named_exit_0 eval \
    '[ $rc -eq 0 ] && grep -q "in/broken3.png is gone: its failure dropped" "$LOG" && [ -s "$T/n/out/z6.txt" ]'
rm "$IN"/z?.png
night z_gone --prune

# --- a broken file fixed: retried by itself --------------------------------
cp "$T/hostile/truncated-png.png" "$IN/fixme.png"
night fixme
check broken_file_fixed__first_exit_3 [ $rc -eq 3 ]
page "$IN/fixme.png" 21
night fixed
check broken_file_fixed__exit_0_only_it_run eval \
    '[ $rc -eq 0 ] && [ "$(ran ingest)" = 1 ] && [ "$(ran output)" = 1 ] && [ -s "$T/n/out/fixme.txt" ]'
check broken_file_fixed__same_as_fresh same_as_fresh fixed

# --- a good file replaced by a broken one: its stale outputs go -----------
cp "$T/hostile/truncated-png.png" "$IN/fixme.png"
night rebroken
check changed_to_broken__exit_3_outputs_removed eval \
    '[ $rc -eq 3 ] && [ ! -e "$T/n/out/fixme.txt" ] && [ ! -e "$T/n/out/fixme.hocr" ]'
rm "$IN/fixme.png"
night rebroken_gone
check changed_to_broken_then_removed__exit_0 [ $rc -eq 0 ]

# --- removed inputs: reported, outputs kept; --prune removes them ---------
rm "$IN/b.png"
night removed
check removed__reported_outputs_kept eval \
    '[ $rc -eq 0 ] && grep -q "b.png was removed from the inputs; its outputs stay" "$LOG" && [ -s "$T/n/out/b.txt" ]'
night pruned --prune
check removed__prune__outputs_removed eval \
    '[ $rc -eq 0 ] && [ ! -e "$T/n/out/b.txt" ] && [ ! -e "$T/n/out/b.hocr" ]'
check removed__prune__same_as_fresh same_as_fresh pruned

# --- a folder with a .docx, .txt files and an extension-less scan ---------
# (PDFs are inputs now: test_pdf_input.sh)
cp "$IN/a.png" "$IN/scan"
printf 'PK\003\004' >"$IN/doc.docx"
echo "notes" >"$IN/notes.txt"
cp "$IN/a.png" "$IN/.hidden.png"
night mixed
check folder_mixed__exit_0 [ $rc -eq 0 ]
check folder_mixed__summary_counts_skipped grep -q "4 skipped as unsupported" "$LOG"
check folder_mixed__docx_listed_with_reason grep -q "skipped .*/doc.docx: .docx is not an image type" "$LOG"
check folder_mixed__txt_listed_with_reason grep -q "skipped .*/notes.txt: .txt is not an image type" "$LOG"
check folder_mixed__no_extension_listed grep -q "skipped .*/scan: no extension" "$LOG"
check folder_mixed__hidden_listed grep -q "skipped .*/.hidden.png: hidden file" "$LOG"
"$INKPIPE" status "$J" >"$T/status.txt" 2>&1
check folder_mixed__status_counts_inputs grep -q "inputs: 2 files: 2 done, 0 failed, 0 pending; 0 removed (outputs kept); 4 skipped as unsupported" "$T/status.txt"
check folder_mixed__status_json_skipped eval \
    '[ "$(status_json "$J" | jq -c "[.inputs.skipped[].reason | split(\" \")[0]] | sort")" = "[\".docx\",\".txt\",\"hidden\",\"no\"]" ]'
check folder_mixed__same_as_fresh same_as_fresh mixed

# --- an old spool (no input record): works, and says so -------------------
rm "$SPOOL/inputs"
night legacy
check old_spool__exit_0_nothing_redone_message eval \
    '[ $rc -eq 0 ] && [ ! -s "$TRACE" ] && grep -q "made by an older inkpipe" "$LOG"'
night legacy2
check old_spool__next_run_quiet eval '[ $rc -eq 0 ] && ! grep -q "older inkpipe" "$LOG"'
printf 'garbage\n' >"$SPOOL/inputs"
night damaged
check damaged_record__refused_with_message eval \
    '[ $rc -ne 0 ] && [ $rc -ne 3 ] && grep -q "not an inputs record" "$LOG"'

# --- crash safety: a submit killed before it recorded the inputs ----------
# (state as after a kill -9 between forgetting/enqueueing and writing
# SPOOL/inputs: the old record with the new queues)
printf '' >"$SPOOL/inputs" && rm "$SPOOL/inputs"
night rerecord
cp "$SPOOL/inputs" "$T/inputs.old"
page "$IN/c.tif" 31 3
page "$IN/d.png" 32
"$INKPIPE" submit "$J" >/dev/null 2>&1
cp "$T/inputs.old" "$SPOOL/inputs"
night after_kill
check killed_before_record__rerun_exit_0 [ $rc -eq 0 ]
check killed_before_record__same_as_fresh same_as_fresh after_kill
night after_kill2
check killed_before_record__next_night_nothing_run [ ! -s "$TRACE" ]

# --- crash safety: kill -9 of the workers while changed files are redone --
page "$IN/c.tif" 41 4
page "$IN/a.png" 42
page "$IN/e.png" 43
(INKPIPE_FAULT=binarize:sleep=0.3 exec "$INKPIPE" run "$J" --workers 2 --quiet) >"$T/killed.log" 2>&1 &
runpid=$!
# Kill the 2 workers and the 6 the run starts in their place (it gives up
# then), then stop: a live child only (a zombie "dies" again), and no more
# once the run is on its way out (under ASan its leak check clones a
# tracer child, which must not be killed).
kills=0
for _ in $(seq 1 100); do
    sleep 0.2
    kill -0 $runpid 2>/dev/null || break
    for w in $(children $runpid); do
        [ $kills -lt 8 ] || break
        [ "$(awk '{print $3}' /proc/"$w"/stat 2>/dev/null)" = Z ] && continue
        kill -9 "$w" 2>/dev/null && kills=$((kills + 1))
    done
    [ $kills -lt 8 ] || break
done
wait $runpid
killed_rc=$?
echo "  kill9_mid_redo: $kills workers killed, the run ended with $killed_rc"
night after_kill9
check kill9_mid_redo__workers_were_killed [ $kills -ge 3 ]
check kill9_mid_redo__rerun_exit_0 [ $rc -eq 0 ]
check kill9_mid_redo__same_as_fresh same_as_fresh after_kill9

# --- nothing queued, but a file's last page failed as its worker was killed
# (its output never enqueued): the run settles it, as a worker would -------
cp "$T/hostile/multipage-broken.tif" "$IN/mb.tif"
night mb
key=$(basename "$(ls "$SPOOL"/output/done/ | while read -r k; do grep -l "mb.tif" "$SPOOL/output/seen/$k" >/dev/null 2>&1 && echo "$k"; done | head -n 1)")
rm -f "$SPOOL/output/seen/$key" "$SPOOL/output/done/$key" "$T/n/out/mb.txt" "$T/n/out/mb.hocr"
night mb_settle
check killed_before_settling__output_written eval \
    '[ $rc -eq 3 ] && [ -n "$key" ] && [ -s "$T/n/out/mb.txt" ] && [ "$(ran output)" = 1 ]'
