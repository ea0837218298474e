#!/usr/bin/env bash
# test_cer.sh - tools/cer: CER/WER values, normalisation, Unicode, formats,
# errors and exit codes; the banded distance against a naive reference.
. "$(dirname "$0")/lib.sh"
CER=${BUILD_DIR:-$TOP/build}/tools/cer
T=$TEST_TMPDIR/cer
mkdir -p "$T"
cd "$T" || exit 1

if [ ! -x "$CER" ]; then
    fail cer__binary__exists "$CER missing (make tools)"
    exit 1
fi

# field NAME FILE... : one TSV field of the TOTAL row
field() {
    local name=$1; shift
    "$CER" --tsv "$@" | awk -F'\t' -v k="$name" '
        NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
        $1 == "TOTAL" { print $col[k] }'
}
# expect NAME WANT GOT
expect() {
    if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "want '$2', got '$3'"; fi
}

printf 'Hello world\n' >gt1
printf 'Hello world\n' >same
printf 'Hel1o world\n' >sub1
expect cer__identical__zero "0 0.000000 0.000000" \
    "$(field char_errors gt1 same) $(field cer gt1 same) $(field wer gt1 same)"
expect cer__one_substitution__one_over_eleven \
    "1 1 0 0 0.090909 1 0.500000" \
    "$(field char_errors gt1 sub1) $(field char_sub gt1 sub1) $(field char_del gt1 sub1) $(field char_ins gt1 sub1) $(field cer gt1 sub1) $(field word_errors gt1 sub1) $(field wer gt1 sub1)"

printf 'abc' >abc
printf 'abxc' >abxc
printf 'ac' >ac
expect cer__insertion__counted_as_ins "1 0 0 1" \
    "$(field char_errors abc abxc) $(field char_sub abc abxc) $(field char_del abc abxc) $(field char_ins abc abxc)"
expect cer__deletion__counted_as_del "1 0 1 0" \
    "$(field char_errors abc ac) $(field char_sub abc ac) $(field char_del abc ac) $(field char_ins abc ac)"

# whitespace: tabs, CRLF, form feed, runs, leading/trailing, NBSP, BOM
printf 'the parcel was\nsent on time\n' >ws_gt
printf '\xef\xbb\xbf  the\tparcel   was\r\n\r\n\fsent\xc2\xa0on  time \n\n' >ws_ocr
expect cer__whitespace_variants__normalised "0 0 27 6" \
    "$(field char_errors ws_gt ws_ocr) $(field word_errors ws_gt ws_ocr) $(field gt_chars ws_gt ws_ocr) $(field ocr_words ws_gt ws_ocr)"

# Unicode: characters, not bytes
printf 'caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80x\n' >u_gt   # café 日本 😀x
printf 'cafe \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x81x\n' >u_ocr        # cafe 日本 😁x
expect cer__utf8__counts_scalars "10 2 0.200000 2" \
    "$(field gt_chars u_gt u_ocr) $(field char_errors u_gt u_ocr) $(field cer u_gt u_ocr) $(field word_errors u_gt u_ocr)"

printf 'Ab CD' >case_gt
printf 'aB cd' >case_ocr
expect cer__ignore_case__folds "4 0" \
    "$(field char_errors case_gt case_ocr) $(field char_errors --ignore-case case_gt case_ocr)"
printf '\xc3\x89T\xc3\x89' >case2_gt   # ÉTÉ
printf '\xc3\xa9t\xc3\xa9' >case2_ocr  # été
expect cer__ignore_case__latin1 "0" "$(field char_errors --ignore-case case2_gt case2_ocr)"

printf 'ab cd ef' >sp_gt
printf 'abcd e f' >sp_ocr
expect cer__no_space__ignores_spaces "2 0 6" \
    "$(field char_errors sp_gt sp_ocr) $(field char_errors --no-space sp_gt sp_ocr) $(field gt_chars --no-space sp_gt sp_ocr)"

