#!/bin/bash
# tools/check_layers.sh BUILD - every call between layers goes downward.
#
# For each layer library BUILD/libLAYER.a, every symbol it uses but does not
# define must be defined by one of the layers it may call (the Makefile's
# LAYER_DEPS_LAYER, passed in the environment as DEPS_LAYER) or come from
# outside the project (libc, Leptonica, OpenBLAS, ...). The link of each
# binary already fails on an upward call; this check names the offending
# object and symbol for every library at once, without building a binary.
# Prints one line per violation and exits 1 if there is any.
set -u
build=$1
shift
layers=("$@")
# every symbol any project library defines, with its layer
declare -A owner
for l in "${layers[@]}"; do
    while read -r sym; do
        owner[$sym]=$l
    done < <(nm --defined-only -g "$build/lib$l.a" 2>/dev/null | awk 'NF==3 {print $3}')
done
bad=0
for l in "${layers[@]}"; do
    deps_var="DEPS_$l"
    allowed=" $l ${!deps_var:-} "
    while read -r obj sym; do
        o=${owner[$sym]:-}
        [ -z "$o" ] && continue          # outside the project
        case "$allowed" in *" $o "*) continue ;; esac
        echo "layers: $l/$obj calls $sym, defined in $o/ (not below $l)"
        bad=1
    done < <(nm -g "$build/lib$l.a" 2>/dev/null | awk '
        /:$/ {obj=substr($1,1,length($1)-1); next}
        $1=="U" {print obj, $2}')
done
[ $bad -eq 0 ] && echo "layers: every call goes downward (${#layers[@]} libraries)"
exit $bad
