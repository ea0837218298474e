#!/usr/bin/env bash
# test_ingest_limits.sh - where a job's files live and what ingest refuses
# (issue 12 items 5, 6, 7):
#   * a spool or output.dir inside an input folder (or an input inside the
#     spool or the output) is refused when the job is loaded: exit 2, both
#     real paths named, nothing created; before, each run ingested the
#     spool's own artifacts as new pages;
#   * limits.max_pages: a TIFF with more pages fails at ingest naming the
#     file, its page count and the key; the other files are done; page
#     items carry the TIFF directory offset (ifd=), and a file replaced
#     after ingest is still read right (by page number);
#   * file names with control characters (a newline too) or over 246 bytes
#     fail at ingest, escaped, and count as unreadable in the summary; the
#     other files are done;
#   * a page over limits.page_memory_mb says "out of memory" and names the
#     key (not "corrupt"; skipped under ASan);
#   * a full disk during `submit` exits 1 with "No space left on device ...
#     free some space" (needs root for a tmpfs; skipped otherwise).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/robust_lib.sh"

T=$TEST_TMPDIR

# ---- overlapping spool / output / input trees (item 5) -------------------
mkjob "$T/ov" "spool: in/spool"
page "$T/ov/in/a.png" 1
for i in 1 2; do
    (cd "$T/ov" && "$INKPIPE" run job.yaml) >"$T/ov$i.log" 2>&1
    echo "rc=$?" >>"$T/ov$i.log"
done
check overlap__spool_in_input__exit_2_naming_both eval \
    'grep -q "rc=2" "$T/ov2.log" && grep -q "job.yaml:.*the spool '"'"'$T/ov/in/spool'"'"' is inside input path '"'"'$T/ov/in'"'"'" "$T/ov1.log"'
check overlap__spool_in_input__nothing_created eval \
    '[ ! -e "$T/ov/in/spool" ] && [ ! -e "$T/ov/out" ] && [ "$(ls "$T/ov/in")" = a.png ]'

mkjob "$T/ov2"
sed -i 's/dir: out/dir: in\/out/' "$T/ov2/job.yaml"
(cd "$T/ov2" && "$INKPIPE" submit job.yaml) >"$T/ov2.log" 2>&1
rc=$?
check overlap__output_in_input__exit_2_naming_both eval \
    '[ $rc -eq 2 ] && grep -q "output.dir '"'"'$T/ov2/in/out'"'"' is inside input path '"'"'$T/ov2/in'"'"'" "$T/ov2.log"'

# the default spool (spool/NAME next to the job file) under an input "."
mkdir -p "$T/ov3"
printf 'input:\n  paths: [.]\noutput:\n  dir: %s\n' "$T/ov3out" >"$T/ov3/job.yaml"
"$INKPIPE" status "$T/ov3/job.yaml" >"$T/ov3.log" 2>&1
rc=$?
check overlap__default_spool_in_input__refused_with_hint eval \
    '[ $rc -eq 2 ] && grep -q "default spool .* is inside input path" "$T/ov3.log" && grep -q "set \`spool:\`" "$T/ov3.log"'

# an input inside the output folder, reached through a symlink
mkjob "$T/ov4"
ln -s "$T/ov4/in" "$T/ov4/alias"
sed -i 's/dir: out/dir: alias/' "$T/ov4/job.yaml"
(cd "$T/ov4" && "$INKPIPE" submit job.yaml) >"$T/ov4.log" 2>&1
rc=$?
check overlap__through_symlink__refused eval \
    '[ $rc -eq 2 ] && grep -q "is inside" "$T/ov4.log" && [ ! -e "$T/ov4/spool" ]'

# ---- limits.max_pages and TIFF directory offsets (item 6) ----------------
mkjob "$T/mp" "limits:" "  max_pages: 3"
page "$T/mp/in/big.tif" 11 5
page "$T/mp/in/small.tif" 12 3
page "$T/mp/in/one.png" 13
(cd "$T/mp" && "$INKPIPE" run job.yaml) >"$T/mp.log" 2>&1
rc=$?
check max_pages__over__fails_at_ingest_naming_file_count_key eval \
    '[ $rc -eq 3 ] && "$INKPIPE" status "$T/mp/job.yaml" | grep -E "ingest .*big.tif: 5 pages, more than limits.max_pages = 3" >/dev/null'
