#!/usr/bin/env bash
# test_hostile_jobs.sh - hostile job files and model files.
#   Job files: wrong types, unknown and duplicate keys, anchors/aliases
#   (billion laughs), huge scalars and files, non-UTF-8, NUL, control
#   bytes, an empty file, deep nesting, random bytes: each is refused with
#   exit 2 and "inkpipe: FILE:LINE:COL: what was expected" (the exact
#   line:column where it is known), never a crash, and nothing is created.
#   Model files: a truncated or tampered model is refused by its size and
#   CRC-32 checks, at the CLI, with the file named.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/robust_lib.sh"

T=$TEST_TMPDIR
cd "$T" || exit 1
mkdir -p in
page in/a.png 3
VALID='input:\n  paths: [in]\noutput:\n  dir: out\n'

# job NAME EXPECTED_LOCATION REGEX: NAME.yaml was written; `inkpipe run`
# must exit 2 with "inkpipe: NAME.yaml:LOC: ..." matching REGEX, leave no
# spool or output behind, and not crash.
job() {
    local name=$1 loc=$2 re=$3 rc
    "$INKPIPE" run "$name.yaml" --quiet >"$name.out" 2>&1
    rc=$?
    if [ $rc -ne 2 ]; then
        fail "job__${name}__exit_2" "exit $rc: $(head -c 300 "$name.out")"
    elif ! no_crash_text "$name.out"; then
        fail "job__${name}__exit_2" "crash: $(head -c 300 "$name.out")"
    elif ! grep -Eq "^inkpipe: $name\\.yaml:$loc: .*($re)" "$name.out"; then
        fail "job__${name}__exit_2" "message: $(head -c 300 "$name.out")"
    elif [ -e out ] || [ -e spool ]; then
        fail "job__${name}__exit_2" "created out/ or spool/"
    else
        pass "job__${name}__exit_2_with_line_col"
    fi
}

printf "${VALID}workers: many\n" >wrong_type_int.yaml
job wrong_type_int 5:10 "expected an integer for workers, got 'many'"
printf "${VALID}workers: [1, 2]\n" >wrong_type_list.yaml
job wrong_type_list 5:10 "expected an integer for workers, got a list"
printf "${VALID}workers: \"3\"\n" >quoted_number.yaml
job quoted_number 5:10 "quoted string"
printf 'input:\n  paths: {a: b}\noutput:\n  dir: out\n' >wrong_type_map.yaml
job wrong_type_map 2:10 "expected a list of files or folders"
printf 'input: [in]\noutput:\n  dir: out\n' >wrong_type_section.yaml
job wrong_type_section 1:8 "expected a mapping in input"
printf "${VALID}binarize:\n  deskew: yes\n" >wrong_bool.yaml
job wrong_bool 6:11 "expected true or false"
printf "${VALID}limits:\n  page_timeout: .nan\n" >nan.yaml
job nan 6:17 "expected a number"
printf "${VALID}limits:\n  max_pixels: 99999999999999999999999\n" >overflow.yaml
job overflow 6:15 "expected an integer"
printf "${VALID}workers: -1\n" >out_of_range.yaml
job out_of_range 5:10 "workers must be in 1..256"
printf "${VALID}colour: red\n" >unknown_top.yaml
job unknown_top 5:1 "unknown key 'colour' at the top"
printf 'input:\n  paths: [in]\noutput:\n  dir: out\n  colour: red\n' >unknown_nested.yaml
job unknown_nested 5:3 "unknown key 'colour' in output; expected one of: dir, formats"
printf "${VALID}output:\n  dir: out2\n" >duplicate.yaml
job duplicate 5:1 "duplicate key 'output' \\(first at line 3, column 1\\)"
printf "${VALID}workers: 1\nworkers: 2\n" >duplicate_leaf.yaml
job duplicate_leaf 6:1 "duplicate key 'workers'"
cat >billion_laughs.yaml <<'EOF'
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
EOF
job billion_laughs 1:4 "anchors and aliases are not allowed"
printf 'input:\n  paths: &p [in]\noutput:\n  dir: out\nspool: *p\n' >alias.yaml
job alias 2:10 "anchors and aliases are not allowed"
{ printf 'input:\n  paths: [in]\noutput:\n  dir: '; head -c 100000 /dev/zero | tr '\0' x; echo; } >huge_scalar.yaml
job huge_scalar 4:8 "value longer than 4096 bytes"
{ printf 'name: '; head -c 2000000 /dev/zero | tr '\0' x; echo; } >huge_file.yaml
job huge_file 1:1 "job file larger than"
{ printf 'input:\n  paths: ['; for i in $(seq 30000); do printf 'in,'; done; printf 'in]\noutput:\n  dir: out\n'; } >many_values.yaml
job many_values '2:[0-9]+' "more than 20000 values"
printf '%s' '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]' >deep.yaml
job deep 1:18 "nesting deeper than 16 levels"
printf 'input:\n  paths: [in]\noutput:\n  dir: "o\xff\xfeut"\n' >non_utf8.yaml
job non_utf8 4:10 "UTF-8"
printf 'name: caf\xe9\ninput:\n  paths: [in]\noutput:\n  dir: out\n' >latin1.yaml
job latin1 1:11 "UTF-8"
printf 'input:\n  paths: [in]\x00\noutput:\n  dir: out\n' >nul_byte.yaml
job nul_byte 2:14 "control characters|NUL"
printf 'input:\n  paths: [in]\x07\noutput:\n  dir: out\n' >bell.yaml
job bell 2:14 "control characters"
: >empty.yaml
job empty 1:1 "empty job file"
printf '# only a comment\n\n' >comment_only.yaml
job comment_only '[0-9]+:1' "empty job file"
printf 'just a string\n' >scalar.yaml
job scalar 1:1 "expected a mapping at the top"
printf "${VALID}---\nx: 1\n" >two_documents.yaml
job two_documents 5:1 "one YAML document"
printf 'input:\n\tpaths: [in]\n' >tab_indent.yaml
job tab_indent 2:1 "cannot start any token"
printf 'input:\n  paths: [in]\n' >missing_output.yaml
job missing_output 1:1 "missing required key 'output.dir'"
printf 'input:\n  paths: [missing-folder]\noutput:\n  dir: out\n' >missing_input.yaml
job missing_input 2:11 "input path 'missing-folder' cannot be read"
printf "${VALID}? [a, b]\n: c\n" >complex_key.yaml
job complex_key 5:3 "expected a key name"
printf "${VALID}recognize:\n  charset: \"ab\xc3\xa9\"\n" >charset.yaml
job charset 6:12 "bad recognize.charset"
# Random bytes (fixed seed): refused, never a crash.
awk 'BEGIN { srand(7); for (i = 0; i < 3000; i++) printf "%c", int(rand() * 256) }' >random_bytes.yaml
job random_bytes '[0-9]+:[0-9]+' "."
# A folder and a missing file given as the job.
mkdir -p folder.yaml
"$INKPIPE" run folder.yaml >folder.out 2>&1
rc=$?
check job__folder__exit_2_named eval '[ $rc -eq 2 ] && grep -q "folder.yaml" folder.out'
"$INKPIPE" run nope.yaml >nope.out 2>&1
rc=$?
check job__missing_file__exit_2_named eval '[ $rc -eq 2 ] && grep -q "nope.yaml: No such file" nope.out'

