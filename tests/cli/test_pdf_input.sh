#!/usr/bin/env bash
# test_pdf_input.sh - PDF input (input/page_pdf.c): scanned PDFs read like
# multi-page TIFFs, their page images taken out of the file (G4, JPEG,
# Flate) giving the text of the same page as TIFF/JPEG/PNG; a vector page
# rendered; broken files and pages fail alone naming file and page; jobs
# and `inkpipe ocr` both take them.
# Fixtures: tiff2pdf (libtiff-tools) and PDFs written here by hand.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/robust_lib.sh"

T=$TEST_TMPDIR
S=$TOP/samples

# mkpdf OUT DIR: a PDF of the object bodies DIR/1, DIR/2, ... (object 1
# is the catalog), with a correct cross-reference table.
mkpdf() {
    local out=$1 dir=$2 n i xref
    local -a offs
    n=$(find "$dir" -maxdepth 1 -type f | wc -l)
    printf '%%PDF-1.4\n%%\342\343\317\323\n' >"$out"
    for ((i = 1; i <= n; i++)); do
        offs[i]=$(stat -c %s "$out")
        { printf '%d 0 obj\n' "$i"; cat "$dir/$i"; printf '\nendobj\n'; } >>"$out"
    done
    xref=$(stat -c %s "$out")
    {
        printf 'xref\n0 %d\n0000000000 65535 f \n' $((n + 1))
        for ((i = 1; i <= n; i++)); do printf '%010d 00000 n \n' "${offs[i]}"; done
        printf 'trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n' $((n + 1)) "$xref"
    } >>"$out"
}

# stream_obj FILE DICT DATA: the body of a stream object.
stream_obj() {
    { printf '<< %s /Length %d >>\nstream\n' "$2" "$(stat -c %s "$3")"
      cat "$3"; printf '\nendstream'; } >"$1"
}

