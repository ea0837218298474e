#!/usr/bin/env bash
# test_pipeline.sh - the job commands end to end on pages generated here:
# run / submit / status / retry / work, outputs mirroring the input tree,
# multi-page TIFF, hostile files failing alone, bad job files, ocr.
. "$(dirname "$0")/lib.sh"

B=${BUILD_DIR:-$TOP/build}
MKPAGE=$B/tools/mkpage
HOSTILE=$B/tools/hostile
T=$TEST_TMPDIR
export INKPIPE_MODEL=$T/rand.model
"$B/tools/rec_model" create --seed 7 "$INKPIPE_MODEL" || { fail setup "rec_model create"; exit 1; }

# --- inputs: a tree with good and hostile files ---------------------------
mkdir -p "$T/job/scans/2024/box1" "$T/job/scans/2025" "$T/job/scans/bad"
"$MKPAGE" --seed 1 --text "Hello 123|abc XYZ" "$T/job/scans/2024/box1/f007.png"
"$MKPAGE" --seed 2 --pages 3 "$T/job/scans/2025/multi.tif"
"$MKPAGE" --seed 3 "$T/job/scans/2025/grey.pgm"
"$MKPAGE" --seed 4 "$T/job/scans/2025/photo.jpg"
"$HOSTILE" --one corrupt-tif.tif "$T/job/scans/bad/corrupt.tif"
"$HOSTILE" --one bomb-png.png "$T/job/scans/bad/bomb.png"
"$HOSTILE" --one truncated-png.png "$T/job/scans/bad/cut.png"
echo "not an image" >"$T/job/scans/readme.txt" # not an image name: skipped
cat >"$T/job/job.yaml" <<'EOF'
name: t1
input:
  paths: [scans]
output:
  dir: out
  formats: [txt, hocr]
spool: spool
workers: 2
EOF
J=$T/job/job.yaml

# --- help ------------------------------------------------------------------
out=$("$INKPIPE" help 2>&1); rc=$?
check help__no_args__lists_commands test "$rc" = 0 -a -n "$(echo "$out" | grep -w run)"
ok=1
for c in run submit work status retry ocr; do
    "$INKPIPE" "$c" --help | grep -q "^usage: inkpipe $c" || ok=0
    "$INKPIPE" help "$c" | grep -q "^usage: inkpipe $c" || ok=0
done
check help__every_subcommand__usage_printed test $ok = 1
"$INKPIPE" run >/dev/null 2>&1; rc=$?
check run__no_job__exit_2 test "$rc" = 2
"$INKPIPE" frobnicate >/dev/null 2>&1; rc=$?
check main__unknown_command__exit_2 test "$rc" = 2

# --- bad job files ---------------------------------------------------------
printf 'input:\n  paths: [scans]\noutput:\n  dir: out\nworkres: 2\n' >"$T/job/bad.yaml"
err=$("$INKPIPE" run "$T/job/bad.yaml" 2>&1); rc=$?
check run__unknown_key__exit_2 test "$rc" = 2
check run__unknown_key__file_line_col grep -q "bad.yaml:5:1: unknown key 'workres'" <<<"$err"
printf 'input:\n  paths: [scans]\noutput:\n  dir: out\nworkers: lots\n' >"$T/job/bad2.yaml"
err=$("$INKPIPE" status "$T/job/bad2.yaml" 2>&1); rc=$?
check status__wrong_type__exit_2_with_position test "$rc" = 2 -a -n "$(echo "$err" | grep 'bad2.yaml:5:10: expected an integer')"
check bad_job__nothing_created test ! -e "$T/job/out" -a ! -e "$T/job/spool"

# --- submit twice ----------------------------------------------------------
out=$("$INKPIPE" submit "$J"); rc=$?
check submit__first__enqueues_files test "$rc" = 0 -a -n "$(echo "$out" | grep 'enqueued 7 new files')"
out=$("$INKPIPE" submit "$J")
check submit__twice__enqueues_nothing grep -q 'enqueued 0 new files (7 already known)' <<<"$out"

