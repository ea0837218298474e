#!/usr/bin/env bash
# test_pdf.sh - `-f pdf` end to end, checked the way users check a
# searchable PDF: `inkpipe ocr` on a grey PNG, a multi-page G4 TIFF, a
# skewed grey JPEG and a straight JPEG writes NAME.pdf that `qpdf --check`
# passes; `pdftotext -raw` gives back the .txt words in order, plain
# `pdftotext` the same words (its layout analysis may reorder a line);
# `pdftotext -bbox` puts every word within 2 px of its ALTO/hOCR box;
# `pdfimages -list` shows one image per page at the page's size and
# resolution (G4 for bilevel, a JPEG's own bytes); `output.formats: [pdf]`
# in a job file gives the same file; a skewed page's image is the input,
# its boxes mapped back to it.
. "$(dirname "$0")/lib.sh"

B=${BUILD_DIR:-$TOP/build}
T=$TEST_TMPDIR
unset INKPIPE_MODEL # the model found next to the binary (models/)

"$B/tools/mkpage" --size 800x400 --seed 3 "$T/straight.jpg" ||
    { fail pdf__setup mkpage; exit 1; }
"$INKPIPE" ocr -f txt,alto,pdf -o "$T/ocr" "$TOP/samples/hershey-001.png" \
    "$TOP/samples/form.tif" "$TOP/samples/scan-001.jpg" "$T/straight.jpg" \
    2>"$T/log"; rc=$?
check pdf__ocr__exit_0 test "$rc" = 0
[ "$rc" = 0 ] || sed 's/^/# /' "$T/log" | tail -20

# Words of a text: one per line (pdftotext breaks lines differently).
words() { tr -s ' \n\f' '\n\n\n' | sed '/^$/d'; }

