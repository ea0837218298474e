#!/usr/bin/env bash
# test_forms.sh - forms (issue 14): `inkpipe ocr --template`, -f json, the
# job key forms.template and OUT/fields.csv, on pages composed by
# build/tools/form_compose. The handwriting source is a stand-in Chars74K
# tree made here (each class drawn with DejaVu Sans by ImageMagick, writer
# 007), so the test needs nothing from /work/shared; the pages are shifted,
# scaled and rotated, so registration is exercised too.
. "$(dirname "$0")/lib.sh"
B=${BUILD_DIR:-$TOP/build}
FC=$B/tools/form_compose
T=$TEST_TMPDIR/forms
mkdir -p "$T"
jqe() { jq -e "$@" >/dev/null; }

stand_in_chars74k "$T/c74k" || { fail setup__glyphs; exit 1; }
"$FC" --out "$T/f" --data "$T/c74k" --writers 7-7 --pages 2 --seed 5 \
    --shift 25 --scale 0.1 --rotate 2 >/dev/null || { fail setup__form_compose; exit 1; }
cd "$T/f" || exit 1

"$INKPIPE" ocr --template form.yaml -o out form-000.png form-001.png 2>"$T/err"
check ocr_template__exit_0 test $? = 0
check ocr_template__json_written_and_valid \
    bash -c 'jq empty out/form-000.json && jq empty out/form-001.json'
check ocr_template__txt_and_hocr_still_written test -s out/form-000.txt -a -s out/form-000.hocr
names=$(grep -E '^  - name:' form.yaml | awk '{print $3}' | tr '\n' ' ')
check json__every_template_field_in_template_order \
    test "$(jq -r '.pages[0].fields[].name' out/form-000.json | tr '\n' ' ')" = "$names"
check json__top_level_shape \
    test "$(jq -r '[.source, .template, (.pages|length), .pages[0].page] | @tsv' out/form-000.json)" = \
    "$(printf '../form-000.png\tregistration-card\t1\t0')"
check json__field_keys \
    test "$(jq -r '.pages[0].fields[0] | keys_unsorted | join(",")' out/form-000.json)" = \
    "name,label,value,confidence,bbox,kind,needs_review,chars"
check json__char_alternatives_with_confidences \
    jqe '.pages[0].fields[2].chars | length == 8 and all(.[]; (.alternatives | length) >= 1 and (.alternatives[0].confidence | type) == "number")' out/form-000.json
check json__checkbox_kind \
    test "$(jq -r '.pages[0].fields[8].kind' out/form-000.json)" = checkbox
check registration__pages_fit_with_small_residual \
    jqe -s 'all(.[]; .pages[0].registration.fit and .pages[0].registration.residual < 2)' out/form-000.json out/form-001.json
# the scale the composer used (form-NNN.xf: scale angle dx dy)
check registration__scale_recovered \
    awk -v s="$(jq '.pages[0].registration.scale' out/form-000.json)" '{ d = $1 - s; exit !(d < 0.01 && d > -0.01) }' form-000.xf

# digit fields and checkboxes read right on both pages
for p in 000 001; do
    for f in birth_date postcode phone amount consent newsletter surname; do
        want=$(awk -F'\t' -v f=$f '$1 == f {print $2}' form-$p.truth.tsv)
        got=$(jq -r --arg f $f '.pages[0].fields[] | select(.name == $f) | .value' out/form-$p.json)
        check "field__${f}_page${p}__read_right" test "$got" = "$want"
    done
done
check pattern_field__mismatch_flagged \
    bash -c "jq -e '.pages[0].fields[] | select(.name == \"member_id\") | (.value | test(\"^[A-Z]{2}[0-9]{4}\$\")) or .needs_review' out/form-000.json >/dev/null"

# a page that is not this form: read, but it does not fit and every field
# needs review
convert -size 1700x2200 xc:white -fill black -draw "rectangle 100,100 300,140" blank.png
"$INKPIPE" ocr --template form.yaml -f json -o other blank.png 2>/dev/null
check page_not_fitting__flagged_and_all_fields_need_review \
    jqe '.pages[0].registration.fit == false and (.pages[0].fields | length == 10 and all(.[]; .needs_review))' other/blank.json

# without a template: JSON with "template": null, the fields found on the
# page (test_forms_find.sh)
"$INKPIPE" ocr -f json -o plain form-000.png 2>/dev/null
check ocr_no_template__json_null_template_fields_found \
    jqe '.template == null and .pages[0].registration == null and (.pages[0].fields | length == 10)' plain/form-000.json

# a bad template: a clear error naming the file, line, column and field
sed 's/box: \[380, 1040, 1200, 1120\]/box: [380, 1040, 1800, 1120]/' form.yaml >bad.yaml
"$INKPIPE" ocr --template bad.yaml -o bad form-000.png 2>"$T/err"; rc=$?
check bad_template__exit_2 test "$rc" = 2
check bad_template__names_file_line_col_field \
    grep -qE "^inkpipe: --template: bad.yaml:[0-9]+:10: field 'phone': box \[380, 1040, 1800, 1120\] is not inside the page" "$T/err"
check bad_template__nothing_written test ! -e bad/form-000.json

# a job with forms.template: JSON per input, fields.csv at the end
mkdir -p job/in && cp form-000.png form-001.png job/in/
cat >job/job.yaml <<EOF
input:
  paths: [in]
output:
  dir: out
  formats: [json]
forms:
  template: ../form.yaml
  threshold: 0.5
EOF
(cd job && "$INKPIPE" run job.yaml >/dev/null 2>"$T/err"); rc=$?
check job__exit_0 test "$rc" = 0
check job__json_same_shape test "$(jq -r '.pages[0].fields[].name' job/out/form-001.json | tr '\n' ' ')" = "$names"
check job__fields_csv_header \
    test "$(head -1 job/out/fields.csv | tr -d '\r')" = "source,page,$(echo $names | tr ' ' ','),_review"
check job__fields_csv_one_row_per_page test "$(wc -l <job/out/fields.csv)" = 3
# each row's values are the JSON's values, in template order
for p in 000 001; do
    want=$(jq -r '[.pages[0].fields[].value] | join(",")' job/out/form-$p.json)
    review=$(jq -r '[.pages[0].fields[] | select(.needs_review) | .name] | join(" ")' job/out/form-$p.json)
    check "job__fields_csv_row_${p}_matches_json" \
        grep -qxF "in/form-$p.png,1,$want,$review"$'\r' job/out/fields.csv
done
check job__no_temp_files_left test -z "$(ls -A job/out | grep -v -e '\.json$' -e '^fields\.csv$')"

# a job whose template is bad is refused before anything runs
sed 's#template: ../form.yaml#template: ../bad.yaml#' job/job.yaml >job/bad.yaml
(cd job && "$INKPIPE" run bad.yaml >/dev/null 2>"$T/err"); rc=$?
check job_bad_template__refused_naming_key_and_field \
    bash -c "test $rc != 0 && grep -q \"bad.yaml: forms.template: ../bad.yaml:[0-9]*:10: field 'phone'\" '$T/err'"
