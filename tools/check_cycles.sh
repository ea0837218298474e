#!/bin/bash
# tools/check_cycles.sh BUILD - pairs of files that call each other.
#
# From the objects' symbol tables (nm): file A -> file B when A uses a
# symbol B defines. Prints each pair of files that use each other ("A <->
# B") and exits 1 if there is one; a layer's files should form a chain.
set -u
build=${1:-build}
declare -A def
for o in $(find "$build" -path "$build/tests" -prune -o -path "$build/tools" -prune -o -path "$build/fuzz" -prune -o -name '*.o' -print); do
    f=${o#"$build"/}; f=${f%.o}
    while read -r s; do def[$s]=$f; done < <(nm --defined-only -g "$o" | awk 'NF==3 {print $3}')
done
declare -A edge
for o in $(find "$build" -path "$build/tests" -prune -o -path "$build/tools" -prune -o -path "$build/fuzz" -prune -o -name '*.o' -print); do
    f=${o#"$build"/}; f=${f%.o}
    while read -r s; do
        d=${def[$s]:-}
        [ -n "$d" ] && [ "$d" != "$f" ] && edge["$f $d"]=1
    done < <(nm -u "$o" | awk '{print $2}')
done
bad=0
for e in "${!edge[@]}"; do
    set -- $e
    if [ -n "${edge["$2 $1"]:-}" ] && [[ "$1" < "$2" ]]; then
        echo "cycle: $1.c <-> $2.c"
        bad=1
    fi
done
[ $bad -eq 0 ] && echo "cycles: no two files call each other"
exit $bad