# --- run -------------------------------------------------------------------
export INKPIPE_TRACE=$T/trace1
err=$("$INKPIPE" run "$J" 2>&1); rc=$?
unset INKPIPE_TRACE
check run__hostile_files__exit_3 test "$rc" = 3
# unreadable: corrupt.tif (fails at ingest) and cut.png (its page cannot be
# decoded, at binarize); not bomb.png (refused by a limit, from its header)
check run__summary__one_line grep -q 'inkpipe: t1: this run: 6 pages done, 2 failed, 4 files written in .*; inputs: 7 files: 0 new, 0 changed, 7 unchanged, 0 removed, 2 unreadable, .*; job: 8 pages: 6 done, 2 failed' <<<"$err"
check run__report__two_unreadable eval \
    'grep -q "\"job_total\":{[^}]*\"files_unreadable\":2" "$(ls "$T"/job/spool/runs/*.json | tail -n 1)"'

check run__corrupt__reason_listed grep -q 'corrupt.tif.*not an image\|corrupt.tif.*TIFF' <<<"$err"
check run__bomb__pixel_limit_reason grep -q 'bomb.png page 1: image is 100000 x 100000 .*limits.max_pixels' <<<"$err"
check run__truncated__decode_reason grep -q 'cut.png page 1: cannot decode' <<<"$err"
O=$T/job/out
check run__outputs__mirror_tree test -f "$O/2024/box1/f007.txt" -a -f "$O/2024/box1/f007.hocr" \
    -a -f "$O/2025/multi.txt" -a -f "$O/2025/multi.hocr" -a -f "$O/2025/grey.txt" -a -f "$O/2025/photo.hocr"
check run__failed_inputs__no_output test ! -e "$O/bad"
check run__no_temp_files_left test -z "$(find "$O" "$T/job/spool" -name '.*tmp*' -type f)"
check run__multipage__three_ocr_pages test "$(grep -o "class=['\"]ocr_page['\"]" "$O/2025/multi.hocr" | wc -l)" = 3
check run__multipage__two_form_feeds test "$(tr -cd '\f' <"$O/2025/multi.txt" | wc -c)" = 2
if command -v xmllint >/dev/null; then
    check run__hocr__well_formed xmllint --noout "$O/2025/multi.hocr"
fi
dups=$(awk '{print $1, $2}' "$T/trace1" | sort | uniq -d | wc -l)
check run__trace__each_item_completed_once test "$dups" = 0 -a "$(grep -c '^recognize ' "$T/trace1")" = 6

# --- status ----------------------------------------------------------------
out=$("$INKPIPE" status "$J"); rc=$?
check status__after_run__exit_0 test "$rc" = 0
check status__counts__per_stage grep -Eq '^recognize +0 +0 +6 +0$' <<<"$out"
check status__failures__with_reasons test "$(echo "$out" | grep -c 'bad/\(corrupt\|bomb\|cut\)')" = 3
out=$("$INKPIPE" status --json "$J")
check status__json__counts grep -q '"output":{"queued":0,"claimed":0,"done":4,"failed":0,"total":4}' <<<"$out"
check status__json__failed_list test "$(echo "$out" | grep -o '"stage":"' | wc -l)" = 3

# --- run again: nothing new; retry ----------------------------------------
before=$(cat "$O/2025/multi.hocr")
err=$("$INKPIPE" run "$J" 2>&1); rc=$?
check run__again__nothing_redone grep -q '8 pages: 6 done, 2 failed' <<<"$err"
check run__again__outputs_unchanged test "$before" = "$(cat "$O/2025/multi.hocr")"
out=$("$INKPIPE" retry "$J"); rc=$?
check retry__failed__requeued test "$rc" = 0 -a -n "$(echo "$out" | grep 'requeued 3 failed items')"
out=$("$INKPIPE" status "$J")
check retry__status__queued_again grep -Eq '^binarize +2 +0 +6 +0$' <<<"$out"
rm "$T/job/scans/bad/bomb.png" "$T/job/scans/bad/corrupt.tif"
"$MKPAGE" --seed 9 "$T/job/scans/bad/bomb.png"
"$MKPAGE" --seed 9 --pages 2 "$T/job/scans/bad/corrupt.tif"
err=$("$INKPIPE" run "$J" 2>&1); rc=$?
check retry__fixed_files__now_done test "$rc" = 3 -a -f "$O/bad/bomb.txt" -a -f "$O/bad/corrupt.hocr"
check retry__still_bad__fails_again grep -q 'cut.png page 1: cannot decode' <<<"$err"

