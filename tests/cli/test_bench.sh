#!/usr/bin/env bash
# test_bench.sh - the pieces `make bench` relies on, on pages made here:
# INKPIPE_TIMINGS lines from a real run, tools/bench_stages tables, and the
# bench report on a hand-made results folder.
. "$(dirname "$0")/lib.sh"

B=${BUILD_DIR:-$TOP/build}
T=$TEST_TMPDIR
export INKPIPE_MODEL=$T/rand.model
"$B/tools/rec_model" create --seed 3 "$INKPIPE_MODEL" || { fail setup "rec_model create"; exit 1; }
mkdir -p "$T/in"
"$B/tools/mkpage" --seed 1 --text "Hello 123|abc XYZ" "$T/in/a.png"
"$B/tools/mkpage" --seed 2 --pages 2 "$T/in/b.tif"
cat >"$T/job.yaml" <<'EOF'
input:
  paths: [in]
output:
  dir: out
spool: spool
EOF

# --- INKPIPE_TIMINGS -------------------------------------------------------
INKPIPE_TIMINGS=$T/timings "$INKPIPE" run "$T/job.yaml" --quiet; rc=$?
check timings__run__exit_0 test "$rc" = 0
# 2 files, 3 pages: ingest 2, binarize/segment/recognize 3 each, output 2
want="item binarize 3|item ingest 2|item output 2|item recognize 3|item segment 3|stage binarize 3|stage ingest 2|stage output 2|stage recognize 3|stage segment 3"
got=$(awk '{ n[$1 " " $2]++ } END { for (k in n) print k, n[k] }' "$T/timings" | sort | paste -sd'|')
check timings__run__one_stage_and_one_item_line_per_item test "$got" = "$want"
bad=$(awk 'NF != 5 || $4 !~ /^[0-9]+\.[0-9]+$/ || $5 !~ /^[0-9]+\.[0-9]+$/' "$T/timings")
check timings__lines__five_fields_non_negative_ms test -z "$bad"
# a stage cannot take longer than its item (claim .. completion)
over=$(awk '{ k = $2 " " $3 } $1 == "stage" { s[k] = $4 } $1 == "item" { i[k] = $4 }
            END { for (k in i) if (s[k] > i[k] + 0.5) print k }' "$T/timings")
check timings__stage_wall__within_item_wall test -z "$over"

# --- bench_stages ----------------------------------------------------------
out=$("$B/tools/bench_stages" --model "$INKPIPE_MODEL" --tsv "$T/in/a.png" "$T/in/b.tif"); rc=$?
check bench_stages__two_files__exit_0 test "$rc" = 0
hdr=$(echo "$out" | head -1)
check bench_stages__tsv__header_names_steps test "$hdr" = "$(printf 'page\tdecode\tbinarize\tdeskew\tg4_write\tg4_read\tsegment\tseg_io\trecognize\trec_io\twrite\ttotal\tglyphs')"
rows=$(echo "$out" | awk -F'\t' 'NR > 1 && NF == 13' | wc -l)
check bench_stages__tsv__row_per_page_and_mean test "$rows" = 4
check bench_stages__multipage__pages_labelled grep -q "^b.tif:2" <<<"$out"
sumok=$(echo "$out" | awk -F'\t' 'NR > 1 { s = 0; for (i = 2; i <= 11; i++) s += $i
                                          if (s - $12 > 0.05 || $12 - s > 0.05) bad++ }
                                  END { print bad + 0 }')
check bench_stages__total__sum_of_steps test "$sumok" = 0
glyphs=$(echo "$out" | awk -F'\t' '$1 == "a.png" { print $13 }')
check bench_stages__page__glyphs_found test "${glyphs:-0}" -ge 10
mkdir -p "$T/o"
"$B/tools/bench_stages" --model "$INKPIPE_MODEL" --method otsu --no-deskew -o "$T/o" "$T/in/a.png" >/dev/null
check bench_stages__out_dir__text_and_hocr test -s "$T/o/a.txt" -a -s "$T/o/a.hocr"
"$B/tools/bench_stages" --model "$INKPIPE_MODEL" --method nope "$T/in/a.png" >/dev/null 2>&1; rc=$?
check bench_stages__bad_method__exit_2 test "$rc" = 2
err=$("$B/tools/bench_stages" --model "$INKPIPE_MODEL" "$T/missing.png" 2>&1 >/dev/null); rc=$?
check bench_stages__missing_file__exit_1_named test "$rc" = 1 -a -n "$(echo "$err" | grep missing.png)"
"$B/tools/bench_stages" --model "$T/none.model" "$T/in/a.png" >/dev/null 2>&1; rc=$?
check bench_stages__missing_model__exit_1 test "$rc" = 1

# --- report.sh on a results folder made here -------------------------------
R=$T/res
mkdir -p "$R/inkpipe1" "$R/tesseract"
printf 'inkpipe1 1 2.0 0.9 0.1 51200\ninkpipe1 2 2.5 0.7 0.1 51200\ntesseract 1 12.0 9.0 1.0 40960\n' >"$R/times"
for s in inkpipe1 tesseract; do
    printf 'gt\tocr\tgt_chars\tocr_chars\tchar_errors\tchar_sub\tchar_del\tchar_ins\tcer\tgt_words\tocr_words\tword_errors\tword_sub\tword_del\tword_ins\twer\n' >"$R/$s/cer.tsv"
done
printf 'p/page-001.gt.txt\tx\t100\t100\t2\t2\t0\t0\t0.02\t20\t20\t1\t1\t0\t0\t0.05\nTOTAL\t\t100\t100\t2\t2\t0\t0\t0.02\t20\t20\t1\t1\t0\t0\t0.05\n' >>"$R/inkpipe1/cer.tsv"
printf 'p/page-001.gt.txt\tx\t100\t100\t12\t10\t1\t1\t0.12\t20\t20\t5\t5\t0\t0\t0.25\nTOTAL\t\t100\t100\t12\t10\t1\t1\t0.12\t20\t20\t5\t5\t0\t0\t0.25\n' >>"$R/tesseract/cer.tsv"
out=$("$TOP/bench/report.sh" "$R" 10 "inkpipe1 tesseract" m s 2>&1)
line=$(echo "$out" | grep '^inkpipe1 ')
# round 2 has the least CPU (0.8 s): 0.08 s/page, 2.5 s wall
check report__best_round__least_cpu grep -q "0.250 .*4.00 .*0.080 .*12.50 .*50.0 .*2.00 .*5.00" <<<"$line"
check report__ratio__cpu_and_wall grep -q "inkpipe1 / tesseract: 12.5x per core (CPU time), 4.8x wall" <<<"$out"
check report__per_page_cer__side_by_side grep -Eq "^page-001 +2.00 +12.00" <<<"$out"
