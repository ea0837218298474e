#!/usr/bin/env bash
# test_crops_real.sh - the crop law on real writing (issue 13 item 2): every
# 200th real name crop of ../shared/data/names-train/images (52 crops) is
# read as is and as variants (white margins 5/20/40 px, trimmed to the ink,
# scaled x0.5 and x2, 72/300/600 dpi claimed, PNG, JPEG again, pasted into
# a 300 dpi page with another crop below) by tools/crop_law.sh; the share
# of variants of each kind that read as the crop does must stay at least
# the share measured when the test was written minus 5 points (docs/
# eval-real.md "Crop law"). Many kinds are far from 100% today: these are
# floors against regressions, the numbers to raise are in the log.
# Needs the real data beside the clone (../shared/data; $INKPIPE_TEST_DATA
# overrides) and ImageMagick; skipped with a line saying so otherwise.
. "$(dirname "$0")/lib.sh"

B=${BUILD_DIR:-$TOP/build}
T=$TEST_TMPDIR
DATA=${INKPIPE_TEST_DATA:-$TOP/../shared/data}
unset INKPIPE_MODEL # the model found next to the binary (models/)

if [ ! -d "$DATA/names-train/images" ]; then
    echo "# SKIP: no real name crops at $DATA/names-train/images (the shared data beside the clone; INKPIPE_TEST_DATA=DIR)"
    exit 0
fi
if ! command -v convert >/dev/null; then
    echo "# SKIP: ImageMagick convert not installed (tools/deps.sh test)"
    exit 0
fi
"$TOP/tools/crop_law.sh" --images "$DATA/names-train/images" --step 200 \
    --inkpipe "$INKPIPE" --out "$T/law" >"$T/law.txt" 2>&1 ||
    { sed 's/^/# /' "$T/law.txt"; fail crops_real__crop_law_runs; exit 0; }
sed 's/^/# /' "$T/law.txt"
check crops_real__sample__52_crops grep -q '^CROPLAW kind=all n=676 ' "$T/law.txt"

# Each variant file claims the resolution its kind says (one convert makes
# them all, and -define / -density outlive their parentheses there): the
# dpi kinds theirs, the page 300 dpi, png and jpeg none (as the crops).
claim() { # FILE -> "DPI" or "none"
    local u x
    u=$(identify -format '%U' "$1[0]") || return 1
    x=$(identify -units PixelsPerInch -format '%x' "$1[0]") || return 1
    [ "$u" = Undefined ] && echo none || printf '%.0f\n' "$x"
}
first=$(basename "$(head -1 "$T/law/files")"); first=${first%.*}
while read -r kind file want; do
    check "crops_real__${kind}_variant__claims_$want" \
        test "$(claim "$T/law/img/$first.$file")" = "$want"
done <<'EOF2'
dpi72 dpi72.png 72
dpi300 dpi300.png 300
dpi600 dpi600.png 600
png png.png none
jpeg jpeg.jpg none
page page.png 300
EOF2

# kind -> floor (share equal, %): measured at commit time minus 5 points
# (branch cropfix: margin5 76.9, margin20 67.3, margin40 65.4, trim 75.0,
# scale0.5 7.7, scale2 42.3, dpi72/png/dpi300 100, dpi600 98.1, jpeg 63.5,
# page 21.2, pageline 32.7, all 65.4; scale2's floor kept from before;
# branch cropscale: scale2 50.0, margin20 69.2, margin40 67.3, all 66.3;
# branch binwin, the Sauvola window from the glyphs: margin5 84.6,
# margin20 84.6, margin40 82.7, trim 76.9, jpeg 73.1, all 69.4; scale2
# 48.1, page 19.2, dpi300 98.1, dpi600 96.2 keep their floors; small
# writing thresholded enlarged: scale0.5 7.7 -> 21.2; stop 31, a crop with
# a cut line up to 2 + 2 w/h glyph heights, labels at half size: margin5
# 84.6 -> 90.4, margin20 84.6 -> 90.4, margin40 80.8 -> 88.5, trim 75.0 ->
# 86.5, all 70.9 -> 73.7).
# The known gaps are scale0.5/scale2 and page (docs/eval-real.md "Crop
# law").
while read -r kind floor; do
    share=$(sed -n "s/^CROPLAW kind=$kind n=[0-9]* equal=[0-9]* share=\([0-9.]*\) .*/\1/p" "$T/law.txt")
    check "crops_real__${kind}__reads_as_crop_at_least_$floor%" \
        awk -v s="$share" -v f="$floor" 'BEGIN { exit !(s != "" && s + 0 >= f) }'
done <<'EOF'
margin5 85
margin20 85
margin40 83
trim 81
scale0.5 16
scale2 45
dpi72 95
dpi300 95
dpi600 93
png 95
jpeg 68
page 16
pageline 27
all 68
EOF