# --- work: one worker, one stage at a time ----------------------------------
mkdir -p "$T/w/in"
"$MKPAGE" --seed 11 "$T/w/in/a.png"
printf 'input:\n  paths: [in]\noutput:\n  dir: out\n' >"$T/w/job.yaml"
"$INKPIPE" submit "$T/w/job.yaml" >/dev/null
"$INKPIPE" work "$T/w/job.yaml" --stage ingest --exit-when-idle 2>/dev/null
out=$("$INKPIPE" status "$T/w/job.yaml")
check work__stage_ingest__only_ingest_done grep -Eq '^binarize +1 +0 +0 +0$' <<<"$out"
"$INKPIPE" work "$T/w/job.yaml" --exit-when-idle 2>/dev/null; rc=$?
check work__all_stages__output_written test "$rc" = 0 -a -f "$T/w/out/a.txt"
"$INKPIPE" work "$T/w/job.yaml" --stage nosuch >/dev/null 2>&1; rc=$?
check work__bad_stage__exit_2 test "$rc" = 2

# --- crash and timeout in a stage fail only that item -----------------------
mkdir -p "$T/f/in"
"$MKPAGE" --seed 12 "$T/f/in/a.png"
"$MKPAGE" --seed 13 "$T/f/in/b.png"
# (ASan takes a while to report a SEGV: no short timeout for the crash)
printf 'input:\n  paths: [in]\noutput:\n  dir: out\n' >"$T/f/job.yaml"
err=$(INKPIPE_FAULT=segment:crash "$INKPIPE" run "$T/f/job.yaml" 2>&1); rc=$?
check stage_crash__exit_3 test "$rc" = 3
check stage_crash__signal_reason test "$(echo "$err" | grep -c 'crashed: signal [0-9]* (')" = 2
"$INKPIPE" retry "$T/f/job.yaml" >/dev/null
printf 'limits:\n  page_timeout: 1\n' >>"$T/f/job.yaml"
t0=$(date +%s)
err=$(INKPIPE_FAULT=segment:hang "$INKPIPE" run "$T/f/job.yaml" --workers 2 2>&1); rc=$?
t1=$(date +%s)
check stage_hang__timeout_reason test "$(echo "$err" | grep -c 'timeout after 1s')" = 2
check stage_hang__killed_in_time test $((t1 - t0)) -le 10
"$INKPIPE" retry "$T/f/job.yaml" >/dev/null
"$INKPIPE" run "$T/f/job.yaml" >/dev/null 2>&1; rc=$?
check stage_fault__retry_after_fix__exit_0 test "$rc" = 0 -a -f "$T/f/out/a.txt" -a -f "$T/f/out/b.hocr"

# --- symlink planted in the output tree ------------------------------------
mkdir -p "$T/s/in/sub" "$T/s/elsewhere" "$T/s/out"
"$MKPAGE" --seed 14 "$T/s/in/sub/a.png"
ln -s "$T/s/elsewhere" "$T/s/out/sub"
printf 'input:\n  paths: [in]\noutput:\n  dir: out\n' >"$T/s/job.yaml"
err=$("$INKPIPE" run "$T/s/job.yaml" 2>&1); rc=$?
check output_symlink__refused test "$rc" = 3 -a -z "$(ls "$T/s/elsewhere")"
check output_symlink__reason grep -q "not a real folder" <<<"$err"

# --- two inputs with one stem: both keep their extension ----------------------
mkdir -p "$T/d/in"
"$MKPAGE" --seed 15 "$T/d/in/x.png"
"$MKPAGE" --seed 16 "$T/d/in/x.pgm"
"$MKPAGE" --seed 17 "$T/d/in/y.png"
printf 'input:\n  paths: [in]\noutput:\n  dir: out\n' >"$T/d/job.yaml"
"$INKPIPE" run "$T/d/job.yaml" >"$T/d/run1.log" 2>&1; rc=$?
check run__same_stem__exit_0 test "$rc" = 0
check run__same_stem__both_outputs_with_extension test -s "$T/d/out/x.png.txt" -a \
    -s "$T/d/out/x.pgm.txt" -a -s "$T/d/out/x.png.hocr" -a -s "$T/d/out/y.txt" -a ! -e "$T/d/out/x.txt"
