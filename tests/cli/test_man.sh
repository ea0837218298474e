#!/usr/bin/env bash
# test_man.sh - the man page and the bash completion (issue 16):
# docs/inkpipe.1 is what tools/mkman.sh makes from the binary's --help,
# groff formats it without warnings and man -l shows every command;
# `make install` installs both; the completion, sourced in bash, completes
# commands, each command's options and stage names.
. "$(dirname "$0")/lib.sh"

T=$TEST_TMPDIR
"$TOP/tools/mkman.sh" "$INKPIPE" >"$T/inkpipe.1" 2>"$T/mkman.err"; rc=$?
check mkman__binary__exit_0 test "$rc" = 0
check man_page__committed__up_to_date diff "$TOP/docs/inkpipe.1" "$T/inkpipe.1"
groff -man -Tutf8 -ww "$TOP/docs/inkpipe.1" >"$T/man.txt" 2>"$T/groff.err"
check man_page__groff_ww__no_warnings test ! -s "$T/groff.err"
MANWIDTH=80 man -l "$TOP/docs/inkpipe.1" >"$T/man2.txt" 2>/dev/null
all=1
for c in $("$INKPIPE" help | sed -n '/^commands:/,/^$/p' | awk 'NF > 1 && $1 != "commands:" {print $1}'); do
    grep -q "usage: inkpipe $c" "$T/man2.txt" || { all=0; echo "  no section for $c"; }
done
check man_page__man_l__every_command_described test "$all" = 1
check man_page__run__documents_stop_exit_codes grep -q "130 stopped by SIGINT" "$T/man2.txt"

make -s -C "$TOP" -o "$INKPIPE" install BIN="$INKPIPE" DESTDIR="$T/root" PREFIX=/usr >"$T/install.log" 2>&1; rc=$?
check make_install__exit_0 test "$rc" = 0
check make_install__man_page cmp -s "$TOP/docs/inkpipe.1" "$T/root/usr/share/man/man1/inkpipe.1"
check make_install__completion cmp -s "$TOP/tools/inkpipe.bash-completion" \
    "$T/root/usr/share/bash-completion/completions/inkpipe"

# complete WORDS...: the completion of the last word (COMP_CWORD = last)
complete_words() {
    bash -c 'shopt -s extglob; . "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _inkpipe; printf "%s\n" "${COMPREPLY[@]}"' \
        _ "$TOP/tools/inkpipe.bash-completion" "$@"
}
check completion__command__run test "$(complete_words "$INKPIPE" ru)" = run
got=$(complete_words "$INKPIPE" st)
check completion__commands__status test "$got" = status
got=$(complete_words "$INKPIPE" run --)
check completion__run_options__workers_quiet test "$(echo $got)" = "--help --prune --quiet --workers"
got=$(complete_words "$INKPIPE" ocr -)
check completion__ocr_options__from_help test -n "$(echo "$got" | grep -x -- -o)" -a -n "$(echo "$got" | grep -x -- --no-lm)"
got=$(complete_words "$INKPIPE" work job.yaml --stage se)
check completion__stage_names test "$got" = segment
mkdir -p "$T/c" && touch "$T/c/a.yaml" "$T/c/b.png"
got=$(cd "$T/c" && complete_words "$INKPIPE" run "")
check completion__job_argument__yaml_only test "$got" = a.yaml
