#!/usr/bin/env bash
# test_line_law.sh - tools/line_law.sh, the crop law for lines cut out of
# pages: on the skewed sample scan (1.2 degrees), each line cut out of the
# image by its hOCR box, tight or with 5 px of paper, reads as the page
# read it (the boxes are in the image's pixels, not the deskewed page's:
# before they were mapped back, 4 and 11 of the 23 cuts did); a bad
# margin or no page is a usage error.
. "$(dirname "$0")/lib.sh"

T=$TEST_TMPDIR
unset INKPIPE_MODEL # the model found next to the binary (models/)

"$TOP/tools/line_law.sh" --inkpipe "$INKPIPE" --margins "0 5" --out "$T/ll" \
    "$TOP/samples/scan-001.jpg" >"$T/out" 2>"$T/err"; rc=$?
check line_law__skewed_scan__exit_0 test "$rc" = 0
[ "$rc" = 0 ] || sed 's/^/# /' "$T/err" | tail -5
sed -n '1,3p' "$T/out" | sed 's/^/# /'
# share of cuts whose reading has the page's line (of 23 lines)
share() { awk -v m="$1" '$2 == "margin=" m { sub(/.*as_a_line=/, ""); print int($0) }' "$T/out"; }
check line_law__tight_cuts__read_as_the_page test "$(share 0)" -ge 80
check line_law__cuts_with_5px__read_as_the_page test "$(share 5)" -ge 80
check line_law__table__a_row_per_line_and_margin \
    test "$(awk 'NR > 1' "$T/ll/lines.tsv" | wc -l)" -ge 40

"$TOP/tools/line_law.sh" --inkpipe "$INKPIPE" --margins "0 x" \
    "$TOP/samples/scan-001.jpg" >/dev/null 2>"$T/err2"; rc=$?
check line_law__bad_margin__usage_error test "$rc" = 2
check line_law__bad_margin__says_which grep -q "'x' is not a number" "$T/err2"
"$TOP/tools/line_law.sh" --inkpipe "$INKPIPE" >/dev/null 2>&1; rc=$?
check line_law__no_page__usage_error test "$rc" = 2
