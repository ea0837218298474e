#!/usr/bin/env bash
# chaos_late_writer.sh - late writers are fenced. For each stage, worker A
# (host "a") claims an item of that stage, computes its result and is
# stopped just before it publishes it (INKPIPE_FAULT=STAGE:stop,at=publish:
# the stage process stops itself there, like a paused VM; then its worker
# is stopped too, so the claim gets no heartbeat). Worker B (host "b")
# takes the item over once the 2 s lease has run out and finishes the job.
# A is resumed either after B finished ("after") or as soon as the
# item is taken from it ("during": A's resumption races B's claim, sweep
# and publish), or is stopped before it even starts the item and resumed
# the moment it is taken ("early": A stages after B's sweep, and its own
# sweep may remove what B staged: B then runs the item again). Always:
#   - the job ends done (every stage done == total, nothing failed) and
#     the outputs are byte-identical to an undisturbed run;
#   - resumed after B finished, A publishes nothing: the item's artifact
#     (art/KEY.tif|seg|rec) or output files keep the inode B gave them;
#   - A says its claim was lost, and exits 0;
#   - nothing staged is left behind (no stage/ entries in the spool, no
#     hidden file in the output tree).
# Then the case of tests/cli/test_faults.sh late_writer__* on two files at
# once: two stale writers hold the two output items with a stale view (page 2
# failed, retried since) and must not overwrite B's whole outputs.
#
#   tests/chaos/chaos_late_writer.sh   (INKPIPE, BUILD_DIR from the
#                                       environment; tests/chaos/run.sh)
. "$(dirname "$0")/../cli/lib.sh"
. "$(dirname "$0")/../cli/robust_lib.sh"

