#!/bin/bash
# tools/long_functions.sh [MAX] - functions longer than MAX lines (120) in
# the project's C files outside tests/, longest first (needs universal-ctags).
max=${1:-120}
cd "$(dirname "$0")/.." || exit 1
git ls-files '*.c' | grep -v '^tests/' | while read -r f; do
    ctags --c-kinds=f --fields=+ne -o - "$f" 2>/dev/null |
        awk -F'\t' -v f="$f" '{
            s=""; e="";
            for (i=4;i<=NF;i++) { if ($i ~ /^line:/) s=substr($i,6); if ($i ~ /^end:/) e=substr($i,5) }
            if (s != "" && e != "") print e-s+1, f":"s, $1 }'
done | awk -v m="$max" '$1 > m' | sort -rn
