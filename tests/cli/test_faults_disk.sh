#!/usr/bin/env bash
# test_faults_disk.sh - a full disk. The spool, then the output folder, is
# a small tmpfs nearly filled by a ballast file: `inkpipe run` stops with
# exit 1 and "No space left on device ... run the job again", fails no
# item (a full disk is not the page's fault), leaves no temporary or
# truncated file behind (every output present is byte-identical to an
# undisturbed run's); once the ballast is removed, `inkpipe run` finishes
# the same job with the same bytes. Needs root (mount); skipped otherwise.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/robust_lib.sh"

T=$TEST_TMPDIR
export INKPIPE_FSYNC=1
mounts=()
cleanup() {
    local m
    for m in "${mounts[@]}"; do umount "$m" 2>/dev/null; done
}
trap cleanup EXIT

probe=$T/probe
mkdir -p "$probe"
if [ "$(id -u)" -ne 0 ] || ! mount -t tmpfs -o size=64k tmpfs "$probe" 2>/dev/null; then
    echo "SKIP disk_full (needs root and tmpfs mounts)"
    exit 0
fi
umount "$probe"

# Reference: an undisturbed run.
mkjob "$T/ref"
for i in $(seq 1 8); do page "$T/ref/in/p$i.png" $((50 + i)) 1 600x300; done
(cd "$T/ref" && "$INKPIPE" run job.yaml --quiet) >/dev/null 2>&1
check disk_full__reference_run__exit_0 [ -s "$T/ref/out/p8.hocr" ]

# full_case NAME DIR SIZE FREE: job NAME with DIR (spool or out) on a tmpfs
# of SIZE KB whose ballast leaves FREE KB.
full_case() {
    local name=$1 dir=$2 size=$3 free=$4 d=$T/$1 rc
    mkjob "$d"
    cp "$T/ref/in/"*.png "$d/in/"
    mkdir -p "$d/$dir"
    mount -t tmpfs -o size=${size}k tmpfs "$d/$dir" || { fail "disk_full__${name}__mount"; return; }
    mounts+=("$d/$dir")
    dd if=/dev/zero of="$d/$dir/ballast" bs=1k count=$((size - free)) 2>/dev/null
    (cd "$d" && timeout 120 "$INKPIPE" run job.yaml --workers 2) >"$T/$name.log" 2>&1
    rc=$?
    check "disk_full__${name}__stops_exit_1" [ $rc -eq 1 ]
    check "disk_full__${name}__clear_message" \
        grep -q 'No space left on device.*run the job again' "$T/$name.log"
    check "disk_full__${name}__no_item_failed" eval \
        '! "$INKPIPE" status "$d/job.yaml" --json | grep -q "\"failed\":[1-9]"'
    check "disk_full__${name}__no_temp_files_left" eval \
        '[ -z "$(find "$d/spool" "$d/out" -name ".*.tmp.*" 2>/dev/null)" ]'
    local bad=0 f
    for f in $(cd "$d/out" 2>/dev/null && ls *.txt *.hocr 2>/dev/null); do
        cmp -s "$T/ref/out/$f" "$d/out/$f" || { bad=1; echo "  differs: $f"; }
    done
    check "disk_full__${name}__outputs_present_are_whole" [ $bad = 0 ]
    echo "  $name: $(ls "$d/out" 2>/dev/null | grep -c 'hocr$') of 8 files written before the disk filled"
    # Free the space and run again: the job finishes, same bytes.
    rm -f "$d/$dir/ballast"
    (cd "$d" && timeout 120 "$INKPIPE" run job.yaml --workers 2 --quiet) >"$T/$name.2.log" 2>&1
    rc=$?
    check "disk_full__${name}__after_space_freed_run_finishes" eval '[ $rc -eq 0 ] && all_done "$d/job.yaml"'
    check "disk_full__${name}__outputs_identical_to_undisturbed" eval \
        '[ "$(tree_sums "$T/ref/out")" = "$(tree_sums "$d/out")" ]'
}
full_case spool spool 2048 120
full_case output out 512 20