printf 'a b c' >w_gt
printf 'a c b' >w_ocr
expect cer__swapped_words__wer_two_thirds "2 0.666667" \
    "$(field word_errors w_gt w_ocr) $(field wer w_gt w_ocr)"

: >empty
: >empty2
expect cer__both_empty__zero "0 0.000000" "$(field char_errors empty empty2) $(field cer empty empty2)"
expect cer__empty_gt_nonempty_ocr__rate_one "11 1.000000 1.000000" \
    "$(field char_errors empty gt1) $(field cer empty gt1) $(field wer empty gt1)"

# totals are ratios of sums: (1 + 0) / (11 + 3), not the mean of ratios
expect cer__several_pairs__ratio_of_sums "14 1 0.071429" \
    "$(field gt_chars gt1 sub1 abc abc) $(field char_errors gt1 sub1 abc abc) $(field cer gt1 sub1 abc abc)"
rows=$("$CER" --tsv gt1 sub1 abc abc gt1 same | wc -l)
expect cer__tsv__header_rows_total 5 "$rows"
expect cer__quiet__total_only 1 "$("$CER" --quiet gt1 sub1 abc abc | wc -l)"
human=$("$CER" gt1 sub1)
case $human in
*"CER   9.09% (1/11"*"WER  50.00% (1/2)"*) pass cer__text__human_readable ;;
*) fail cer__text__human_readable "$human" ;;
esac

# JSON parses and holds the same numbers
printf 'x"y\\z' >'q"uote'
if command -v python3 >/dev/null; then
    out=$("$CER" --json gt1 sub1 'q"uote' 'q"uote' | python3 -c '
import json, sys
d = json.load(sys.stdin)
p = d["pairs"]
print(len(p), p[0]["char_errors"], p[1]["gt"], d["total"]["gt_chars"], d["total"]["cer"])')
    expect cer__json__parses "2 1 q\"uote 16 0.0625" "$out"
else
    out=$("$CER" --json gt1 sub1)
    case $out in *'"char_errors": 1'*'"total"'*) pass cer__json__parses ;;
    *) fail cer__json__parses "$out" ;; esac
fi

expect cer__stdin__dash "1" "$(printf 'Hel1o world' | "$CER" --tsv gt1 - | awk -F'\t' 'NR==2{print $5}')"

# errors: exit codes and messages naming the file
printf 'ab\xffcd' >bad
msg=$("$CER" gt1 bad 2>&1); rc=$?
case "$rc:$msg" in
1:*"bad: byte 2 (line 1): invalid UTF-8"*) pass cer__invalid_utf8__names_file_and_byte ;;
*) fail cer__invalid_utf8__names_file_and_byte "rc=$rc $msg" ;;
esac
printf 'ok\nok\n\xc3' >trunc
msg=$("$CER" gt1 trunc 2>&1); rc=$?
case "$rc:$msg" in
1:*"trunc: byte 6 (line 3): truncated"*) pass cer__truncated_utf8__line_counted ;;
*) fail cer__truncated_utf8__line_counted "rc=$rc $msg" ;;
esac
printf '\xc0\xaf' >overlong
msg=$("$CER" gt1 overlong 2>&1); rc=$?
case "$rc:$msg" in 1:*overlong*) pass cer__overlong_utf8__rejected ;;
*) fail cer__overlong_utf8__rejected "rc=$rc $msg" ;; esac
msg=$("$CER" gt1 no_such_file 2>&1); rc=$?
case "$rc:$msg" in 1:*no_such_file*) pass cer__missing_file__exit1_named ;;
*) fail cer__missing_file__exit1_named "rc=$rc $msg" ;; esac
out=$("$CER" --tsv gt1 sub1 gt1 bad 2>/dev/null); rc=$?
expect cer__bad_second_pair__no_partial_output "1:" "$rc:$out"

