#!/usr/bin/env bash
# The engine's layering, checked by what its libraries link against: every symbol of GemGate's own that a folder's
# library needs must be defined in that library or in one it declares (directly or through them) in
# proxycore/CMakeLists.txt. A folder that calls into a folder it does not declare fails here, whatever it includes.
# A library written "name!" may use only what it and the libraries it names define themselves, not what those build
# on (the desktop UI: control/ only).
#   link_layering_check.sh <layers file>...     (lines: "<library>[!] <archive> <declared libraries...>")
set -euo pipefail
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
declare -A archive deps strict
while read -r lib file rest; do
    if [[ $lib == *! ]]; then
        lib=${lib%!}
        strict[$lib]=1
    fi
    archive[$lib]=$file
    deps[$lib]=$rest
    # Defined here (text, data, weak, unique): mangled names in GemGate's namespace.
    nm --defined-only "$file" 2>/dev/null | awk '$2 ~ /^[TtDdBbRrWwVvu]$/ && $3 ~ /7gemgate/ {print $3}' | sort -u >"$work/$lib.def"
    nm --undefined-only "$file" 2>/dev/null | awk '$1 == "U" && $2 ~ /7gemgate/ {print $2}' | sort -u >"$work/$lib.und"
done < <(cat "$@")
closure() { # the library and everything it declares, transitively
    local -A seen=()
    local queue=("$1")
    while ((${#queue[@]})); do
        local l=${queue[0]}
        queue=("${queue[@]:1}")
        [[ -n ${seen[$l]:-} ]] && continue
        seen[$l]=1
        for d in ${deps[$l]:-}; do queue+=("$d"); done
    done
    echo "${!seen[@]}"
}
bad=0
for lib in "${!archive[@]}"; do
    allowed=()
    if [[ -n ${strict[$lib]:-} ]]; then
        for l in "$lib" ${deps[$lib]}; do allowed+=("$work/$l.def"); done
    else
        for l in $(closure "$lib"); do allowed+=("$work/$l.def"); done
    fi
    sort -u "${allowed[@]}" >"$work/allowed"
    missing=$(comm -23 "$work/$lib.und" "$work/allowed")
    [[ -z $missing ]] && continue
    while read -r sym; do
        owner=$(grep -lx -- "$sym" "$work"/*.def | head -1 | xargs -r basename | sed 's/\.def$//')
        echo "link layering: $lib uses $(echo "$sym" | c++filt) from ${owner:-nowhere}, which it does not declare" >&2
    done <<<"$missing"
    bad=1
done
((bad == 0)) && echo "link layering: ok (${#archive[@]} libraries)"
exit "$bad"
