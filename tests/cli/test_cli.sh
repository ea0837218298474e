#!/usr/bin/env bash
# test_cli.sh - the command line itself: --version, help, unknown commands,
# and the environment read once at start (a bad INKPIPE_PRECISION is named).
source "$(dirname "$0")/lib.sh"

v=$("$INKPIPE" --version); rc=$?
check version__exit_0 test "$rc" = 0
case $v in "inkpipe "?*) ok=1 ;; *) ok=0 ;; esac
check version__names_inkpipe_and_a_build test "$ok" = 1
check version__same_as_version_command test "$("$INKPIPE" version)" = "$v"

"$INKPIPE" help >"$TEST_TMPDIR/help" 2>&1; rc=$?
check help__exit_0 test "$rc" = 0
check help__mentions_version grep -q -- '--version' "$TEST_TMPDIR/help"

"$INKPIPE" frobnicate >/dev/null 2>"$TEST_TMPDIR/err"; rc=$?
check unknown_command__exit_2 test "$rc" = 2
check unknown_command__named grep -q "unknown command 'frobnicate'" "$TEST_TMPDIR/err"

INKPIPE_PRECISION=fp16 "$INKPIPE" help >/dev/null 2>"$TEST_TMPDIR/err"; rc=$?
check env_precision_bad__exit_2 test "$rc" = 2
check env_precision_bad__names_variable grep -q "INKPIPE_PRECISION" "$TEST_TMPDIR/err"