check max_pages__over__others_done eval \
    '[ -s "$T/mp/out/small.hocr" ] && [ -s "$T/mp/out/one.hocr" ] && [ ! -e "$T/mp/out/big.hocr" ] && [ "$(grep -c "class=.ocr_page" "$T/mp/out/small.hocr")" -eq 3 ]'
check max_pages__summary_counts_file_unreadable grep -q "3 files: 3 new, 0 changed, 0 unchanged, 0 removed, 1 unreadable" "$T/mp.log"
check tiff_pages__items_carry_directory_offsets eval \
    '[ "$(cat "$T/mp/spool/job/binarize/done/"* | grep -c "^ifd=[1-9]")" -eq 3 ]'
# the pages read by offset give what `ocr` gives (pixReadTiff by number)
(cd "$T/mp" && "$INKPIPE" ocr --model m.model -o ocr in/small.tif) >/dev/null 2>&1
check tiff_pages__same_text_as_ocr cmp -s "$T/mp/out/small.txt" "$T/mp/ocr/small.txt"
# raise the limit, retry: the refused file goes through
sed -i 's/max_pages: 3/max_pages: 5/' "$T/mp/job.yaml"
(cd "$T/mp" && "$INKPIPE" retry job.yaml && "$INKPIPE" run job.yaml) >"$T/mp2.log" 2>&1
rc=$?
check max_pages__raised_then_retry__file_done eval \
    '[ $rc -eq 0 ] && [ "$(grep -c "class=.ocr_page" "$T/mp/out/big.hocr")" -eq 5 ]'

# A TIFF replaced between ingest and binarize (other page layout): its
# pages are found by number, not by the stale offsets.
mkjob "$T/rp"
page "$T/rp/in/r.tif" 21 3 300x150
(cd "$T/rp" && "$INKPIPE" work job.yaml --stage ingest --exit-when-idle) >/dev/null 2>&1
page "$T/rp/in/r.tif" 22 3 360x200
(cd "$T/rp" && "$INKPIPE" run job.yaml --quiet) >"$T/rp.log" 2>&1
rc=$?
mkjob "$T/rp2"
cp "$T/rp/in/r.tif" "$T/rp2/in/"
(cd "$T/rp2" && "$INKPIPE" run job.yaml --quiet) >/dev/null 2>&1
check tiff_pages__file_replaced_after_ingest__read_by_page_number eval \
    '[ $rc -eq 0 ] && [ "$(tree_sums "$T/rp/out")" = "$(tree_sums "$T/rp2/out")" ]'

# ---- file names no output can have (item 7) ------------------------------
mkjob "$T/nm"
page "$T/nm/in/good.png" 31
cp "$T/nm/in/good.png" "$T/nm/in/$(printf 'tab\there.png')"
cp "$T/nm/in/good.png" "$T/nm/in/$(printf 'new\nline.png')"
long=$(printf 'x%.0s' $(seq 1 251))
cp "$T/nm/in/good.png" "$T/nm/in/$long.png"
# the longest name that is fine: NAME.alto.xml is 255 bytes
ok=$(printf 'y%.0s' $(seq 1 246))
cp "$T/nm/in/good.png" "$T/nm/in/$ok.png"
sed -i 's/^  dir: out$/  dir: out\n  formats: [txt, hocr, alto]/' "$T/nm/job.yaml"
(cd "$T/nm" && "$INKPIPE" run job.yaml) >"$T/nm.log" 2>&1
rc=$?
check names__bad__exit_3 [ $rc -eq 3 ]
check names__bad__counted_unreadable_in_summary grep -q "5 files: 5 new, 0 changed, 0 unchanged, 0 removed, 3 unreadable" "$T/nm.log"
check names__control_characters__refused_at_ingest_escaped eval \
    'grep -q "ingest .*input file name '"'"'in/tab\\\\there.png'"'"' .*control character" "$T/nm.log" &&
     grep -q "ingest .*input file name '"'"'in/new\\\\nline.png'"'"'" "$T/nm.log"'
