#!/usr/bin/env bash
# test_forms_labels.sh - the printed labels of fields found without a
# template (issue 14, forms/form_label.c, forms/form_tess.c): French cards
# (build/tools/form_compose --lang fr: "Nom :", "Prénom :", "Téléphone :")
# read with Tesseract's fra+eng (forms.labels_lang / --labels-lang), labels
# cleaned of their " :", names as ASCII slugs, a found field's charset
# guessed from its label (forms.guess_charset / --no-guess-charset), a
# missing traineddata named, and no Tesseract at all for ordinary pages.
# Handwriting from a stand-in Chars74K tree drawn here with DejaVu Sans, as
# in test_forms_find.sh.
. "$(dirname "$0")/lib.sh"
B=${BUILD_DIR:-$TOP/build}
FC=$B/tools/form_compose
T=$TEST_TMPDIR/formlabels
mkdir -p "$T"
jqe() { jq -e "$@" >/dev/null; }

stand_in_chars74k "$T/c74k" || { fail setup__glyphs; exit 1; }
for l in fr en; do
    "$FC" --out "$T/$l" --data "$T/c74k" --writers 7-7 --pages 1 --seed 3 \
        --shift 25 --scale 0.1 --rotate 1.5 --lang $l >/dev/null ||
        { fail setup__form_compose_$l; exit 1; }
done
# a tessdata folder with the English model only
eng=$(find /usr/share/tesseract-ocr -name eng.traineddata | head -n 1)
mkdir -p "$T/engonly"
ln -sf "$eng" "$T/engonly/eng.traineddata"
cd "$T/fr" || exit 1

# the composer's French card: labels printed with " :" left of 5 fields
check compose_lang_fr__french_labels_in_template \
    bash -c "grep -q 'label: \"Prénom\"' form.yaml && grep -q 'label: \"N° d.adhérent\"' form.yaml"

"$INKPIPE" ocr -f json -o out form-000.png 2>"$T/err"
check ocr_french_card__exit_0 test $? = 0
# the labels as printed, less the colon: at least 9 of 10 exactly (case
# aside: Tesseract may read "J'" as "j'")
grep -E '^ +label:' form.yaml | sed 's/.*label: *"\(.*\)"/\1/' >truth_labels.txt
jq -r '.pages[0].fields[] | .label // ""' out/form-000.json >read_labels.txt
check ocr_french_card__labels_read_as_printed_without_colon \
    test "$(paste truth_labels.txt read_labels.txt | awk -F'\t' 'tolower($1) == tolower($2) && $1 != ""' | wc -l)" -ge 9
# the five labels left of their fields ("Nom :"...): read whole (not
# just the colon's dot), without the colon
check ocr_french_card__left_labels_whole_without_colon \
    jqe '[.pages[0].fields[0,1,5,6,7].label] | all(.[]; . != null and length > 2 and (test(":\\s*$") | not))' out/form-000.json
check ocr_french_card__names_are_ascii_slugs_accents_dropped \
    test "$(jq -r '[.pages[0].fields[0,1,5].name] | join(" ")' out/form-000.json)" = "nom prenom telephone"
check ocr_french_card__every_name_ascii \
    jqe '[.pages[0].fields[].name] | (unique | length == 10) and all(.[]; test("^[a-z0-9_]+$"))' out/form-000.json
"$INKPIPE" ocr -f json --labels-lang fra+eng -o fraeng form-000.png 2>"$T/err"
check ocr_labels_lang__fra_eng_by_default cmp -s fraeng/form-000.json out/form-000.json
"$INKPIPE" ocr -f json --labels-lang eng -o eng form-000.png 2>"$T/err"
check ocr_labels_lang_eng__exit_0_same_values \
    bash -c "test $? = 0 && test \"\$(jq -c '[.pages[0].fields[] | .bbox]' eng/form-000.json)\" = \"\$(jq -c '[.pages[0].fields[] | .bbox]' out/form-000.json)\""

# a missing model: exit 2 naming its traineddata and package, nothing
# written; Tesseract alone would go on with English only
TESSDATA_PREFIX=$T/engonly "$INKPIPE" ocr -f json -o miss form-000.png 2>"$T/err"
check ocr_labels_lang_model_missing__exit_2_names_traineddata \
    bash -c "test $? = 2 && grep -q \"forms.labels_lang fra+eng: cannot load Tesseract's model for 'fra' (fra.traineddata; install tesseract-ocr-fra\" '$T/err' &&
        test ! -e miss/form-000.json"