# Every command that reads a job refuses the same way.
for cmd in submit work status retry; do
    "$INKPIPE" $cmd duplicate.yaml >cmd.out 2>&1
    rc=$?
    check "job__${cmd}_duplicate__exit_2" eval '[ $rc -eq 2 ] && grep -q "duplicate.yaml:5:1: duplicate key" cmd.out'
done

# ---- model files -----------------------------------------------------
model good.model
size=$(stat -c %s good.model)
head -c $((size / 2)) good.model >truncated.model
cp good.model tampered.model
printf '\x5a' | dd of=tampered.model bs=1 seek=$((size / 2)) conv=notrunc 2>/dev/null
cp good.model extended.model
printf 'trailing' >>extended.model
printf 'not a model at all\n' >text.model
: >empty.model

"$INKPIPE" ocr --model good.model -o ocr in/a.png >ocr.out 2>&1
check model__good__ocr_exit_0 [ $? -eq 0 ]
# model_refused NAME REGEX: `ocr` and a job both refuse NAME.model.
model_refused() {
    local m=$1 re=$2 rc
    "$INKPIPE" ocr --model "$m.model" -o "ocr-$m" in/a.png >"$m.ocr.out" 2>&1
    rc=$?
    check "model__${m}__ocr_refused_with_reason" eval \
        '[ $rc -ne 0 ] && grep -Eq "$m.model.*($re)" "$m.ocr.out" && no_crash_text "$m.ocr.out"'
    printf "${VALID}recognize:\n  model: $m.model\n" >"model-$m.yaml"
    "$INKPIPE" run "model-$m.yaml" --quiet >"$m.run.out" 2>&1
    rc=$?
    check "model__${m}__job_pages_fail_with_reason" eval \
        '[ $rc -eq 3 ] && "$INKPIPE" status "model-$m.yaml" | grep -E "recognize.*$m.model.*($re)" >/dev/null'
    check "model__${m}__job_writes_no_output" eval '! [ -e out/a.txt ]'
    rm -rf out spool
}
model_refused truncated "truncated"
model_refused tampered "CRC-32"
model_refused extended "extended|trailer"
model_refused text "bad magic|not an inkpipe model"
model_refused empty "bad magic|not an inkpipe model|truncated"
# After the model is replaced, retry + run finishes the same job.
printf "${VALID}recognize:\n  model: swap.model\n" >swap.yaml
cp tampered.model swap.model
"$INKPIPE" run swap.yaml --quiet >/dev/null 2>&1
cp good.model swap.model
"$INKPIPE" retry swap.yaml >/dev/null 2>&1
"$INKPIPE" run swap.yaml --quiet >swap.out 2>&1
rc=$?
check model__replaced_then_retry__job_finishes eval '[ $rc -eq 0 ] && [ -s out/a.hocr ]'
