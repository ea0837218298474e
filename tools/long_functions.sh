#!/bin/bash
# tools/long_functions.sh [--check] [MAX] - functions longer than MAX lines
# (120) in the project's C files outside tests/, longest first (needs
# universal-ctags).
#
# With --check: exit 1 and name every long function that is not in the
# list below of those still long (docs/layout.md, "Long functions"), and
# every listed one that is no longer long (so the list stays true).
check=0
if [ "${1:-}" = --check ]; then
    check=1
    shift
fi
max=${1:-120}
cd "$(dirname "$0")/.." || exit 1
# Still over 120 lines (file:function), each to split when its file is
# next changed: training, the worker (being reworked), commands and tools.
known="
train/train_strokes.c:rec_stroke_font_load
train/train_loop.c:rec_net_train
train/train_recipe.c:load_sets
cli/cmd_train.c:eval_set
cli/cmd_train.c:cmd_eval
cli/cmd_classify.c:cmd_classify
tools/bench_stages.c:bench_page
tools/compose.c:compose_page
tools/compose.c:parse_args
"
list=$(git ls-files '*.c' | grep -v '^tests/' | while read -r f; do
    ctags --c-kinds=f --fields=+ne -o - "$f" 2>/dev/null |
        awk -F'\t' -v f="$f" '{
            s=""; e="";
            for (i=4;i<=NF;i++) { if ($i ~ /^line:/) s=substr($i,6); if ($i ~ /^end:/) e=substr($i,5) }
            if (s != "" && e != "") print e-s+1, f":"s, $1 }'
done | awk -v m="$max" '$1 > m' | sort -rn)
[ -n "$list" ] && echo "$list"
[ "$check" = 1 ] || exit 0
rc=0
long=$(echo "$list" | awk 'NF { split($2, a, ":"); print a[1] ":" $3 }')
for fn in $long; do
    if ! grep -qxF "$fn" <<<"$known"; then
        echo "long_functions: $fn is over $max lines: split it" >&2
        rc=1
    fi
done
for fn in $known; do
    if ! grep -qxF "$fn" <<<"$long"; then
        echo "long_functions: $fn is no longer over $max lines: take it" \
             "off the list in tools/long_functions.sh and docs/layout.md" >&2
        rc=1
    fi
done
exit $rc