check run__same_stem__each_its_own_image eval \
    'grep -q "image &quot;[^&]*/x.png&quot;" "$T/d/out/x.png.hocr" && grep -q "image &quot;[^&]*/x.pgm&quot;" "$T/d/out/x.pgm.hocr"'
ls "$T/d/out" >"$T/d/names1"
"$INKPIPE" run "$T/d/job.yaml" >"$T/d/run2.log" 2>&1; rc=$?
ls "$T/d/out" >"$T/d/names2"
check run__same_stem__rerun_same_names eval \
    '[ "$rc" = 0 ] && cmp -s "$T/d/names1" "$T/d/names2" && [ "$(wc -l <"$T/d/names1")" = 6 ]'
# a collision that keeping the extension does not settle is still refused
"$MKPAGE" --seed 18 "$T/d/in/x.png.tif"
err=$("$INKPIPE" run "$T/d/job.yaml" 2>&1); rc=$?
check run__output_collision__exit_2 test "$rc" = 2 -a -n "$(echo "$err" | grep 'would both be written')"

# --- ocr one-shot -------------------------------------------------------------
"$INKPIPE" ocr -o "$T/ocr_stem" "$T/d/in/x.png" "$T/d/in/x.pgm" "$T/d/in/y.png"; rc=$?
check ocr__same_stem__both_outputs_with_extension test "$rc" = 0 -a \
    -s "$T/ocr_stem/x.png.txt" -a -s "$T/ocr_stem/x.pgm.txt" -a -s "$T/ocr_stem/y.txt"
mkdir -p "$T/d/other" && cp "$T/d/in/y.png" "$T/d/other/"
err=$("$INKPIPE" ocr -o "$T/ocr_same" "$T/d/in/y.png" "$T/d/other/y.png" 2>&1); rc=$?
check ocr__same_base_name__refused_exit_2 test "$rc" = 2 -a -n "$(echo "$err" | grep 'would write the same output')" -a ! -e "$T/ocr_same/y.txt"
"$INKPIPE" ocr -o "$T/ocr" "$T/job/scans/2024/box1/f007.png" "$T/job/scans/2025/multi.tif"; rc=$?
check ocr__two_images__exit_0 test "$rc" = 0 -a -f "$T/ocr/f007.txt" -a -f "$T/ocr/f007.hocr" -a -f "$T/ocr/multi.hocr"
check ocr__same_as_pipeline cmp -s "$T/ocr/multi.txt" "$O/2025/multi.txt"
"$INKPIPE" ocr -o "$T/ocr2" -f txt "$T/job/scans/2024/box1/f007.png"
check ocr__format_txt__no_hocr test -f "$T/ocr2/f007.txt" -a ! -e "$T/ocr2/f007.hocr"
err=$("$INKPIPE" ocr -o "$T/ocr3" "$T/job/scans/bad/cut.png" "$T/job/scans/2025/grey.pgm" 2>&1); rc=$?
check ocr__bad_image__exit_1_others_done test "$rc" = 1 -a -f "$T/ocr3/grey.txt"
check ocr__bad_image__named grep -q 'cut.png' <<<"$err"
"$INKPIPE" ocr -f djvu x.png >/dev/null 2>&1; rc=$?
check ocr__bad_format__exit_2 test "$rc" = 2
# options after the images count as options: the outputs go to -o's
# folder, and nothing is written where the command was run (they were
# read as image names, and the text went to the current folder)
mkdir -p "$T/ocrcwd"
(cd "$T/ocrcwd" && "$INKPIPE" ocr "$T/job/scans/2024/box1/f007.png" \
    "$T/job/scans/2025/grey.pgm" -o "$T/ocr4" -f txt >/dev/null 2>&1); rc=$?
check ocr__options_after_images__taken eval \
    '[ "$rc" = 0 ] && [ -f "$T/ocr4/f007.txt" ] && [ -f "$T/ocr4/grey.txt" ] &&
     [ ! -e "$T/ocr4/f007.hocr" ] && [ -z "$(ls "$T/ocrcwd")" ]'
