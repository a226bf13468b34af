#!/usr/bin/env bash
# Profiles gemgated in the default configuration's shape under the W1 load (perf record, call graphs).
#   bench/profile.sh [build-dir] [seconds]     (defaults: build, 8)
# Prints the profile's shares (kernel vs user, by library, the top symbols, CPU per thread) and leaves perf.data
# in $PROFILE_OUT (default: a temporary directory, printed at the end) for `perf report -i`.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)
BUILD=${1:-build}
if [[ $BUILD != /* && ! -d $BUILD && -d $ROOT/$BUILD ]]; then BUILD=$ROOT/$BUILD; fi
BUILD=$(cd "$BUILD" && pwd)
SECONDS_TO_RECORD=${2:-8}
[[ $SECONDS_TO_RECORD =~ ^[1-9][0-9]?$ ]] || { echo "profile.sh: seconds must be 1-99" >&2; exit 2; }
for tool in perf wrk; do
    command -v "$tool" >/dev/null || { echo "profile.sh: '$tool' not found (apt-get install -y linux-perf wrk)" >&2; exit 2; }
done
OUT=${PROFILE_OUT:-$(mktemp -d /tmp/gemgate-profile.XXXXXX)}
mkdir -p "$OUT"
KEY=gg-bench-client-key-0123456789
PIDS=()
cleanup() {
    local pid
    for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT

# shellcheck source=lib.sh
source "$BENCH_DIR/lib.sh"

"$BUILD/tests/support/fake-gemini" --port 0 --threads 1 >"$OUT/fake.log" 2>&1 &
PIDS+=($!)
FAKE_PORT=$(wait_line "$OUT/fake.log" '^listening on ([0-9]+)')
mkdir -p "$OUT/config" "$OUT/data"
cat >"$OUT/gemgate.yaml" <<EOF
server: {host: 127.0.0.1, port: 0}
gemini:
  base_url: http://127.0.0.1:$FAKE_PORT
  api_keys:
    - {id: k1, key: AIzaSyBenchKey000000000000000000000001}
    - {id: k2, key: AIzaSyBenchKey000000000000000000000002}
    - {id: k3, key: AIzaSyBenchKey000000000000000000000003}
auth: {enabled: true, client_keys: [{id: bench, key: $KEY}]}
usage: {enabled: true}
log: {access_log: $OUT/access.log}
EOF
XDG_CONFIG_HOME=$OUT/config XDG_DATA_HOME=$OUT/data XDG_CACHE_HOME=$OUT/data \
    "$BUILD/app/gemgated" --config "$OUT/gemgate.yaml" >"$OUT/gemgated.log" 2>&1 &
GG_PID=$!
PIDS+=("$GG_PID")
PORT=$(wait_line "$OUT/gemgated.log" 'gemgate: listening on http://127\.0\.0\.1:([0-9]+)')
URL=http://127.0.0.1:$PORT

wrk -t1 -c64 -d2s -s "$BENCH_DIR/generate.lua" "$URL" >/dev/null # warm-up
threads() { local t s f; for t in /proc/"$1"/task/*; do s=$(<"$t/stat"); read -r -a f <<<"${s##*) }"
    printf '%s %s %s\n' "${t##*/}" "$((f[11] + f[12]))" "$(<"$t/comm")"; done; }
threads "$GG_PID" >"$OUT/threads.before"
T0=$(ticks "$GG_PID")
wrk -t1 -c64 -d"$((SECONDS_TO_RECORD + 2))s" -s "$BENCH_DIR/generate.lua" "$URL" >"$OUT/wrk.txt" 2>&1 &
WRK_PID=$!
sleep 1
perf record -F 1999 -g -p "$GG_PID" -o "$OUT/perf.data" -- sleep "$SECONDS_TO_RECORD" 2>"$OUT/perf-record.log"
wait "$WRK_PID"
T1=$(ticks "$GG_PID")
threads "$GG_PID" >"$OUT/threads.after"
REQS=$(grep -o 'BENCH_JSON {"requests":[0-9]*' "$OUT/wrk.txt" | grep -o '[0-9]*$')
RPS=$(grep -o '"rps":[0-9.]*' "$OUT/wrk.txt" | cut -d: -f2)
HZ=$(getconf CLK_TCK)
echo "== load: $RPS req/s; gemgated CPU per request: $(((T1 - T0) * 1000000 / HZ / REQS)) us (whole wrk run)"
echo "== CPU by thread (ticks during the whole wrk run):"
join <(sort "$OUT/threads.before") <(sort "$OUT/threads.after") |
    awk '{d=$4-$2; s[$3]+=d; t+=d} END {for (n in s) printf "  %5.1f%%  %s\n", 100*s[n]/t, n}' |
    sort -rn
echo "== kernel vs user:"
report() { perf report -i "$OUT/perf.data" --no-children -g none --stdio "$@" 2>/dev/null | grep -E '^ +[0-9]' || true; }
report --sort cpumode | head -5
echo "== by library:"
report --sort dso | head -12
echo "== top symbols:"
report --sort dso,sym | head -40
echo "perf data: $OUT/perf.data"