# image_pdf OUT MEDIAW MEDIAH DICT DATA [DICT DATA]...: one page per
# image, each drawn over the whole MediaBox as scanners write it.
image_pdf() {
    local out=$1 mw=$2 mh=$3 d k=0 kids=""
    shift 3
    d=$(mktemp -d "$T/pdfobj.XXXX")
    while [ $# -ge 2 ]; do
        local p=$((3 + 3 * k))
        kids="$kids $p 0 R"
        printf '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %s %s] /Resources << /XObject << /Im0 %d 0 R >> >> /Contents %d 0 R >>' \
            "$mw" "$mh" $((p + 2)) $((p + 1)) >"$d/$p"
        printf 'q %s 0 0 %s 0 0 cm /Im0 Do Q' "$mw" "$mh" >"$d/content"
        stream_obj "$d/$((p + 1))" "" "$d/content"
        rm "$d/content"
        stream_obj "$d/$((p + 2))" "/Type /XObject /Subtype /Image $1" "$2"
        k=$((k + 1))
        shift 2
    done
    printf '<< /Type /Catalog /Pages 2 0 R >>' >"$d/1"
    printf '<< /Type /Pages /Kids [%s ] /Count %d >>' "$kids" "$k" >"$d/2"
    mkpdf "$out" "$d"
    rm -r "$d"
}

# ---- fixtures ---------------------------------------------------------
mkdir -p "$T/in" "$T/ref"
# two pages of G4 (200 dpi, A4) as a scanner writes them
tiffcp "$S/form.tif,0,1" "$T/ref/form2.tif"
tiff2pdf -o "$T/in/g4.pdf" "$T/ref/form2.tif"
# G4 stored min-is-black: tiff2pdf writes /BlackIs1 true
convert "$T/ref/form2.tif[0]" -define quantum:polarity=min-is-black -compress group4 "$T/ref/mib.tif"
tiff2pdf -o "$T/in/mib.pdf" "$T/ref/mib.tif"
# Flate, 150 dpi grey (tiff2pdf -z)
convert "$S/hershey-001.png" -density 150 -units PixelsPerInch -compress zip "$T/hz.tif"
tiff2pdf -z -o "$T/in/flate.pdf" "$T/hz.tif"
# the sample JPEG's own bytes as DCTDecode (1240 x 1754 at 150 dpi: A4)
jdict="/Width 1240 /Height 1754 /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /DCTDecode"
image_pdf "$T/in/jpeg.pdf" 595.2 841.92 "$jdict" "$S/scan-001.jpg"
# a vector page: text in Helvetica, nothing to take out (200 x 100 pt)
v=$(mktemp -d "$T/pdfobj.XXXX")
printf '<< /Type /Catalog /Pages 2 0 R >>' >"$v/1"
printf '<< /Type /Pages /Kids [3 0 R] /Count 1 >>' >"$v/2"
printf '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 100] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>' >"$v/3"
printf '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>' >"$v/4"
printf 'BT /F1 36 Tf 10 30 Td (Hello 42) Tj ET' >"$T/vc"
stream_obj "$v/5" "" "$T/vc"
mkpdf "$T/in/vector.pdf" "$v"
# page 1 the JPEG, page 2 Flate data that is not Flate
head -c 5000 /dev/zero | tr '\0' 'x' >"$T/junk"
image_pdf "$T/in/broken2.pdf" 595.2 841.92 "$jdict" "$S/scan-001.jpg" \
    "/Width 1240 /Height 1754 /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode" "$T/junk"
# the G4 file cut in the middle
head -c $(($(stat -c %s "$T/in/g4.pdf") / 2)) "$T/in/g4.pdf" >"$T/in/truncated.pdf"
# a page claiming 100000 x 100000 pixels
image_pdf "$T/in/bomb.pdf" 595 842 \
    "/Width 100000 /Height 100000 /ColorSpace /DeviceGray /BitsPerComponent 1 /Filter /FlateDecode" "$T/junk"

# ---- inkpipe ocr --------------------------------------------------------
"$INKPIPE" ocr -o "$T/ref" "$T/ref/form2.tif" "$T/ref/mib.tif" "$S/hershey-001.png" "$S/scan-001.jpg" >/dev/null 2>&1
check ocr__reference_images__read [ -s "$T/ref/form2.txt" ] && [ -s "$T/ref/scan-001.txt" ]
"$INKPIPE" ocr -o "$T/out" "$T/in/g4.pdf" "$T/in/mib.pdf" "$T/in/flate.pdf" "$T/in/jpeg.pdf" "$T/in/vector.pdf" >"$T/ocr.log" 2>&1
check ocr__scanned_pdfs__exit_0 [ $? -eq 0 ]
check ocr__g4_pdf_two_pages__text_of_the_tiff cmp -s "$T/out/g4.txt" "$T/ref/form2.txt"
check ocr__g4_pdf__two_hocr_pages [ "$(grep -c 'class="ocr_page"' "$T/out/g4.hocr")" -eq 2 ]
check ocr__g4_pdf__resolution_from_mediabox grep -q 'scan_res 200 200' "$T/out/g4.hocr"
check ocr__g4_blackis1_pdf__text_of_the_tiff eval '[ -s "$T/ref/mib.txt" ] && cmp -s "$T/out/mib.txt" "$T/ref/mib.txt"'
check ocr__flate_pdf__text_of_the_png cmp -s "$T/out/flate.txt" "$T/ref/hershey-001.txt"
check ocr__jpeg_pdf__text_of_the_jpeg cmp -s "$T/out/jpeg.txt" "$T/ref/scan-001.txt"
check ocr__jpeg_pdf__resolution_from_mediabox grep -q 'scan_res 150 150' "$T/out/jpeg.hocr"
# the vector page is rendered at 300 dpi: 200 x 100 pt = 834 x 417 pixels
check ocr__vector_pdf__rendered_at_300_dpi grep -q 'bbox 0 0 834 417' "$T/out/vector.hocr"

"$INKPIPE" ocr -o "$T/bad" "$T/in/truncated.pdf" >"$T/trunc.log" 2>&1
rc=$?
check ocr__truncated_pdf__exit_1 [ $rc -eq 1 ]
check ocr__truncated_pdf__error_names_file grep -q 'truncated.pdf' "$T/trunc.log"
"$INKPIPE" ocr -o "$T/bad" "$T/in/broken2.pdf" >"$T/b2.log" 2>&1
check ocr__broken_page_2__fails_naming_file_and_page \
    grep -q 'broken2.pdf page 2: cannot decode' "$T/b2.log"

# ---- a job: each page one item; page 2 fails alone ---------------------
mkjob "$T/j" "limits:" "  max_pixels: 20000000"
cp "$T/in"/*.pdf "$T/j/in/"
"$INKPIPE" run "$T/j/job.yaml" >"$T/j.log" 2>&1
rc=$?
check run__pdfs__exit_3_some_failed [ $rc -eq 3 ]
check run__pdfs__no_crash no_crash_text "$T/j.log"
check run__pdfs__nothing_left_queued_or_claimed \
    [ "$(status_json "$T/j/job.yaml" | grep -o '"\(queued\|claimed\)":[1-9]' | wc -l)" -eq 0 ]
"$INKPIPE" status "$T/j/job.yaml" >"$T/st.txt" 2>&1
reason_has() {
    grep -F "in/$1" "$T/st.txt" | grep -Eq "$2"
}
check run__broken_page_2__reason_names_file_and_page reason_has broken2.pdf 'broken2.pdf page 2: cannot decode'
check run__broken_page_2__one_failure [ "$(grep -c 'broken2.pdf' "$T/st.txt")" -eq 1 ]
key=$(status_json "$T/j/job.yaml" | grep -o '"key":"f[0-9a-f]*-p0001","reason":"[^"]*/in/broken2' | cut -d'"' -f4)
file=${key%-p0001}
check run__broken_page_2__page_1_recognised \
    eval '[ -n "$file" ] && [ -f "$T/j/spool/job/art/$file-p0000.rec" ]'
check run__truncated_pdf__reason_names_file reason_has truncated.pdf 'truncated.pdf'
check run__bomb_pdf__over_max_pixels \
    reason_has bomb.pdf 'bomb.pdf page 1: image is 100000 x 100000 = 10000000000 pixels, over limits.max_pixels = 20000000'
check run__good_pdfs__outputs_written \
    eval '[ -s "$T/j/out/g4.txt" ] && [ -s "$T/j/out/jpeg.txt" ] && [ -s "$T/j/out/flate.txt" ] && [ -s "$T/j/out/vector.hocr" ]'
# the job's G4 pages read as the same job's TIFF pages do
mkjob "$T/jt" "limits:" "  max_pixels: 20000000"
cp "$T/ref/form2.tif" "$T/jt/in/g4.tif"
"$INKPIPE" run "$T/jt/job.yaml" --quiet >/dev/null 2>&1
check run__g4_pdf__text_of_the_tiff_job cmp -s "$T/j/out/g4.txt" "$T/jt/out/g4.txt"

# the page limit is the job's
mkjob "$T/mp" "limits:" "  max_pages: 1"
cp "$T/in/g4.pdf" "$T/mp/in/"
"$INKPIPE" run "$T/mp/job.yaml" --quiet >"$T/mp.log" 2>&1
check limits__max_pages_1__two_page_pdf_refused_naming_key \
    grep -q 'g4.pdf: 2 pages, more than limits.max_pages = 1' "$T/mp.log"

# ---- the PDF libraries are opened when a PDF needs them -----------------
# qpdf (C++) opened while a page read has stderr on a memory stream
# (input/page.c) once bound std::cerr to it: the exit after a failed PDF
# crashed flushing it
"$INKPIPE" ocr -o "$T/bj" "$T/in/bomb.pdf" "$T/in/jpeg.pdf" >"$T/bj.log" 2>&1
rc=$?
check ocr_failed_pdf_then_good_pdf__exit_1_no_crash \
    eval '[ $rc -eq 1 ] && [ -s "$T/bj/jpeg.txt" ] && grep -q "bomb.pdf page 1: image is" "$T/bj.log"'

# The libraries are opened on use (dlopen, input/page_pdf.c): never for
# PNG pages; qpdf for a scanned PDF whose page images are read straight
# out of the file; poppler, glib and cairo only for a page rendered.
# trace_opens TRACE CMD...: the files CMD opens (LeakSanitizer cannot run
# under strace: off for these runs of the ASan build)
trace_opens() {
    local out=$1
    shift
    ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
        strace -f -e trace=open,openat -o "$out" "$@" >/dev/null 2>&1
}
if command -v strace >/dev/null; then
    trace_opens "$T/png.trace" "$INKPIPE" ocr -o "$T/lz" "$S/hershey-001.png"
    check ocr_png__pdf_libraries_not_opened \
        eval '[ -s "$T/lz/hershey-001.txt" ] && ! grep -Eq "libqpdf|libpoppler|libcairo|libjbig2dec|libglib" "$T/png.trace"'
    trace_opens "$T/g4.trace" "$INKPIPE" ocr -o "$T/lz" "$T/in/g4.pdf"
    check ocr_g4_pdf__qpdf_opened_poppler_not \
        eval 'cmp -s "$T/lz/g4.txt" "$T/ref/form2.txt" && grep -q "libqpdf.so.29" "$T/g4.trace" && ! grep -Eq "libpoppler|libcairo" "$T/g4.trace"'
    trace_opens "$T/vec.trace" "$INKPIPE" ocr -o "$T/lz" "$T/in/vector.pdf"
    check ocr_vector_pdf__poppler_and_cairo_opened \
        eval '[ -s "$T/lz/vector.hocr" ] && grep -q "libpoppler-glib.so.8" "$T/vec.trace" && grep -q "libcairo.so.2" "$T/vec.trace"'
else
    echo "SKIP pdf libraries opened on use (strace missing: tools/deps.sh test)"
fi
# a library that cannot be opened (here a file that is not one, found
# first through LD_LIBRARY_PATH) fails the PDF naming the file, the
# library and its package; PNG pages do not need it
mkdir -p "$T/noqpdf" "$T/nopoppler"
echo "not a library" >"$T/noqpdf/libqpdf.so.29"
echo "not a library" >"$T/nopoppler/libpoppler-glib.so.8"
LD_LIBRARY_PATH=$T/noqpdf "$INKPIPE" ocr -o "$T/nl" "$T/in/g4.pdf" >"$T/noqpdf.log" 2>&1
rc=$?
check ocr_pdf_without_libqpdf__exit_1_naming_file_library_package \
    eval '[ $rc -eq 1 ] && grep -q "g4.pdf: PDF input needs libqpdf.so.29 (Debian package libqpdf29): " "$T/noqpdf.log"'
LD_LIBRARY_PATH=$T/nopoppler "$INKPIPE" ocr -o "$T/nl" "$T/in/vector.pdf" "$T/in/jpeg.pdf" >"$T/nopoppler.log" 2>&1
rc=$?
check ocr_vector_pdf_without_poppler__page_fails_naming_library_package \
    eval '[ $rc -eq 1 ] && grep -q "vector.pdf page 1: rendering the page needs libpoppler-glib.so.8 (Debian package libpoppler-glib8): " "$T/nopoppler.log"'
check ocr_jpeg_pdf_without_poppler__read [ -s "$T/nl/jpeg.txt" ]
LD_LIBRARY_PATH=$T/noqpdf:$T/nopoppler "$INKPIPE" ocr -o "$T/nl" "$S/hershey-001.png" >/dev/null 2>&1
check ocr_png_without_pdf_libraries__exit_0 eval '[ $? -eq 0 ] && [ -s "$T/nl/hershey-001.txt" ]'