cp "$T/job/scans/2024/box1/f007.png" "$T/ocrcwd/-o.png"
(cd "$T/ocrcwd" && "$INKPIPE" ocr -f txt -o "$T/ocr5" -- -o.png >/dev/null 2>&1)
check ocr__after_double_dash__image_named_like_option test -f "$T/ocr5/-o.txt"


# --- other input formats: BMP and GIF (lossless: the same text as the PNG),
# WebP and JPEG 2000 (lossy: read, with text) -----------------------------
mkdir -p "$T/fmt/in"
for e in png bmp gif webp jp2; do
    "$MKPAGE" --seed 5 --text "Form 42|abc" "$T/fmt/in/p_$e.$e"
done
printf 'input:\n  paths: [in]\noutput:\n  dir: out\n  formats: [txt]\n' >"$T/fmt/j.yaml"
err=$("$INKPIPE" run "$T/fmt/j.yaml" 2>&1); rc=$?
check run__bmp_gif_webp_jp2__all_pages_done test "$rc" = 0 -a -n "$(echo "$err" | grep '5 pages: 5 done, 0 failed')"
check run__bmp__same_text_as_png cmp -s "$T/fmt/out/p_png.txt" "$T/fmt/out/p_bmp.txt"
check run__gif__same_text_as_png cmp -s "$T/fmt/out/p_png.txt" "$T/fmt/out/p_gif.txt"
check run__webp_jp2__text_read test -s "$T/fmt/out/p_webp.txt" -a -s "$T/fmt/out/p_jp2.txt"
echo "GIF8" >"$T/fmt/in/fake.gif"
err=$("$INKPIPE" run "$T/fmt/j.yaml" 2>&1); rc=$?
check run__truncated_gif__fails_named test "$rc" = 3 -a -n "$(echo "$err" | grep 'fake.gif')"
# --- summary names the output folder without `..` --------------------------
mkdir -p "$T/n/configs" "$T/n/in"
"$MKPAGE" --seed 1 "$T/n/in/a.png"
printf 'input:\n  paths: [../in]\noutput:\n  dir: ../out\n' >"$T/n/configs/j.yaml"
err=$(cd "$T/n" && "$INKPIPE" run configs/j.yaml 2>&1); rc=$?
real_out=$(cd "$T/n/out" 2>/dev/null && pwd -P)
check run__summary__output_path_normalised eval \
    '[ "$rc" = 0 ] && [ -n "$real_out" ] && echo "$err" | grep -qF "outputs in $real_out" && ! echo "$err" | grep -q "outputs in [^ ]*\.\."'
# --- one stage child per worker: the model is loaded before it is forked ---
if command -v strace >/dev/null; then
    mkdir -p "$T/fk/in"
    "$MKPAGE" --seed 2 "$T/fk/in/a.png"
    printf 'input:\n  paths: [in]\noutput:\n  dir: out\n  formats: [txt]\n' >"$T/fk/j.yaml"
    OPENBLAS_NUM_THREADS=1 strace -f -qq -e trace=clone,clone3,fork,vfork \
        -e signal=none -o "$T/fk/trace" "$INKPIPE" run "$T/fk/j.yaml" \
        --workers 1 >/dev/null 2>&1
    # processes forked (not threads, nor LeakSanitizer's CLONE_VM tracer
    # under ASan): the worker and its one stage child
    procs=$(grep -E 'clone3?\(|fork\(' "$T/fk/trace" | grep -v CLONE_THREAD |
        grep -v CLONE_VM | grep -vc '= -1')
    check run__one_worker__one_stage_child test "$procs" = 2
else
    echo "SKIP run__one_worker__one_stage_child (strace missing: tools/deps.sh test)"
fi
# --- a page binarised by an older version: its item has no skew= ----------
# (stop 36 wrote none for a level page, stop 35 none at all): the skew is
# measured again on the scan, and the boxes land where a fresh run puts
# them, not in the deskewed page's pixels (scan-001.jpg is turned 1.16 deg)
for d in new old; do
    mkdir -p "$T/sk/$d/in"
    cp "$TOP/samples/scan-001.jpg" "$T/sk/$d/in/"
    printf 'name: sk\ninput:\n  paths: [in]\noutput:\n  dir: out\n  formats: [hocr]\n' \
        >"$T/sk/$d/j.yaml"
