#!/usr/bin/env bash
# test_status_json.sh - `inkpipe status --json` read back with a JSON
# parser (jq, tools/deps.sh test): file names with a quote, a backslash, a
# control character, UTF-8 and a byte that is not UTF-8 come out as valid
# JSON strings that decode to the name (U+FFFD for the bad byte); each
# failure carries stage, key, reason, file and page (1-based; null for a
# file-level failure); a claim carries host, pid and heartbeat age.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/robust_lib.sh"

T=$TEST_TMPDIR
if ! command -v jq >/dev/null; then
    fail setup "jq is missing (tools/deps.sh test installs it)"
    exit 1
fi
# jqe ARGS...: jq -e's exit status only (false or null fails).
jqe() { jq -e "$@" >/dev/null; }

mkjob "$T/j"
mkdir -p "$T/hostile"
"$HOSTILE" "$T/hostile" >/dev/null
odd=$'q"uo\\te\x01.png'          # quote, backslash, control character
utf=$'caf\xc3\xa9.png'           # UTF-8 e-acute
lat=$'lat\xe9n.tif'              # Latin-1 e-acute: not UTF-8
cp "$T/hostile/truncated-png.png" "$T/j/in/$odd"
cp "$T/hostile/truncated-png.png" "$T/j/in/$utf"
cp "$T/hostile/multipage-broken.tif" "$T/j/in/$lat"
cp "$T/hostile/text-named.png" "$T/j/in/text.png"
page "$T/j/in/good.png" 3
"$INKPIPE" run "$T/j/job.yaml" >"$T/run.log" 2>&1
rc=$?
check run__hostile_names__exit_3 test "$rc" = 3

J=$T/status.json
"$INKPIPE" status "$T/j/job.yaml" --json >"$J"
rc=$?
check status_json__odd_names__exit_0 test "$rc" = 0
check status_json__odd_names__parses jqe 'type == "object"' "$J"
check status_json__one_line test "$(wc -l <"$J")" = 1
check status_json__keys__in_order test \
    "$(jq -c '[keys_unsorted, (.stages | keys_unsorted), (.stages.binarize | keys_unsorted)]' "$J")" = \
    '[["job","spool","output","stages","failed","claims","inputs"],["ingest","binarize","segment","recognize","output"],["queued","claimed","done","failed","total"]]'
check status_json__failed__four test "$(jq '.failed | length' "$J")" = 4

# failed_field FILE FIELD: FIELD of the failure whose file is FILE.
failed_field() {
    jq -c --arg f "$1" --arg k "$2" '[.failed[] | select(.file == $f) | .[$k]]' "$J"
}
in=$T/j/in
# a control character in a name is refused at ingest (no output could
# carry it: issue 12 item 7); the failure names the file escaped (\x01),
# and its quote and backslash decode from the JSON
check status_json__quote_backslash_control__decoded test \
    "$(jq -c --arg f "$in/"'q"uo\\te\x01.png' '[.failed[] | select(.file == $f) | .stage]' "$J")" = '["ingest"]'
check status_json__quote_backslash_control__in_reason \
    jqe '[.failed[] | select(.stage == "ingest" and (.reason | contains("control character")))] | length == 1' "$J"
check status_json__utf8_name__unchanged test \
    "$(failed_field "$in/$utf" stage)" = '["binarize"]'
check status_json__latin1_name__replacement_char test \
    "$(failed_field "$in/lat"$'\xef\xbf\xbd'"n.tif" page)" = '[2]'
check status_json__latin1_name__raw_byte_not_in_output \
    bash -c '! grep -q $'"'"'\xe9'"'"' "$1"' _ "$J"
check status_json__ingest_failure__page_null test \
    "$(failed_field "$in/text.png" page)" = '[null]'
check status_json__ingest_failure__stage_and_key test \
    "$(jq -r --arg f "$in/text.png" '.failed[] | select(.file == $f) | "\(.stage) \(.key | test("^f[0-9a-f]{16}$"))"' "$J")" = "ingest true"
check status_json__counts__match_text_status test \
    "$(jq -r '.stages | to_entries[] | "\(.key) \(.value.queued) \(.value.claimed) \(.value.done) \(.value.failed)"' "$J")" = \
    "$("$INKPIPE" status "$T/j/job.yaml" | awk '$1 ~ /^(ingest|binarize|segment|recognize|output)$/ && NF == 5 {print $1, $2, $3, $4, $5}')"

# --- a claim held by a worker: host, pid, heartbeat age ---------------------
mkjob "$T/c"
page "$T/c/in/a.png" 4
"$INKPIPE" submit "$T/c/job.yaml" >/dev/null
INKPIPE_HOST=hostq INKPIPE_FAULT=binarize:sleep=3 \
    timeout 60 "$INKPIPE" work "$T/c/job.yaml" --exit-when-idle 2>"$T/c.log" &
wp=$!
C=$T/claims.json
n=0
for _ in $(seq 1 100); do
    "$INKPIPE" status "$T/c/job.yaml" --json >"$C"
    n=$(jq '.claims | length' "$C")
    [ "$n" -gt 0 ] && break
    sleep 0.05
done
check status_json__claim__listed test "$n" = 1
check status_json__claim__fields jqe \
    '.claims[0] | keys_unsorted == ["stage","key","host","pid","heartbeat_age_s"] and
     .host == "hostq" and (.pid | type == "number") and .pid > 0 and
     (.heartbeat_age_s | type == "number") and .heartbeat_age_s >= 0' "$C"
wait "$wp"
check status_json__claim__worker_done test "$?" = 0