TESSDATA_PREFIX=$T/engonly "$INKPIPE" ocr -f json --labels-lang eng -o engonly form-000.png 2>"$T/err"
check ocr_labels_lang_installed_only__exit_0 \
    bash -c "test $? = 0 && cmp -s engonly/form-000.json eng/form-000.json"
"$INKPIPE" ocr -f json --labels-lang 'fra eng' -o bad form-000.png 2>"$T/err"
check ocr_labels_lang_bad_list__exit_2 \
    bash -c "test $? = 2 && grep -q \"inkpipe: --labels-lang: expected Tesseract languages like fra+eng .*got 'fra eng'\" '$T/err' && test ! -e bad"
# --labels inkpipe needs no Tesseract model at all
TESSDATA_PREFIX=/nonexistent "$INKPIPE" ocr -f json --labels inkpipe -o ink form-000.png 2>"$T/err"
check ocr_labels_inkpipe__no_tesseract_model_needed test $? = 0

# ordinary pages (no json) and template pages never start Tesseract: no
# traineddata is opened, and none is needed
if command -v strace >/dev/null; then
    strace -f -e trace=open,openat -o "$T/trace" "$INKPIPE" ocr -f txt,hocr -o plain form-000.png 2>/dev/null
    check ocr_without_forms__no_traineddata_opened \
        bash -c "test -s plain/form-000.txt && ! grep -q traineddata '$T/trace'"
    strace -f -e trace=open,openat -o "$T/trace2" "$INKPIPE" ocr --template form.yaml -o tpl form-000.png 2>/dev/null
    check ocr_template__no_traineddata_opened \
        bash -c "test -s tpl/form-000.json && ! grep -q traineddata '$T/trace2'"
    check ocr_without_labels__libtesseract_not_loaded \
        bash -c "! grep -q 'libtesseract' '$T/trace' && ! grep -q 'libtesseract' '$T/trace2'"
    strace -f -e trace=open,openat -o "$T/trace3" "$INKPIPE" ocr -f json -o found form-000.png 2>/dev/null
    check ocr_fields_found__both_traineddata_opened \
        bash -c "grep -q fra.traineddata '$T/trace3' && grep -q eng.traineddata '$T/trace3'"
    check ocr_fields_found__libtesseract_loaded grep -q 'libtesseract.so.5' "$T/trace3"
fi
TESSDATA_PREFIX=/nonexistent "$INKPIPE" ocr -f txt -o plain2 form-000.png 2>"$T/err"
check ocr_without_forms__no_tesseract_model_needed \
    bash -c "test $? = 0 && cmp -s plain2/form-000.txt plain/form-000.txt"
# libtesseract that cannot be opened (a file that is not one, found first
# through LD_LIBRARY_PATH): exit 2 naming the library and its package,
# nothing written; --labels inkpipe does without it
mkdir -p "$T/notess"
echo "not a library" >"$T/notess/libtesseract.so.5"
LD_LIBRARY_PATH=$T/notess "$INKPIPE" ocr -f json -o nolib form-000.png 2>"$T/err"
check ocr_without_libtesseract__exit_2_naming_library_package \
    bash -c "test $? = 2 && grep -q 'cannot load Tesseract for the printed labels (libtesseract.so.5 (Debian package libtesseract5): .*install libtesseract5' '$T/err' && test ! -e nolib"
LD_LIBRARY_PATH=$T/notess "$INKPIPE" ocr -f json --labels inkpipe -o nolib2 form-000.png 2>"$T/err"
check ocr_labels_inkpipe_without_libtesseract__exit_0 \
    bash -c "test $? = 0 && test -s nolib2/form-000.json"

# the charset guessed from the label: names upper, digits digits
cd "$T/en" || exit 1
"$INKPIPE" ocr -f json -o guess form-000.png 2>"$T/err"
check ocr_guess_charset__exit_0 test $? = 0
"$INKPIPE" ocr -f json --no-guess-charset -o noguess form-000.png 2>"$T/err"
check ocr_no_guess_charset__exit_0 test $? = 0
check ocr_guess_charset__name_fields_upper_only \
    jqe '[.pages[0].fields[] | select(.name == "surname" or .name == "first_name")] |
        length == 2 and all(.[]; .value | test("^[A-Z ]*$"))' guess/form-000.json
