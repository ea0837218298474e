#!/usr/bin/env bash
# test_page_eval.sh - tools/page_eval.sh (make eval-pages): a full run on a
# Hershey-font page with a random model (no shared data needed), and the
# clear refusals: no Chars74K data, no model, bad arguments.
. "$(dirname "$0")/lib.sh"

B=${BUILD_DIR:-$TOP/build}
PE=$TOP/tools/page_eval.sh
T=$TEST_TMPDIR/pe
mkdir -p "$T"
"$B/tools/rec_model" create --seed 7 "$T/rand.model" >/dev/null || { fail setup__rec_model; exit 1; }
args=(--build "$B" --inkpipe "$INKPIPE")

out=$(INKPIPE_CHARS74K=$T/nothing "$PE" "${args[@]}" --model "$T/rand.model" --out "$T/o1" 2>&1); rc=$?
case "$rc:$out" in
3:*"Chars74K data not found at $T/nothing"*INKPIPE_CHARS74K*) pass page_eval__no_data__says_so_exit3 ;;
*) fail page_eval__no_data__says_so_exit3 "rc=$rc $out" ;;
esac
out=$("$PE" "${args[@]}" --data "$T/nada" --model "$T/rand.model" --out "$T/o1" 2>&1); rc=$?
case "$rc:$out" in 3:*"not found at $T/nada"*) pass page_eval__data_option__used ;;
*) fail page_eval__data_option__used "rc=$rc $out" ;; esac

out=$("$PE" "${args[@]}" --hershey --model "$T/none.model" --out "$T/o2" 2>&1); rc=$?
case "$rc:$out" in 2:*none.model*) pass page_eval__no_model__exit2 ;;
*) fail page_eval__no_model__exit2 "rc=$rc $out" ;; esac

"$PE" --pages x >/dev/null 2>&1; check page_eval__bad_pages__exit2 test $? = 2
"$PE" --frobnicate >/dev/null 2>&1; check page_eval__unknown_option__exit2 test $? = 2
"$PE" --help | grep -q "no-context"; check page_eval__help__exit0 test $? = 0

out=$("$PE" "${args[@]}" --hershey --pages 1 --seed 3 --model "$T/rand.model" --out "$T/o3" 2>&1); rc=$?
check page_eval__hershey_page__exit0 test "$rc" = 0
case $out in
*"with line context"*"without (--no-context)"*) pass page_eval__table__both_rows ;;
*) fail page_eval__table__both_rows "$out" ;;
esac
s=$T/o3/summary.tsv
ok=$(awk -F'\t' 'NR == 1 { ok = ($1 == "mode" && $4 == "cer"); next }
    { n++; if ($4 < 0 || $4 > 1 || $5 < 0 || $5 > 1 || $3 <= 0) ok = 0
      chars[n] = $3; mode[n] = $1 }
    END { print (ok && n == 2 && mode[1] == "ctx" && mode[2] == "noctx" &&
                 chars[1] == chars[2]) ? 1 : 0 }' "$s" 2>/dev/null)
check page_eval__summary__two_rows_rates_in_range test "$ok" = 1
check page_eval__outputs__text_per_page test -s "$T/o3/ctx/page-001.txt" -a -s "$T/o3/noctx/page-001.txt" \
    -a -s "$T/o3/img/page-001.gt.txt"
