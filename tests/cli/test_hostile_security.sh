#!/usr/bin/env bash
# test_hostile_security.sh - a job writes only under output.dir and its
# spool: a job name with "..", queue items tampered to hold "../" or an
# absolute output path, and symlinks planted in the output tree or the
# spool are refused and nothing outside changes; inputs are never
# modified; file names with markup, quotes and shell syntax are escaped in
# hOCR and never run; no source file hands a string to a shell.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/robust_lib.sh"

T=$TEST_TMPDIR
# victim: a folder (and file) the job must never touch
mkdir -p "$T/victim"
echo "precious" >"$T/victim/file.txt"
victim_ok() {
    [ "$(ls -A "$T/victim")" = "file.txt" ] &&
        [ "$(cat "$T/victim/file.txt")" = "precious" ]
}

# ---- job name with ".." --------------------------------------------------
mkjob "$T/name" 'name: ../../victim'
page "$T/name/in/a.png" 1
"$INKPIPE" run "$T/name/job.yaml" --quiet >"$T/name.log" 2>&1
rc=$?
check job_name__dotdot__refused_exit_2 eval \
    '[ $rc -eq 2 ] && grep -q "job.yaml:[0-9]*:[0-9]*: .*name" "$T/name.log"'
check job_name__dotdot__nothing_outside victim_ok
check job_name__dotdot__no_spool_outside eval '! [ -e "$T/victim/ingest" ] && ! [ -e "$T/spool" ]'

# ---- file names with markup, quotes and shell syntax --------------------
mkjob "$T/names"
cd "$T/names" || exit 1
page in/plain.png 2
for n in 'a&b<c>d"e'"'"'f.png' '$(touch PWNED1).png' '`touch PWNED2`.png' \
    '; touch PWNED3 ;.png' '-rf.png' ' lead space.png' 'caf'$'\xc3\xa9''.png' \
    'latin'$'\xe9''.png' '%s%n%x.png'; do
    cp in/plain.png "in/$n"
done
before=$(tree_sums in; stat -c '%n %Y %a' in/*)
"$INKPIPE" run job.yaml --quiet >"$T/names.log" 2>&1
rc=$?
check names__hostile_file_names__exit_0 [ $rc -eq 0 ]
check names__hostile_file_names__all_outputs eval '[ "$(ls out/*.hocr | wc -l)" -eq 10 ]'
check names__shell_syntax__never_run eval \
    '[ -z "$(find "$T" / -maxdepth 1 -name "PWNED*" 2>/dev/null)" ] && [ -z "$(find "$T" -name "PWNED*" -not -path "*/in/*" -not -path "*/out/*")" ]'
xml_ok=1
for f in out/*.hocr; do
    xmllint --noout "$f" 2>>"$T/xml.log" || { xml_ok=0; echo "  not XML: $f"; }
done
check names__hocr__well_formed_xml [ $xml_ok = 1 ]
check names__hocr__markup_escaped grep -q 'a&amp;b&lt;c&gt;d&quot;e' "out/a&b<c>d\"e'f.hocr"
check names__inputs__unmodified [ "$before" = "$(tree_sums in; stat -c '%n %Y %a' in/*)" ]
cd "$T" || exit 1

# ---- symlinks planted in the output tree --------------------------------
mkjob "$T/outlink"
mkdir -p "$T/outlink/in/sub" "$T/outlink/out"
page "$T/outlink/in/sub/x.png" 4
page "$T/outlink/in/y.png" 5
ln -s "$T/victim" "$T/outlink/out/sub"            # a folder link
ln -s "$T/victim/file.txt" "$T/outlink/out/y.txt" # a file link
"$INKPIPE" run "$T/outlink/job.yaml" >"$T/outlink.log" 2>&1
rc=$?
check output_symlink__folder__item_fails eval \
    '[ $rc -eq 3 ] && "$INKPIPE" status "$T/outlink/job.yaml" | grep -q "output.*sub/x"'
check output_symlink__file__replaced_not_followed eval \
    '[ -f "$T/outlink/out/y.txt" ] && ! [ -L "$T/outlink/out/y.txt" ]'
check output_symlink__victim_untouched victim_ok

# ---- symlinks planted in the spool --------------------------------------
mkjob "$T/spoollink"
page "$T/spoollink/in/a.png" 6
mkdir -p "$T/spoollink/spool/job"
ln -s "$T/victim" "$T/spoollink/spool/job/art"
"$INKPIPE" run "$T/spoollink/job.yaml" >"$T/spoollink.log" 2>&1
rc=$?
check spool_symlink__art_folder__refused eval \
    '[ $rc -ne 0 ] && [ $rc -ne 3 ] && grep -q "spool" "$T/spoollink.log"'
check spool_symlink__art_folder__victim_untouched victim_ok
rm -rf "$T/spoollink/spool"
mkdir -p "$T/spoollink/spool/job/binarize/queued"
ln -s "$T/victim/file.txt" "$T/spoollink/spool/job/binarize/queued/fevil-p0000"
"$INKPIPE" run "$T/spoollink/job.yaml" >"$T/spoollink2.log" 2>&1
check spool_symlink__queue_item__failed_not_followed eval \
    '"$INKPIPE" status "$T/spoollink/job.yaml" | grep -q "fevil-p0000: bad queue item"'
check spool_symlink__queue_item__victim_untouched victim_ok
check spool_symlink__queue_item__rest_done [ -s "$T/spoollink/out/a.hocr" ]

# ---- queue items tampered to write elsewhere ----------------------------
mkjob "$T/tamper"
page "$T/tamper/in/a.png" 7
"$INKPIPE" run "$T/tamper/job.yaml" --quiet >/dev/null 2>&1
q=$T/tamper/spool/job/output/queued
file=$(ls "$T/tamper/spool/job/output/done")
printf 'src=%s\nrel=../../victim/evil\nfile=%s\npages=1\n' "$T/tamper/in/a.png" "$file" >"$q/evil1"
printf 'src=%s\nrel=%s/victim/evil\nfile=%s\npages=1\n' "$T/tamper/in/a.png" "$T" "$file" >"$q/evil2"
"$INKPIPE" run "$T/tamper/job.yaml" --quiet >"$T/tamper.log" 2>&1
st=$("$INKPIPE" status "$T/tamper/job.yaml")
check tampered_item__dotdot__refused eval 'echo "$st" | grep -q "evil1: .*\(bad output name\|refused\|\.\.\)"'
check tampered_item__absolute__refused eval 'echo "$st" | grep -q "evil2: "'
check tampered_item__victim_untouched victim_ok

# ---- no string reaches a shell ------------------------------------------
srcs=$(cd "$TOP" && ls common/*.c segment/*.c recognize/*.c output/*.c pipeline/*.c 2>/dev/null)
shell_calls=$(cd "$TOP" && grep -nE '\b(system|popen)[[:space:]]*\(|"/bin/sh"|"sh",[[:space:]]*"-c"' $srcs)
check source__no_system_popen_or_sh_c [ -z "$shell_calls" ]
[ -z "$shell_calls" ] || echo "$shell_calls"
