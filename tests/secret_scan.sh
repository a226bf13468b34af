#!/bin/sh
# Runs last (ctest FIXTURES_CLEANUP): scans everything the test run left behind (access logs, state databases,
# their WAL files, ctest's captured test output) for the upstream and client keys the tests used. Any hit means a
# secret reached a log, a database or test output.
#   secret_scan.sh <dir-or-file>...
set -u
pattern='AIzaSyTest[A-Za-z0-9_-]+|AIzaSyE2eKey[A-Za-z0-9_-]+|gg-test-client-key-[0-9a-f]+|gg-e2e-client-key-[a-z]+'

# Self-check: the pattern must find a planted key, or the scan below proves nothing.
probe=$(mktemp)
printf 'x AIzaSyTestKey01-abcdefghijklmnopqrstu x\n' > "$probe"
if ! grep -qaE "$pattern" "$probe"; then
  echo "secret_scan: the pattern does not match a planted key" >&2
  rm -f "$probe"
  exit 2
fi
rm -f "$probe"

files=$(mktemp)
for target in "$@"; do
  [ -e "$target" ] || continue
  find "$target" -type f \( -name '*.log' -o -name '*.db' -o -name '*.db-wal' -o -name '*.db-journal' \
       -o -name '*.jsonl' -o -name 'LastTest*.log' \) -print >> "$files"
done
total=$(wc -l < "$files")
dbs=$(grep -c '\.db$' "$files")
hits=0
while IFS= read -r f; do
  if grep -qaE "$pattern" "$f"; then
    echo "secret_scan: key material in $f" >&2
    hits=$((hits + 1))
  fi
done < "$files"
rm -f "$files"
echo "secret_scan: scanned $total file(s) ($dbs database(s)); $hits with key material"
[ "$hits" -eq 0 ]
