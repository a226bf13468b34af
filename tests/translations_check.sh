#!/usr/bin/env bash
# Every string the window shows is in translations/gemgate_zh_CN.ts and translated: lupdate re-reads the sources
# into a copy of the file, and the copy must have the same messages as the committed file and none unfinished.
#   translations_check.sh <source dir> <lupdate>
set -euo pipefail
src=$1
lupdate=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ts=$src/translations/gemgate_zh_CN.ts
cp "$ts" "$tmp/check.ts"
"$lupdate" "$src"/ui/*.cpp "$src"/ui/*.h "$src"/app/main_gui.cpp -ts "$tmp/check.ts" -no-obsolete -locations none \
    >"$tmp/lupdate.log" 2>&1 || { cat "$tmp/lupdate.log"; exit 1; }
committed=$(grep -c '<message' "$ts")
current=$(grep -c '<message' "$tmp/check.ts")
unfinished=$(grep -c 'type="unfinished"' "$tmp/check.ts" || true)
echo "zh_CN: $current messages in the sources, $committed in the file, $unfinished unfinished"
if [ "$committed" != "$current" ] || [ "$unfinished" != 0 ]; then
    echo "translations_check: run 'cmake --build build --target update_translations' and translate the new strings:" >&2
    grep -B3 'type="unfinished"' "$tmp/check.ts" | grep '<source>' >&2 || true
    exit 1
fi