# Every ALTO String has a pdftotext -bbox word with its text, on its page,
# within $2 px on each side (dpi from the hOCR-equivalent scan resolution
# that pdfimages reports). Prints what is off.
bbox_ok() { # NAME TOL DPI
    local f=$1 tol=$2 dpi=$3
    pdftotext -enc UTF-8 -bbox "$T/ocr/$f.pdf" "$T/$f.bbox.html" || return 1
    awk -v tol="$tol" -v dpi="$dpi" '
        function attr(s, k,   m) { m = s; sub(".*" k "=\"", "", m); sub("\".*", "", m); return m }
        FNR == 1 { file++ }
        file == 1 && /<Page / { page++ }
        file == 1 && /<String / {
            n++; p[n] = page; t[n] = attr($0, "CONTENT")
            x0[n] = attr($0, "HPOS"); y0[n] = attr($0, "VPOS")
            x1[n] = x0[n] + attr($0, "WIDTH"); y1[n] = y0[n] + attr($0, "HEIGHT")
        }
        file == 2 && /<page / { ppage++ }
        file == 2 && /<word / {
            w = $0; sub(/.*">/, "", w); sub(/<\/word>.*/, "", w)
            k = dpi / 72; m++
            a = attr($0, "xMin") * k; b = attr($0, "yMin") * k
            c = attr($0, "xMax") * k; d = attr($0, "yMax") * k
            hit = 0
            for (i = 1; i <= n; i++)
                if (!used[i] && p[i] == ppage && t[i] == w &&
                    (a - x0[i])^2 <= tol^2 && (b - y0[i])^2 <= tol^2 &&
                    (c - x1[i])^2 <= tol^2 && (d - y1[i])^2 <= tol^2) {
                    used[i] = 1; hit = 1; break
                }
            if (!hit) { print "# no box for pdf word " w " on page " ppage; bad++ }
        }
        END { if (m != n) print "# " m " pdf words, " n " ALTO strings"; exit (bad || m != n || n == 0) }
    ' "$T/ocr/$f.alto.xml" "$T/$f.bbox.html"
}

# pdfimages -list rows: one per page, "page w h enc x-ppi"
images() { pdfimages -list "$T/ocr/$1.pdf" | awk 'NR > 2 { print $1, $4, $5, $9, $13 }'; }

for f in hershey-001:150:jpeg form:200:ccitt scan-001:150:jpeg straight:300:jpeg; do
    IFS=: read -r nm dpi enc <<<"$f"
    pdf=$T/ocr/$nm.pdf
    check "pdf__${nm}__written" test -s "$pdf"
    check "pdf__${nm}__qpdf_check_clean" eval 'qpdf --check "$pdf" >"$T/qpdf.log" 2>&1'
    # -raw (content stream order) gives the .txt words in order; the
    # default layout analysis gives the same words, though it may order
    # the words of an uneven handwritten line differently
    pdftotext -raw -enc UTF-8 "$pdf" "$T/$nm.pdftext" 2>/dev/null
    words <"$T/$nm.pdftext" >"$T/$nm.pw"
    words <"$T/ocr/$nm.txt" >"$T/$nm.tw"
    same_words() { [ -s "$T/$nm.tw" ] && cmp -s "$T/$nm.tw" "$T/$nm.pw"; }
    check "pdf__${nm}__pdftotext_raw_gives_txt_words" same_words
    pdftotext -enc UTF-8 "$pdf" - 2>/dev/null | words | sort >"$T/$nm.pws"
    same_set() { sort "$T/$nm.tw" | cmp -s - "$T/$nm.pws"; }
    check "pdf__${nm}__pdftotext_gives_txt_words_as_a_multiset" same_set
    # form feeds: one page of text per PDF page
    check "pdf__${nm}__pdftotext_pages_as_txt" test \
        "$(tr -cd '\f' <"$T/$nm.pdftext" | wc -c)" = \
        "$(($(tr -cd '\f' <"$T/ocr/$nm.txt" | wc -c) + 1))"
    check "pdf__${nm}__bbox_within_2px_of_alto" bbox_ok "$nm" 2 "$dpi"
    # one image per page, of the page's size, at the page's resolution
    images "$nm" >"$T/$nm.images"
    xmllint --nonet --xpath "//*[local-name()='Page']/@*[local-name()='WIDTH' or local-name()='HEIGHT']" \
        "$T/ocr/$nm.alto.xml" | tr -dc '0-9 \n' | awk 'NF { printf "%s%s", $0, (++i % 2 ? " " : "\n") }' |
        awk -v e="$enc" -v d="$dpi" '{ print NR, $1, $2, e, d }' >"$T/$nm.want"
    check "pdf__${nm}__one_image_per_page_at_page_resolution" \
        cmp -s "$T/$nm.want" "$T/$nm.images"
    [ -s "$T/$nm.images" ] && cmp -s "$T/$nm.want" "$T/$nm.images" ||
        { sed 's/^/# want /' "$T/$nm.want"; sed 's/^/# got  /' "$T/$nm.images"; }
done

# a JPEG that needs no rotation is embedded as is (its own bytes)
(cd "$T" && pdfimages -j "$T/ocr/straight.pdf" "$T/img")
check pdf__straight_jpeg__original_bytes cmp -s "$T/img-000.jpg" "$T/straight.jpg"
# bilevel pages are G4: far smaller than the raw bits (1654x2339/8 = 484 KB
# a page)
check pdf__g4__compact test "$(stat -c %s "$T/ocr/form.pdf")" -lt 200000
check pdf__producer__inkpipe eval 'pdfinfo "$T/ocr/form.pdf" | grep -q "^Producer: *inkpipe"'

# the same file again: byte-identical (no dates, ID from the content)
"$INKPIPE" ocr -f pdf -o "$T/ocr2" "$TOP/samples/form.tif" "$TOP/samples/scan-001.jpg" 2>>"$T/log"
check pdf__ocr_twice__byte_identical eval \
    'cmp -s "$T/ocr/form.pdf" "$T/ocr2/form.pdf" && cmp -s "$T/ocr/scan-001.pdf" "$T/ocr2/scan-001.pdf"'

# a job file asking for pdf only: the same bytes as inkpipe ocr
mkdir -p "$T/in" && cp "$TOP/samples/form.tif" "$T/in/" || fail pdf__setup cp
printf 'input:\n  paths: [in]\noutput:\n  dir: out\n  formats: [pdf]\n' >"$T/job.yaml"
(cd "$T" && "$INKPIPE" run job.yaml --workers 1) 2>"$T/run.log"; rc=$?
check pdf__job_formats__exit_0 test "$rc" = 0
check pdf__job_formats__pdf_only test -s "$T/out/form.pdf" -a ! -e "$T/out/form.txt"
check pdf__job_formats__same_bytes_as_ocr cmp -s "$T/out/form.pdf" "$T/ocr/form.pdf"
[ "$rc" = 0 ] || sed 's/^/# /' "$T/run.log" | tail -20

# A skewed page: its boxes are mapped back from the deskewed page to the
# input's pixels (chain_to_source), so the image in the PDF is the input
# itself, a JPEG's own bytes, and the text layer lies over its words
# (pdf__scan-001__bbox_within_2px_of_alto above).
(cd "$T" && pdfimages -j "$T/ocr/scan-001.pdf" "$T/skimg")
check pdf__skewed_page__image_is_the_input cmp -s "$T/skimg-000.jpg" "$TOP/samples/scan-001.jpg"
