# tools/hocr_lines.awk - the lines of an hOCR file, one per output line:
# N<TAB>x0 y0 x1 y1<TAB>text (N counts the ocr_line spans from 1; the
# text is the line's characters, its words joined by one space; entities
# decoded). A line without characters is left out. Used by
# tools/crop_law.sh and tools/line_law.sh: awk -f tools/hocr_lines.awk F
function flush() {
    if (n && line != "") printf "%d\t%s\t%s\n", n, box, line
    line = ""
}
BEGIN { RS = "<span" }
/class="ocr_line"/ {
    flush(); n++
    match($0, /bbox [0-9]+ [0-9]+ [0-9]+ [0-9]+/)
    box = substr($0, RSTART + 5, RLENGTH - 5); word = 0; next
}
/class="ocrx_word"/ { word = 1; next }
/class="ocrx_cinfo"/ {
    t = $0; sub(/^[^>]*>/, "", t); sub(/<\/span>.*/, "", t)
    gsub(/&lt;/, "<", t); gsub(/&gt;/, ">", t); gsub(/&quot;/, "\"", t)
    gsub(/&#39;|&apos;/, "\047", t); gsub(/&amp;/, "\\&", t)
    if (word && line != "") line = line " "
    word = 0; line = line t
}
END { flush() }
