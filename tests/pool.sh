# tests/pool.sh - run a suite's programs a few at a time (sourced by
# tests/run.sh and tests/fuzz/run.sh).

# pool_size VAR WHO: the number in $VAR, or one per CPU when it is unset;
# anything but a positive number stops WHO with exit 2.
pool_size() {
    local n=${!1:-$(nproc 2>/dev/null || echo 1)}
    case $n in
    '' | *[!0-9]* | 0) echo "$2: $1 must be a positive number" >&2; exit 2 ;;
    esac
    echo "$n"
}

# pool_run SIZE COUNT START [AFTER]: call START 0 .. COUNT-1, each in the
# background, at most SIZE at once; AFTER (if given) runs each time one
# finishes and once after the last. Returns when all have finished.
pool_run() {
    local size=$1 count=$2 start=$3 after=${4:-:} running=0 i
    for ((i = 0; i < count; i++)); do
        while [ "$running" -ge "$size" ]; do
            wait -n
            running=$((running - 1))
            "$after"
        done
        "$start" "$i" &
        running=$((running + 1))
    done
    wait
    "$after"
}
