#!/usr/bin/env bash
# test_review_browser.sh - the review page in headless Chromium (Debian's
# `chromium`, tools/deps.sh test): it loads from a file with no network,
# every picture and crop it names is shown, the screenshot is not blank,
# and corrections typed into it export as a CSV that `inkpipe eval --csv`
# (the reader of `inkpipe train --csv`) accepts. Without chromium: a SKIP
# line and nothing else.
. "$(dirname "$0")/lib.sh"

T=$TEST_TMPDIR
unset INKPIPE_MODEL
export INKPIPE_FSYNC=0
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$CHROMIUM" ]; then
    echo "SKIP review_browser: chromium is not installed (tools/deps.sh test)"
    exit 0
fi
# No network: an empty proxy that nothing answers, and no background
# services; a profile of its own.
chrome() {
    timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu \
        --no-first-run --disable-extensions --disable-background-networking \
        --proxy-server=127.0.0.1:9 --user-data-dir="$T/chrome" \
        --window-size=1200,1600 "$@" 2>>"$T/chrome.log"
}

mkdir -p "$T/in"
cp "$TOP/samples/scan-001.jpg" "$T/in/a<&\">b.jpg"
printf 'name: rvb\ninput:\n  paths: [in]\noutput:\n  dir: out\n' >"$T/job.yaml"
"$INKPIPE" run "$T/job.yaml" --quiet >"$T/run.log" 2>&1 &&
    "$INKPIPE" review "$T/job.yaml" --threshold 0.9 >"$T/review.log" 2>&1
check review_browser__page_written test -s "$T/out/review.html"

# The screenshot: taken, and not blank (many colours: text, crops, boxes).
chrome --screenshot="$T/shot.png" "file://$T/out/review.html" >/dev/null
check review_browser__screenshot_taken test -s "$T/shot.png"
colours=$(identify -format '%k' "$T/shot.png" 2>/dev/null)
sd=$(identify -format '%[fx:int(standard_deviation*1000)]' "$T/shot.png" 2>/dev/null)
check review_browser__screenshot_not_blank test "${colours:-0}" -gt 200 -a "${sd:-0}" -gt 20

# A probe beside the page (same folder, so the same relative hrefs): after
# load it counts the pictures shown, types corrections (a whole value in
# the list, one glyph in the groups), exports and puts the CSV in the DOM.
sed 's#</body>#<script>\
window.addEventListener("load",function(){\
var im=document.images,ok=0,crops=0;\
for(var i=0;i<im.length;i++){if(im[i].complete\&\&im[i].naturalWidth>0)ok++;if(im[i].className==="crop")crops++;}\
var iv=document.querySelector("input.iv"),n=iv.getAttribute("data-crops").split(" ").length;\
iv.value="A".repeat(n);\
var mine=iv.getAttribute("data-crops").split(" "),gs=document.querySelectorAll("input.gv"),g=null;\
for(var j=0;j<gs.length\&\&!g;j++)if(mine.indexOf(gs[j].getAttribute("data-crop"))<0)g=gs[j];\
g.value=(g.value==="z")?"y":"z";\
var csv=window.inkpipeExportCsv();\
var pre=document.createElement("pre");pre.id="probe";\
pre.textContent="IMAGES "+ok+"/"+im.length+" CROPS "+crops+" ITEMGLYPHS "+n+"\\n"+csv;\
document.body.appendChild(pre);});\
</script></body>#' "$T/out/review.html" >"$T/out/probe.html"
chrome --dump-dom --virtual-time-budget=10000 "file://$T/out/probe.html" >"$T/dom.html"
probe=$(sed -n '/<pre id="probe">/,/<\/pre>/p' "$T/dom.html" |
    sed -e 's/^.*<pre id="probe">//' -e 's#</pre>.*##')
line=$(echo "$probe" | head -1)
echo "# $line"
read -r _ imgs _ ncrops _ nglyphs <<<"$line"
check review_browser__probe_ran test -n "$line"
check review_browser__all_pictures_shown test -n "$imgs" -a "${imgs%/*}" = "${imgs#*/}"
check review_browser__crops_shown test "${ncrops:-0}" -gt 10
echo "$probe" | sed 1d >"$T/corrections.csv"
check review_browser__csv_header test "$(head -1 "$T/corrections.csv")" = "path,char"
rows=$(sed 1d "$T/corrections.csv" | grep -c .)
check review_browser__csv_one_row_per_corrected_glyph test "$rows" = "$((nglyphs + 1))"
check review_browser__csv_absolute_paths_to_crops bash -c \
    "sed 1d '$T/corrections.csv' | cut -d, -f1 | while read -r p; do case \$p in '$T/out/review_files/'*.png) test -s \"\$p\" || exit 1 ;; *) exit 1 ;; esac; done"
# The CSV is what train --csv reads: eval loads it with the same reader.
"$INKPIPE" eval --csv "$T/corrections.csv" >"$T/eval.log" 2>&1; rc=$?
check review_browser__csv_read_by_train_reader bash -c \
    "test $rc = 0 && grep -q 'RESULT .* n=$rows ' '$T/eval.log'"
