#!/usr/bin/env bash
# test_forms_marks.sh - registration marks (issue 14, docs/forms.md
# "Registration marks"): the template key `marks:`, registration by marks
# where the printed lines are too faint to use, the fallback to the lines
# when the marks are gone, the page refused when neither is there, the
# method in the JSON (ocr and a job, through the page artifact), and
# form_compose's --marks / --line-gray / --line-gaps. Pages composed by
# build/tools/form_compose from a stand-in Chars74K tree (lib.sh
# stand_in_chars74k: DejaVu Sans glyphs, writer 007).
. "$(dirname "$0")/lib.sh"
B=${BUILD_DIR:-$TOP/build}
FC=$B/tools/form_compose
T=$TEST_TMPDIR/marks
mkdir -p "$T"
jqe() { jq -e "$@" >/dev/null; }

stand_in_chars74k "$T/c74k" || { fail setup__glyphs; exit 1; }
compose() { # DIR ARGS...
    local d=$1; shift
    "$FC" --out "$T/$d" --data "$T/c74k" --writers 7-7 --pages 1 --seed 5 \
        --shift 25 --scale 0.1 --rotate 2 "$@" >/dev/null
}
compose plain --marks || { fail setup__form_compose; exit 1; }
compose faint --marks --line-gray 230 || { fail setup__form_compose; exit 1; }
compose nomarks || { fail setup__form_compose; exit 1; }
cd "$T" || exit 1

check compose_marks__four_marks_in_template \
    test "$(sed -n '/^marks:/,$p' plain/form.yaml | grep -c 'at: \[')" = 4
check compose_without_marks__no_marks_key bash -c '! grep -q "^marks:" nomarks/form.yaml'
# faint or broken lines: fewer pixels under 60% grey than solid lines
check compose_line_gray__lines_lighter_than_default \
    test "$(convert faint/form-000.png -threshold 60% -format '%[fx:mean]' info:)" \> \
    "$(convert plain/form-000.png -threshold 60% -format '%[fx:mean]' info:)"
compose gaps --marks --line-gaps 50 || { fail setup__form_compose; exit 1; }
check compose_line_gaps__fewer_ink_pixels_than_solid_lines \
    test "$(convert gaps/form-000.png -threshold 60% -format '%[fx:mean]' info:)" \> \
    "$(convert plain/form-000.png -threshold 60% -format '%[fx:mean]' info:)"
"$FC" --out bad_opt --line-gray 300 2>/dev/null
check compose_line_gray_out_of_range__usage_exit_2 test $? = 2

# default lines and marks: registered by the marks
"$INKPIPE" ocr --template plain/form.yaml -f json -o out_plain plain/form-000.png 2>err
check ocr_marks__exit_0 test $? = 0
check ocr_marks__registered_by_marks \
    jqe '.pages[0].registration | .method == "marks" and .fit and .residual < 2' out_plain/form-000.json
check ocr_marks__scale_recovered \
    awk -v s="$(jq '.pages[0].registration.scale' out_plain/form-000.json)" '{ d = $1 - s; exit !(d < 0.01 && d > -0.01) }' plain/form-000.xf
check ocr_no_marks__method_lines \
    bash -c '"$0" ocr --template nomarks/form.yaml -f json -o out_nomarks nomarks/form-000.png 2>/dev/null &&
             jq -e ".pages[0].registration.method == \"lines\"" out_nomarks/form-000.json >/dev/null' "$INKPIPE"

# lines too faint for binarisation: the lines alone do not fit, the marks do
sed '/^marks:/,$d' faint/form.yaml >faint/lines.yaml
"$INKPIPE" ocr --template faint/lines.yaml -f json -o out_faint_lines faint/form-000.png 2>/dev/null
check faint_lines_without_marks__page_does_not_fit \
    jqe '.pages[0].registration | .fit == false and .method == "lines"' out_faint_lines/form-000.json
"$INKPIPE" ocr --template faint/form.yaml -f json -o out_faint faint/form-000.png 2>/dev/null
check faint_lines_with_marks__registered_by_marks \
    jqe '.pages[0].registration | .fit and .method == "marks"' out_faint/form-000.json
for f in birth_date postcode phone; do
    want=$(awk -F'\t' -v f=$f '$1 == f {print $2}' faint/form-000.truth.tsv)
    got=$(jq -r --arg f $f '.pages[0].fields[] | select(.name == $f) | .value' out_faint/form-000.json)
    check "faint_lines_with_marks__${f}_read_right" test "$got" = "$want"
done

# marks painted over, lines intact: the lines register it, and say so
convert plain/form-000.png -fill white -draw 'rectangle 0,0 240,240' \
    -draw 'rectangle 1450,0 1950,240' -draw 'rectangle 0,1950 240,2600' \
    -draw 'rectangle 1450,1950 1950,2600' nomark_page.png
"$INKPIPE" ocr --template plain/form.yaml -f json -o out_fallback nomark_page.png 2>/dev/null
check marks_gone__falls_back_to_lines \
    jqe '.pages[0].registration | .fit and .method == "lines-fallback"' out_fallback/nomark_page.json

# marks painted over and lines faint: refused, naming the page and the marks
convert faint/form-000.png -fill white -draw 'rectangle 0,0 240,240' \
    -draw 'rectangle 1450,0 1950,240' refused.png
"$INKPIPE" ocr --template faint/form.yaml -f json -o out_refused refused.png 2>err; rc=$?
check neither_marks_nor_lines__exit_1 test "$rc" = 1
check neither_marks_nor_lines__error_names_page_and_missing_marks \
    grep -q "refused.png page 1: registration marks not found: 1 \[100, 100\], 2 \[1600, 100\] (2 of 4 found); the printed lines do not fit either" err
check neither_marks_nor_lines__no_json test ! -e out_refused/refused.json

# a bad mark in the template: FILE:LINE:COL naming the mark and the key
sed 's/size: 40, shape: square}/size: 40, shape: star}/' plain/form.yaml >bad.yaml
"$INKPIPE" ocr --template bad.yaml -o out_bad plain/form-000.png 2>err; rc=$?
check bad_mark__exit_2 test "$rc" = 2
line=$(grep -n 'shape: star' bad.yaml | head -1 | cut -d: -f1)
check bad_mark__file_line_col_names_mark_and_key \
    grep -qE "bad.yaml:$line:[0-9]+: mark 1: expected square or circle for shape" err

# a job: the method goes through the page artifact into NAME.json; a page
# refused fails with the reason
mkdir -p job/in && cp faint/form-000.png job/in/ && cp refused.png job/in/
cp faint/form.yaml job/form.yaml
cat >job/job.yaml <<EOF
input:
  paths: [in]
output:
  dir: out
  formats: [json]
forms:
  template: form.yaml
EOF
(cd job && "$INKPIPE" run job.yaml >/dev/null 2>"$T/jerr"); rc=$?
check job_one_page_refused__exit_3 test "$rc" = 3
check job__method_marks_through_artifact \
    jqe '.pages[0].registration.method == "marks"' job/out/form-000.json
check job__refused_page_reason_names_marks \
    bash -c 'cd job && "$0" status job.yaml 2>&1 | grep -q "registration marks not found: 1 \[100, 100\]"' "$INKPIPE"
