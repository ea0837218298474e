#!/usr/bin/env bash
# tests/slurm/spool-cost.sh - what one page costs the spool's filesystem.
#
#   tests/slurm/spool-cost.sh [DIR]    (DIR: where the spool goes; default a
#                                       temp folder; put it on NFS/Lustre to
#                                       measure a shared filesystem)
#
# Runs one `inkpipe work --exit-when-idle` under `strace -f -c` over a job of
# N1 and of N2 composed pages and prints the difference per page, so that
# one-off costs (model load, start-up recovery) drop out: filesystem system
# calls per page, directory entries and inodes left per page, and the time
# a worker spends in the queue operations (tools/spool_bench). Not a test:
# it prints numbers for docs/slurm.md. Needs strace and a built tree.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
B=${BUILD_DIR:-$top/build}
INKPIPE=${INKPIPE:-$top/inkpipe}
N1=${N1:-10}
N2=${N2:-30}
work=${1:-$(mktemp -d "${TMPDIR:-/tmp}/spool-cost.XXXXXX")}
mkdir -p "$work"
cd "$work"
export INKPIPE_MODEL=$work/rand.model OPENBLAS_NUM_THREADS=1
"$B/tools/rec_model" create --seed 7 "$INKPIPE_MODEL" >/dev/null

for n in "$N1" "$N2"; do
    rm -rf "p$n" && mkdir "p$n"
    "$B/tools/compose" --out "p$n/in" --pages "$n" --seed 3 --source hershey \
        --size small --dpi 150 --lines 2 >/dev/null
    rm -f "p$n"/in/*.gt.txt
    printf 'name: c%s\ninput:\n  paths: [in]\noutput:\n  dir: out\nspool: spool\n' \
        "$n" >"p$n/job.yaml"
    "$INKPIPE" submit "p$n/job.yaml" >/dev/null
    strace -f -c -o "strace-$n.txt" "$INKPIPE" work "p$n/job.yaml" --exit-when-idle 2>/dev/null
    got=$(find "p$n/out" -name '*.txt' | wc -l)
    [ "$got" -eq "$n" ] || { echo "spool-cost: only $got of $n pages done" >&2; exit 1; }
    find "p$n/spool" -type f | wc -l >"entries-$n"
    find "p$n/spool" -type f -printf '%i\n' | sort -u | wc -l >"inodes-$n"
done

echo "per page (difference between a $N1-page and a $N2-page job, one worker):"
awk -v n1="$N1" -v n2="$N2" '
    FNR == 1 { f++ }
    # strace -c rows: %time seconds usecs/call calls [errors] syscall
    NF >= 5 && $1 ~ /^[0-9.]+$/ && $4 ~ /^[0-9]+$/ {
        c[f, $NF] = $4; names[$NF] = 1
    }
    END {
        split("openat newfstatat statx getdents64 renameat renameat2 linkat " \
              "unlinkat mkdirat utimensat fsync fdatasync close", want, " ")
        tot = 0
        for (i = 1; i in want; i++) {
            s = want[i]; if (!(s in names)) continue
            d = (c[2, s] - c[1, s]) / (n2 - n1); tot += d
            printf "  %-12s %6.1f\n", s, d
        }
        printf "  %-12s %6.1f  (filesystem calls above)\n", "total", tot
    }' "strace-$N1.txt" "strace-$N2.txt"
e1=$(cat "entries-$N1"); e2=$(cat "entries-$N2")
i1=$(cat "inodes-$N1"); i2=$(cat "inodes-$N2")
awk -v e1="$e1" -v e2="$e2" -v i1="$i1" -v i2="$i2" -v n1="$N1" -v n2="$N2" 'BEGIN {
    printf "  spool entries %5.1f, spool inodes %5.1f (outputs not counted)\n",
        (e2 - e1) / (n2 - n1), (i2 - i1) / (n2 - n1) }'
echo "queue operations (one stage; a page passes 5 stages):"
"$B/tools/spool_bench" "$work" --items 500 --workers 1 | sed 1d
[ $# -eq 0 ] && rm -rf "$work"
exit 0