check ocr_guess_charset__digit_fields_digits_only \
    jqe '[.pages[0].fields[] | select(.name | test("^(postcode|telephone|date_of_birth)"))] |
        length == 3 and all(.[]; .value | test("^[0-9 ]*$"))' guess/form-000.json
# within digits, the probability is not spread over 62 classes: the digit
# fields are read with more confidence than with alnum
sum_conf() { jq '[.pages[0].fields[] | select(.name | test("^(postcode|telephone|date_of_birth)")) | .confidence] | add' "$1"; }
check ocr_guess_charset__digit_fields_more_confident \
    awk -v a="$(sum_conf guess/form-000.json)" -v b="$(sum_conf noguess/form-000.json)" 'BEGIN { exit !(a != "" && b != "" && a + 0 > b + 0) }'
check ocr_guess_charset__other_fields_unchanged \
    test "$(jq -c '[.pages[0].fields[] | select(.name | test("^(city|member_no|amount_paid|agree|send)")) | [.name, .value, .confidence]]' guess/form-000.json)" = \
    "$(jq -c '[.pages[0].fields[] | select(.name | test("^(city|member_no|amount_paid|agree|send)")) | [.name, .value, .confidence]]' noguess/form-000.json)"
# the guess narrows the job's charset, never widens it
"$INKPIPE" ocr -f json --charset digits -o dig form-000.png 2>"$T/err"
check ocr_guess_charset__narrows_only_charset_given_kept \
    jqe '[.pages[0].fields[] | select(.name == "surname" or .name == "first_name")] | all(.[]; .value | test("^[0-9 ]*$"))' dig/form-000.json

# jobs: forms.labels_lang and forms.guess_charset
cd "$T/fr" || exit 1
mkdir -p job/in && cp form-000.png job/in/
printf 'input:\n  paths: [in]\noutput:\n  dir: out\n  formats: [json]\nforms:\n  labels_lang: eng\n' >job/job.yaml
(cd job && "$INKPIPE" run job.yaml >/dev/null 2>"$T/err"); rc=$?
check job_labels_lang__same_labels_as_ocr \
    test "$rc:$(jq -c '[.pages[0].fields[] | .label]' job/out/form-000.json)" = \
    "0:$(jq -c '[.pages[0].fields[] | .label]' eng/form-000.json)"
sed -i 's/labels_lang: eng/labels_lang: fra+eng/' job/job.yaml
(cd job && "$INKPIPE" run job.yaml >"$T/out" 2>&1); rc=$?
check job_labels_lang_changed__recognize_redone \
    bash -c "test $rc = 0 && grep -q 'forms.labels_lang eng -> fra+eng' '$T/out' &&
        test \"\$(jq -c '[.pages[0].fields[] | .label]' job/out/form-000.json)\" = \"\$(jq -c '[.pages[0].fields[] | .label]' out/form-000.json)\""
printf '  guess_charset: false\n' >>job/job.yaml
(cd job && "$INKPIPE" run job.yaml >"$T/out" 2>&1); rc=$?
"$INKPIPE" ocr -f json --no-guess-charset -o noguess form-000.png 2>/dev/null
check job_guess_charset_false__redone_same_values_as_ocr \
    bash -c "test $rc = 0 && grep -q 'forms.guess_charset true -> false' '$T/out' &&
        test \"\$(jq -c '[.pages[0].fields[] | .value]' job/out/form-000.json)\" = \"\$(jq -c '[.pages[0].fields[] | .value]' noguess/form-000.json)\""
printf 'input:\n  paths: [in]\noutput:\n  dir: out\n  formats: [json]\nforms:\n  labels_lang: fra+deu\n' >job/missing.yaml
(cd job && TESSDATA_PREFIX=$T/engonly "$INKPIPE" run missing.yaml >/dev/null 2>"$T/err"); rc=$?
check job_labels_lang_model_missing__error_at_load_names_key \
    bash -c "test $rc != 0 && grep -q \"missing.yaml:7:16: forms.labels_lang fra+deu: cannot load Tesseract's model for 'fra' (fra.traineddata\" '$T/err'"
printf 'input:\n  paths: [in]\noutput:\n  dir: out\n  formats: [json]\nforms:\n  labels_lang: "fra,eng"\n' >job/bad.yaml
(cd job && "$INKPIPE" run bad.yaml >/dev/null 2>"$T/err"); rc=$?
check job_labels_lang_bad_list__error_names_file_line_col \
    bash -c "test $rc != 0 && grep -q \"bad.yaml:7:16: forms.labels_lang: expected Tesseract languages\" '$T/err'"