"$CER" gt1 >/dev/null 2>&1; expect cer__odd_file_count__usage 2 $?
"$CER" --bogus gt1 sub1 >/dev/null 2>&1; expect cer__unknown_option__usage 2 $?
"$CER" --max-cer 2 gt1 sub1 >/dev/null 2>&1; expect cer__max_cer_out_of_range__usage 2 $?
"$CER" --max-cer 0.05 gt1 sub1 >/dev/null 2>&1; expect cer__above_max_cer__exit3 3 $?
"$CER" --max-cer 0.10 gt1 sub1 >/dev/null 2>&1; expect cer__below_max_cer__exit0 0 $?
"$CER" --help | grep -q -- '--max-cer'; expect cer__help__exit0 0 $?

# The banded distance equals a naive O(nm) Levenshtein on random strings
# (fixed seeds), from near-identical to unrelated texts.
naive() { # file1 file2 -> distance (ASCII, single line each)
    awk 'NR == FNR { a = $0; next } { b = $0 }
    END {
        n = length(a); m = length(b)
        for (j = 0; j <= m; j++) p[j] = j
        for (i = 1; i <= n; i++) {
            c[0] = i; ai = substr(a, i, 1)
            for (j = 1; j <= m; j++) {
                v = p[j - 1] + (ai != substr(b, j, 1))
                if (p[j] + 1 < v) v = p[j] + 1
                if (c[j - 1] + 1 < v) v = c[j - 1] + 1
                c[j] = v
            }
            for (j = 0; j <= m; j++) p[j] = c[j]
        }
        print p[m]
    }' "$1" "$2"
}
ok=1
for seed in 1 2 3 4 5 6 7 8 9 10 11 12; do
    # seeds 9-12: a block deleted early and another inserted late, so the
    # optimal path leaves the diagonal by more than the first band
    awk -v s=$seed 'BEGIN {
        srand(s); n = 150 + int(rand() * 200); rate = (s % 4) * 0.15 + 0.02
        a = ""; b = ""
        for (i = 0; i < n; i++) {
            ch = substr("abcxyz", 1 + int(rand() * 6), 1)
            a = a ch
            r = rand()
            if (r < rate / 3) b = b substr("abcxyz", 1 + int(rand() * 6), 1)
            else if (r < 2 * rate / 3) ;
            else if (r < rate) b = b ch substr("abcxyz", 1 + int(rand() * 6), 1)
            else b = b ch
        }
        if (s > 8) {
            k = 20 + 10 * (s - 8)
            b = substr(b, 1, 40) substr(b, 41 + k)
            blk = ""
            for (i = 0; i < k; i++) blk = blk substr("pqr", 1 + int(rand() * 3), 1)
            b = substr(b, 1, 120) blk substr(b, 121)
        }
        print a > "ra"; print b > "rb"
    }'
    want=$(naive ra rb)
    got=$(field char_errors ra rb)
    parts=$("$CER" --tsv ra rb | awk -F'\t' 'NR==2{print $6 + $7 + $8}')
    if [ "$want" != "$got" ] || [ "$parts" != "$got" ]; then
        ok=0
        echo "  seed $seed: naive $want, cer $got, sub+del+ins $parts"
    fi
done
expect cer__random_strings__equals_naive_levenshtein 1 $ok

# A long text with a few errors is fast (banded): 400k characters.
awk 'BEGIN { srand(7); for (l = 0; l < 8000; l++) { s = "";
    for (i = 0; i < 49; i++) s = s substr("abcdefgh ", 1 + int(rand() * 9), 1);
    print s } }' >big_gt
sed -e '100s/a/b/' -e '5000s/^./Q/' -e '7999s/$/zz/' big_gt >big_ocr
start=$(date +%s)
got=$(timeout 20 "$CER" --tsv big_gt big_ocr | awk -F'\t' '$1=="TOTAL"{print ($5 >= 3 && $5 <= 4) ? "ok" : $5}')
end=$(date +%s)
expect cer__long_text_few_errors__fast "ok" "$got$([ $((end - start)) -le 10 ] || echo slow)"
