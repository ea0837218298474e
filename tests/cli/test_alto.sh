#!/usr/bin/env bash
# test_alto.sh - `-f alto` end to end: `inkpipe ocr` on a sample page and
# on the multi-page samples/form.tif writes NAME.alto.xml, valid against
# the ALTO 4.4 schema (../shared/schemas beside the repo top, or $ALTO_XSD;
# absent: a SKIP line), with the String CONTENT words equal to the .txt
# words; `output.formats: [alto]` in a job file does the same via `run`.
. "$(dirname "$0")/lib.sh"

T=$TEST_TMPDIR
XSD=${ALTO_XSD:-$TOP/../shared/schemas/alto-4-4.xsd}
unset INKPIPE_MODEL # the model found next to the binary (models/)

# The String CONTENT values of an ALTO file, one per line, unescaped.
alto_words() {
    xmllint --nonet --xpath "//*[local-name()='String']/@CONTENT" "$1" |
        sed -e 's/^ CONTENT="//' -e 's/"$//' -e 's/&lt;/</g' -e 's/&gt;/>/g' \
            -e 's/&quot;/"/g' -e "s/&apos;/'/g" -e 's/&amp;/\&/g'
}
# The words of a text file, one per line (spaces, newlines, form feeds).
txt_words() { tr -s ' \n\f' '\n\n\n' <"$1" | sed '/^$/d'; }

schema_ok() {
    xmllint --noout --nonet --schema "$XSD" "$1" 2>"$T/xsd.log" ||
        { sed 's/^/# /' "$T/xsd.log"; return 1; }
}

"$INKPIPE" ocr -f txt,alto -o "$T/ocr" "$TOP/samples/hershey-001.png" \
    "$TOP/samples/form.tif" 2>"$T/log"; rc=$?
check alto__ocr__exit_0 test "$rc" = 0
check alto__ocr__name_alto_xml test -s "$T/ocr/hershey-001.alto.xml" -a \
    -s "$T/ocr/form.alto.xml"
check alto__ocr__no_hocr_unless_asked test ! -e "$T/ocr/form.hocr"

for f in hershey-001 form; do
    check "alto__${f}__well_formed" xmllint --noout --nonet "$T/ocr/$f.alto.xml"
    if [ -f "$XSD" ]; then
        check "alto__${f}__valid_alto_4_4" schema_ok "$T/ocr/$f.alto.xml"
    else
        echo "SKIP alto__${f}__valid_alto_4_4: ALTO schema absent ($XSD)"
    fi
    alto_words "$T/ocr/$f.alto.xml" >"$T/$f.alto.words"
    txt_words "$T/ocr/$f.txt" >"$T/$f.txt.words"
    same_words() { [ -s "$T/$f.txt.words" ] && cmp -s "$T/$f.txt.words" "$T/$f.alto.words"; }
    check "alto__${f}__content_words_equal_txt_words" same_words
done

# form.tif: one Page per TIFF page, numbered 1..N
np=$(($(tr -cd '\f' <"$T/ocr/form.txt" | wc -c) + 1))
check alto__multipage__one_page_each test "$np" -gt 1 -a \
    "$(xmllint --nonet --xpath "count(//*[local-name()='Page'])" "$T/ocr/form.alto.xml")" = "$np"
check alto__multipage__physical_img_nr test \
    "$(xmllint --nonet --xpath "string(//*[local-name()='Page'][last()]/@PHYSICAL_IMG_NR)" "$T/ocr/form.alto.xml")" = "$np"

"$INKPIPE" ocr -f bogus -o "$T/bad" "$TOP/samples/hershey-001.png" 2>"$T/bad.log"; rc=$?
check alto__unknown_format__names_alto \
    eval '[ "$rc" != 0 ] && grep -q "alto" "$T/bad.log"'

# a job file asking for alto only
mkdir -p "$T/in" && cp "$TOP/samples/hershey-001.png" "$T/in/" || fail setup cp
printf 'input:\n  paths: [in]\noutput:\n  dir: out\n  formats: [alto]\n' >"$T/job.yaml"
(cd "$T" && "$INKPIPE" run job.yaml --workers 1) 2>"$T/run.log"; rc=$?
check alto__job_formats__exit_0 test "$rc" = 0
check alto__job_formats__alto_only test -s "$T/out/hershey-001.alto.xml" -a \
    ! -e "$T/out/hershey-001.txt" -a ! -e "$T/out/hershey-001.hocr"
same_run() { cmp -s "$T/out/hershey-001.alto.xml" "$T/ocr/hershey-001.alto.xml" ||
    { alto_words "$T/out/hershey-001.alto.xml" | cmp -s - "$T/hershey-001.alto.words"; }; }
check alto__job_formats__same_words_as_ocr same_run
[ "$rc" = 0 ] || sed 's/^/# /' "$T/run.log" | tail -20