done
"$INKPIPE" run "$T/sk/new/j.yaml" --quiet >/dev/null 2>&1
"$INKPIPE" submit "$T/sk/old/j.yaml" >/dev/null 2>&1
for st in ingest binarize; do
    "$INKPIPE" work "$T/sk/old/j.yaml" --stage $st --exit-when-idle \
        >/dev/null 2>&1
done
items=$(grep -l '^skew=' "$T"/sk/old/spool/sk/segment/*/* 2>/dev/null)
check run__item_has_skew test -n "$items"
sed -i '/^skew=/d' $items
"$INKPIPE" run "$T/sk/old/j.yaml" --quiet >/dev/null 2>&1
bbox() { grep -o 'bbox [0-9 ]*' "$1"; }
check run__item_without_skew__boxes_as_a_fresh_run eval \
    '[ -s "$T/sk/new/out/scan-001.hocr" ] && [ "$(bbox "$T/sk/new/out/scan-001.hocr")" = "$(bbox "$T/sk/old/out/scan-001.hocr")" ]'
# --- submitted from the job's folder, worked from others: the items carry
# each input's path from the job file's folder (jobrel=), and a worker
# reads it from its own job file's folder ----------------------------------
mkdir -p "$T/cw/in" "$T/cw0/in"
"$MKPAGE" --seed 5 "$T/cw/in/a.png"
cp "$T/cw/in/a.png" "$T/cw0/in/"
for d in cw cw0; do
    printf 'name: cw\ninput:\n  paths: [in]\noutput:\n  dir: out\n  formats: [txt, hocr]\n' \
        >"$T/$d/j.yaml"
done
"$INKPIPE" run "$T/cw0/j.yaml" --quiet >/dev/null 2>&1
(cd "$T/cw" && "$INKPIPE" submit j.yaml >/dev/null 2>&1)
(cd / && "$INKPIPE" work "$T/cw/j.yaml" --stage ingest --exit-when-idle \
    >"$T/cw/log" 2>&1)
(cd "$T" && "$INKPIPE" work cw/j.yaml --stage binarize --exit-when-idle \
    >>"$T/cw/log" 2>&1)
(cd / && "$INKPIPE" work "$T/cw/j.yaml" --exit-when-idle >>"$T/cw/log" 2>&1)
check work__other_folders_than_submit__outputs_as_one_run eval \
    '[ -s "$T/cw0/out/a.txt" ] && cmp -s "$T/cw0/out/a.txt" "$T/cw/out/a.txt" &&
     cmp -s "$T/cw0/out/a.hocr" "$T/cw/out/a.hocr" &&
     ! grep -qv " 0 failed\$" "$T/cw/log"'
check work__other_folder_than_submit__image_path_from_output_folder \
    grep -q 'image &quot;../in/a.png&quot;' "$T/cw/out/a.hocr"
# an item from before stop 38 has no jobrel=: its input is named relative
# to the submit folder, and a worker started elsewhere says so
mkdir -p "$T/cx/in"
cp "$T/cw/in/a.png" "$T/cx/in/"
printf 'name: cx\ninput:\n  paths: [in]\noutput:\n  dir: out\n  formats: [txt]\n' \
    >"$T/cx/j.yaml"
(cd "$T/cx" && "$INKPIPE" submit j.yaml >/dev/null 2>&1)
sed -i '/^jobrel=/d' "$T"/cx/spool/cx/ingest/*/*
(cd / && "$INKPIPE" work "$T/cx/j.yaml" --exit-when-idle >"$T/cx/log" 2>&1)
check work__old_item_relative_to_submit_folder__error_says_where \
    grep -q "in/a.png: No such file or directory (an input path relative to the folder the job was submitted from" "$T/cx/log"
(cd "$T/cx" && "$INKPIPE" retry j.yaml >/dev/null 2>&1 &&
    "$INKPIPE" work j.yaml --exit-when-idle >/dev/null 2>&1)
check work__old_item_same_folder_after_retry__done test -s "$T/cx/out/a.txt"