T=$TEST_TMPDIR
proc_state() { sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1; }
# stopped_child PID: the child of PID that is stopped (1 if none).
stopped_child() {
    local c
    for c in $(children "$1"); do
        [ "$(proc_state "$c")" = T ] && { echo "$c"; return 0; }
    done
    return 1
}
# wait_for SECONDS CMD...: poll until CMD succeeds; 1 on timeout.
wait_for() {
    local limit=$1 i=0; shift
    while ! "$@" >/dev/null 2>&1; do
        sleep 0.1
        i=$((i + 1))
        [ $i -ge $((limit * 10)) ] && return 1
    done
    return 0
}
# claim_of DIR STAGE HOST: the key of an item HOST holds in STAGE.
claim_of() {
    ls "$1/spool/job/$2/claimed" 2>/dev/null | grep "~$3~" | head -n 1 | cut -d'~' -f1
}
# ident DIR STAGE KEY: inode and mtime of what the item published.
ident() {
    local d=$1 st=$2 k=$3 f
    case $st in
    binarize) f=$d/spool/job/art/$k.tif ;;
    segment) f=$d/spool/job/art/$k.seg ;;
    recognize) f=$d/spool/job/art/$k.rec ;;
    output) f=$(ls "$d"/out/*.txt "$d"/out/*.hocr 2>/dev/null) ;;
    *) echo none; return ;;
    esac
    stat -c '%i %Y.%y' $f 2>/dev/null
}
# The stages that run before each one.
declare -A before=([ingest]="" [binarize]="ingest" [segment]="ingest binarize"
    [recognize]="ingest binarize segment" [output]="ingest binarize segment recognize")

JOBYAML=("lease:" "  seconds: 2" "limits:" "  page_timeout: 120")
mkjob "$T/ref"
page "$T/ref/in/a.png" 71
page "$T/ref/in/b.png" 72
page "$T/ref/in/m.tif" 73 3
(cd "$T/ref" && "$INKPIPE" run job.yaml --quiet) >/dev/null 2>&1
check late__reference_run__exit_0 all_done "$T/ref/job.yaml"

for st in ingest binarize segment recognize output; do
    for when in after during early; do
        name=${st}_$when
        at=,at=publish
        [ $when = early ] && at=
        D=$T/$name
        mkjob "$D" "${JOBYAML[@]}"
        cp "$T/ref/in/"* "$D/in/"
        cd "$D" || exit 1
        "$INKPIPE" submit job.yaml >/dev/null
        if [ -n "${before[$st]}" ]; then
            args=()
            for s in ${before[$st]}; do args+=(--stage "$s"); done
            INKPIPE_HOST=p timeout 120 "$INKPIPE" work job.yaml "${args[@]}" --exit-when-idle >/dev/null 2>&1
        fi
        INKPIPE_HOST=a INKPIPE_FAULT=$st:stop$at "$INKPIPE" work job.yaml \
            --stage "$st" --exit-when-idle >"$T/$name.a.log" 2>&1 &
        wa=$!
        if ! wait_for 60 stopped_child $wa; then
            fail "late_${name}__a_reached_publish" "worker A never stopped at its publish point"
            kill -9 $wa $(children $wa) 2>/dev/null
            cd "$T" || exit 1
            continue
        fi
        ca=$(stopped_child $wa)
        kill -STOP $wa
        key=$(claim_of "$D" "$st" a)
        t0=$(date +%s.%N)
        INKPIPE_HOST=b timeout 300 "$INKPIPE" work job.yaml --exit-when-idle >"$T/$name.b.log" 2>&1 &
        wb=$!
        if [ $when != after ]; then
            # resume A the moment its claim is taken back: it races B,
            # which claims the item, sweeps its staging folder, publishes
            aclaim=$(ls "$D/spool/job/$st/claimed" | grep "^$key~a~")
            wait_for 60 eval '[ ! -e "$D/spool/job/$st/claimed/$aclaim" ]'
            kill -CONT $ca $wa
            wait $wb; rcb=$?
        else
            wait $wb; rcb=$?
            id_b=$(ident "$D" "$st" "$key")
            sums_b=$(tree_sums "$D/out")
            kill -CONT $ca $wa
        fi
        timeout 60 tail --pid=$wa -f /dev/null
        wait $wa; rca=$?
        took=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
        echo "  $name: A held $st $key; B took it over and finished in ${took}s"
        [ -n "$key" ] || fail "late_${name}__a_held_an_item"
        check "late_${name}__both_workers_exit_0" eval '[ $rca -eq 0 ] && [ $rcb -eq 0 ]'
        check "late_${name}__job_done" all_done job.yaml
        check "late_${name}__outputs_identical_to_undisturbed" eval \
            '[ "$(tree_sums "$T/ref/out")" = "$(tree_sums "$D/out")" ]'
        check "late_${name}__a_knows_it_lost_the_claim" grep -q "taken over\|lost" "$T/$name.a.log"
        if [ $when = after ]; then
            check "late_${name}__a_published_nothing_after_b" eval \
                '[ "$(ident "$D" "$st" "$key")" = "$id_b" ] && [ "$(tree_sums "$D/out")" = "$sums_b" ]'
        fi
        check "late_${name}__nothing_staged_left" eval \
            '[ -z "$(find "$D/out" -name ".*")" ] && [ -z "$(find "$D/spool/job" -path "*/stage/*")" ]'
        grep -h "inkpipe: .*\(lost\|taken over\|run again\)" "$T/$name.a.log" "$T/$name.b.log" | sed 's/^/    /'
        cd "$T" || exit 1
    done
done

# Two files, each with page 2 failed, then retried: A holds both output
# items with the stale view (page 2 empty) while B writes them whole.
D=$T/view
mkjob "$D" "${JOBYAML[@]}"
page "$D/in/x.tif" 81 3
page "$D/in/y.tif" 82 3
mkjob "$T/viewref"
cp "$D/in/"* "$T/viewref/in/"
(cd "$T/viewref" && "$INKPIPE" run job.yaml --quiet) >/dev/null 2>&1
cd "$D" || exit 1
"$INKPIPE" submit job.yaml >/dev/null
INKPIPE_HOST=p INKPIPE_FAULT=recognize:crash,page=2 timeout 120 "$INKPIPE" work job.yaml \
    --stage ingest --stage binarize --stage segment --stage recognize --exit-when-idle >/dev/null 2>&1
pids=() kids=()
for i in 1 2; do
    INKPIPE_HOST=a$i INKPIPE_FAULT=output:stop,at=publish "$INKPIPE" work job.yaml \
        --stage output --exit-when-idle >"$T/view.a$i.log" 2>&1 &
    pids+=($!)
    if wait_for 60 stopped_child $!; then
        kids+=($(stopped_child $!))
        kill -STOP $!
    fi
done
check late_view__two_stale_writers_stopped [ ${#kids[@]} -eq 2 ]
"$INKPIPE" retry job.yaml >/dev/null
INKPIPE_HOST=b timeout 300 "$INKPIPE" work job.yaml --exit-when-idle >"$T/view.b.log" 2>&1
rcb=$?
sums_b=$(tree_sums "$D/out")
check late_view__b_wrote_whole_outputs eval \
    '[ $rcb -eq 0 ] && [ "$sums_b" = "$(tree_sums "$T/viewref/out")" ] && all_done job.yaml'
kill -CONT "${kids[@]}" "${pids[@]}"
for p in "${pids[@]}"; do
    timeout 60 tail --pid=$p -f /dev/null
    wait $p
done
check late_view__stale_writers_overwrote_nothing eval \
    '[ "$(tree_sums "$D/out")" = "$sums_b" ] && all_done job.yaml'
check late_view__nothing_staged_left eval \
    '[ -z "$(find "$D/out" -name ".*")" ] && [ -z "$(find "$D/spool/job" -path "*/stage/*")" ]'
cd "$T" || exit 1
