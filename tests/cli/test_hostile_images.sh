#!/usr/bin/env bash
# test_hostile_images.sh - hostile image files in a job: each one fails
# alone, with a reason that names the file (and page), or goes through when
# it is merely odd; the good pages beside them give the same bytes as a job
# without them; the inputs are never modified; the pixel limit is the job's.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/robust_lib.sh"

T=$TEST_TMPDIR
# Reference: the good pages alone.
mkjob "$T/ref" "limits:" "  max_pixels: 20000000"
page "$T/ref/in/good1.png" 11
page "$T/ref/in/good2.tif" 12 2
"$INKPIPE" run "$T/ref/job.yaml" --quiet >"$T/ref.log" 2>&1
check run__good_pages__exit_0 [ $? -eq 0 ]

# The same good pages among every hostile fixture.
mkjob "$T/h" "limits:" "  max_pixels: 20000000"
"$HOSTILE" "$T/h/in"
cp "$T/ref/in/good1.png" "$T/ref/in/good2.tif" "$T/h/in/"
before=$(tree_sums "$T/h/in")
start=$(date +%s)
"$INKPIPE" run "$T/h/job.yaml" >"$T/h.log" 2>&1
rc=$?
took=$(($(date +%s) - start))
check run__hostile_images__exit_3_some_failed [ $rc -eq 3 ]
check run__hostile_images__no_crash no_crash_text "$T/h.log"
check run__hostile_images__finishes_quickly [ "$took" -lt 60 ]
check run__hostile_images__inputs_unmodified [ "$before" = "$(tree_sums "$T/h/in")" ]
check run__hostile_images__nothing_left_queued_or_claimed \
    [ "$(status_json "$T/h/job.yaml" | grep -o '"\(queued\|claimed\)":[1-9]' | wc -l)" -eq 0 ]

# The good pages: byte-identical to the reference run.
# (hOCR names the source image, whose folder differs: map it first.)
same=1
for f in good1.txt good1.hocr good2.txt good2.hocr; do
    sed "s#$T/ref/#$T/h/#g" "$T/ref/out/$f" | cmp -s - "$T/h/out/$f" ||
        { same=0; echo "  differs: $f"; }
done
check run__hostile_neighbours__good_pages_identical [ $same = 1 ]

st=$T/status.txt
"$INKPIPE" status "$T/h/job.yaml" >"$st" 2>&1
# reason_has NAME REGEX: the failure of input NAME is listed and matches.
reason_has() {
    grep -F "in/$1" "$st" | grep -Eq "$2"
}
check hostile__zero_bytes__not_an_image reason_has zero-bytes.png 'zero-bytes.png: not an image'
check hostile__text_named_png__not_an_image reason_has text-named.png 'text-named.png: not an image'
check hostile__truncated_png__cannot_decode_page_1 reason_has truncated-png.png 'page 1: cannot decode'
check hostile__truncated_jpg__cannot_decode_page_1 reason_has truncated-jpg.jpg 'page 1: cannot decode'
check hostile__corrupt_tif__fails_with_reason reason_has corrupt-tif.tif 'corrupt-tif.tif.*(not an image|TIFF|cannot)'
check hostile__truncated_tif__fails_with_reason reason_has truncated-tif.tif 'truncated-tif.tif.*(not an image|cannot)'
check hostile__bomb_png__over_max_pixels reason_has bomb-png.png '100000 x 100000.*limits.max_pixels = 20000000'
check hostile__bomb_tif__over_max_pixels reason_has bomb-tif.tif '100000 x 100000.*limits.max_pixels = 20000000'
check hostile__multipage_broken__page_2_only reason_has multipage-broken.tif 'page 2: cannot decode'
check hostile__multipage_broken__one_failure \
    [ "$(grep -c 'multipage-broken.tif' "$st")" -eq 1 ]
# Pages 1 and 3 of the broken TIFF are recognised (their .rec exist).
key=$(status_json "$T/h/job.yaml" | grep -o '"key":"f[0-9a-f]*-p0001","reason":"[^"]*/in/multipage-broken' | cut -d'"' -f4)
file=${key%-p0001}
check hostile__multipage_broken__pages_1_and_3_recognised eval \
    '[ -n "$file" ] && [ -f "$T/h/spool/job/art/$file-p0000.rec" ] && [ -f "$T/h/spool/job/art/$file-p0002.rec" ]'

# Odd but valid images go through and get both outputs.
for f in one-pixel blank all-black grey16 palette alpha cmyk; do
    check "hostile__${f//-/_}__processed" eval '[ -f "$T/h/out/$f.txt" ] && [ -s "$T/h/out/$f.hocr" ]'
done
# Every failure is listed with a reason naming an input of the job.
n_fail=$(status_json "$T/h/job.yaml" | grep -o '"reason":"' | wc -l)
n_named=$(status_json "$T/h/job.yaml" | grep -o '"reason":"[^"]*/in/[^"]*' | wc -l)
check hostile__every_failure__names_its_file eval '[ "$n_fail" -eq 9 ] && [ "$n_named" -eq 9 ]'

# The pixel limit is the job's: a small limit fails an ordinary page, and
# says which limit.
mkjob "$T/lim" "limits:" "  max_pixels: 5000"
cp "$T/ref/in/good1.png" "$T/lim/in/"
"$INKPIPE" run "$T/lim/job.yaml" --quiet >"$T/lim.log" 2>&1
check limits__max_pixels_5000__page_fails_naming_limit \
    grep -q 'good1.png page 1: image is 360 x 200 = 72000 pixels, over limits.max_pixels = 5000' "$T/lim.log"

# A second run after the failures changes nothing and redoes nothing.
sums=$(tree_sums "$T/h/out")
"$INKPIPE" run "$T/h/job.yaml" --quiet >"$T/h2.log" 2>&1
check rerun__after_failures__same_outputs [ "$sums" = "$(tree_sums "$T/h/out")" ]
