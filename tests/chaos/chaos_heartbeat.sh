#!/usr/bin/env bash
# chaos_heartbeat.sh - a real worker's heartbeat keeps a long page's claim:
# worker A (host "a") takes the dot-storm page's recognize item (90 000
# glyph candidates: ~4 s of work; its segment item takes a tenth of a
# second now, too short to watch) under a 1 s
# lease; worker B (host "b", recognize stage only) watches the whole time.
# B must never take the item over (its summary: 0 items) and A must never
# find its claim lost.
. "$(dirname "$0")/../cli/lib.sh"
. "$(dirname "$0")/../cli/robust_lib.sh"

T=$TEST_TMPDIR
claimed_n() { ls "$1/spool/job/$2/claimed" 2>/dev/null | wc -l; }
mkjob "$T/hb" "lease:" "  seconds: 1" "limits:" "  page_timeout: 8"
"$HOSTILE" --one dot-storm.png "$T/hb/in/storm.png"
"$INKPIPE" submit "$T/hb/job.yaml" >/dev/null
INKPIPE_HOST=a "$INKPIPE" work "$T/hb/job.yaml" --exit-when-idle >"$T/a.log" 2>&1 &
wa=$!
i=0
while [ "$(claimed_n "$T/hb" recognize)" -ne 1 ] && [ $i -lt 600 ]; do
    sleep 0.1
    i=$((i + 1))
done
if [ "$(claimed_n "$T/hb" recognize)" -eq 1 ]; then
    t0=$(date +%s)
    INKPIPE_HOST=b "$INKPIPE" work "$T/hb/job.yaml" --stage recognize --exit-when-idle >"$T/b.log" 2>&1
    wait $wa
    echo "  B watched for $(($(date +%s) - t0)) s with a 1 s lease"
    check heartbeat__long_page__other_host_never_takes_it grep -q "0 items done, 0 failed" "$T/b.log"
    check heartbeat__long_page__holder_never_loses_claim eval '! grep -q "was lost" "$T/a.log"'
else
    fail heartbeat__long_page__other_host_never_takes_it "worker A never claimed the recognize item"
    kill $wa
    wait $wa
fi