check names__too_long__refused_at_ingest eval \
    'grep -q "ingest .*$long.png'"'"' .*251 bytes .*at most 246" "$T/nm.log"'
check names__good_file__done eval \
    '[ -s "$T/nm/out/good.hocr" ] && [ -s "$T/nm/out/$ok.alto.xml" ] && [ "$(ls "$T/nm/out" | wc -l)" -eq 6 ]'
check names__no_output_failure eval \
    '[ "$(stage_count "$T/nm/job.yaml" output failed)" -eq 0 ] && [ "$(stage_count "$T/nm/job.yaml" ingest failed)" -eq 3 ]'

# ---- a page over limits.page_memory_mb (item 7) --------------------------
if is_asan; then
    echo "SKIP memory__page_over_limit__says_out_of_memory (ASan build)"
else
    mkjob "$T/mem" "limits:" "  page_memory_mb: 16"
    # 12 Mpixel: decoded in 16 MB (one page buffer), too big to binarise
    "$MKPAGE" --size 4000x3000 --seed 41 "$T/mem/in/big.png"
    # 27 Mpixel: too big to decode at all
    "$MKPAGE" --size 6000x4500 --seed 43 "$T/mem/in/huge.png"
    page "$T/mem/in/ok.png" 42
    (cd "$T/mem" && timeout 120 "$INKPIPE" run job.yaml) >"$T/mem.log" 2>&1
    rc=$?
    check memory__page_over_limit__says_out_of_memory_and_key eval \
        '[ $rc -eq 3 ] && grep -q "big.png page 1: binarize: out of memory .*; raise limits.page_memory_mb" "$T/mem.log" && ! grep -q "corrupt" "$T/mem.log" && [ -s "$T/mem/out/ok.hocr" ]'
    check memory__page_over_limit_when_decoded__says_out_of_memory_and_key \
        grep -q "huge.png page 1: out of memory decoding .*limits.page_memory_mb" "$T/mem.log"
fi

# ---- a full disk during submit (item 7) ----------------------------------
probe=$T/probe
mkdir -p "$probe"
if [ "$(id -u)" -ne 0 ] || ! mount -t tmpfs -o size=64k tmpfs "$probe" 2>/dev/null; then
    echo "SKIP submit__disk_full (needs root and tmpfs mounts)"
else
    umount "$probe"
    mkjob "$T/df"
    mkdir -p "$T/df/spool"
    mount -t tmpfs -o size=1m tmpfs "$T/df/spool"
    trap 'umount "$T/df/spool" 2>/dev/null' EXIT
    # the spool and its settings first (no inputs yet), then a ballast
    # that fills the disk, then the inputs: the items do not fit
    (cd "$T/df" && "$INKPIPE" submit job.yaml) >/dev/null 2>&1
    dd if=/dev/zero of="$T/df/spool/ballast" bs=4k 2>/dev/null
    for i in 1 2 3 4 5 6; do page "$T/df/in/p$i.png" $((50 + i)); done
    (cd "$T/df" && "$INKPIPE" submit job.yaml) >"$T/df.log" 2>&1
    rc=$?
    check submit__disk_full__exit_1_with_what_to_do eval \
        '[ $rc -eq 1 ] && grep -q "No space left on device.*free some space" "$T/df.log"'
    rm -f "$T/df/spool/ballast"
    (cd "$T/df" && "$INKPIPE" run job.yaml --quiet) >"$T/df2.log" 2>&1
    rc=$?
    check submit__disk_full__after_space_freed_run_finishes eval \
        '[ $rc -eq 0 ] && [ -s "$T/df/out/p6.hocr" ]'
    umount "$T/df/spool"
    trap - EXIT
fi
