#!/usr/bin/env bash
# The desktop app's GUI thread: CPU while idle and while the gateway serves about 1000 requests a second, with the
# dashboard (live charts) in front. Runs the real `gemgate` (QT_QPA_PLATFORM=offscreen unless a display is given)
# in front of fake-gemini, reads the main thread's CPU ticks from /proc, and prints one Markdown table.
#   bench/gui_cpu.sh [build-dir] [seconds]      (defaults: build, 20)
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)
BUILD=${1:-build}
if [[ $BUILD != /* && ! -d $BUILD && -d $ROOT/$BUILD ]]; then BUILD=$ROOT/$BUILD; fi
BUILD=$(cd "$BUILD" && pwd)
SECONDS_EACH=${2:-20}
[[ $SECONDS_EACH =~ ^[1-9][0-9]?$ ]] || { echo "gui_cpu.sh: seconds must be 1-99" >&2; exit 2; }
command -v wrk >/dev/null || { echo "gui_cpu.sh: wrk not found (installer/linux/install-deps.sh --bench)" >&2; exit 2; }
TMP=$(mktemp -d /tmp/gemgate-gui-cpu.XXXXXX)
KEY=gg-bench-client-key-0123456789
PIDS=()
cleanup() {
    local pid
    for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    [[ -n ${KEEP_TMP:-} ]] || rm -rf "$TMP"
}
trap cleanup EXIT

# shellcheck source=lib.sh
source "$BENCH_DIR/lib.sh"

"$BUILD/tests/support/fake-gemini" --port 0 --threads 1 >"$TMP/fake.log" 2>&1 &
PIDS+=($!)
FAKE_PORT=$(wait_line "$TMP/fake.log" '^listening on ([0-9]+)')
mkdir -p "$TMP/home/.config/gemgate" "$TMP/runtime"
chmod 700 "$TMP/runtime"
# The desktop app shows its port in the window, not on stderr: give it a port nothing listens on.
PORT=
for ((p = 18480; p < 18580; p++)); do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then PORT=$p; break; fi
done
[[ -n $PORT ]] || { echo "gui_cpu.sh: no free port in 18480-18579" >&2; exit 1; }
cat >"$TMP/home/.config/gemgate/gemgate.yaml" <<YAML
server: {host: 127.0.0.1, port: $PORT}
gemini:
  base_url: http://127.0.0.1:$FAKE_PORT
  api_keys:
    - {id: k1, key: AIzaSyBenchKey000000000000000000000001}
    - {id: k2, key: AIzaSyBenchKey000000000000000000000002}
    - {id: k3, key: AIzaSyBenchKey000000000000000000000003}
auth: {enabled: true, client_keys: [{id: bench, key: $KEY}]}
usage: {enabled: true}
log: {access_log: $TMP/access.log}
metrics: {prometheus_port: 0}
YAML
HOME=$TMP/home XDG_CONFIG_HOME=$TMP/home/.config XDG_DATA_HOME=$TMP/home/.local/share \
    XDG_RUNTIME_DIR=$TMP/runtime QT_QPA_PLATFORM=${QT_QPA_PLATFORM:-offscreen} \
    "$BUILD/app/gemgate" >"$TMP/gemgate.log" 2>&1 &
GG_PID=$!
PIDS+=("$GG_PID")
for ((i = 0; i < 150; i++)); do
    (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break
    kill -0 "$GG_PID" 2>/dev/null || { echo "gui_cpu.sh: gemgate exited:" >&2; cat "$TMP/gemgate.log" >&2; exit 1; }
    sleep 0.1
done
HZ=$(getconf CLK_TCK)
sleep 2 # the window is up and the first snapshots are drawn

measure() { # label, then the command that makes the load (or "sleep N")
    local label=$1 t0 p0 t1 p1 s0 s1
    shift
    t0=$(ticks "$GG_PID" "$GG_PID"); p0=$(ticks "$GG_PID"); s0=$EPOCHREALTIME
    "$@" >"$TMP/load.txt" 2>&1
    t1=$(ticks "$GG_PID" "$GG_PID"); p1=$(ticks "$GG_PID"); s1=$EPOCHREALTIME
    local wall_us=$(( ${s1/./} - ${s0/./} ))
    local rps="—"
    if grep -q BENCH_JSON "$TMP/load.txt"; then rps=$(grep -o '"rps":[0-9.]*' "$TMP/load.txt" | cut -d: -f2); fi
    awk -v l="$label" -v r="$rps" -v gt=$((t1 - t0)) -v pt=$((p1 - p0)) -v hz="$HZ" -v w="$wall_us" \
        'BEGIN { printf "| %s | %s | %.1f%% | %.1f%% |\n", l, r, 100 * gt / hz / (w / 1e6), 100 * pt / hz / (w / 1e6) }'
}

echo "| gemgate (desktop, dashboard in front) | req/s | GUI thread CPU (% of one core) | whole process CPU |"
echo "|---|---:|---:|---:|"
measure "idle" sleep "$SECONDS_EACH"
BENCH_DIR=$BENCH_DIR PACE_MS=10 measure "about 1000 requests/s (wrk -c11, 10 ms apart)" \
    wrk -t1 -c11 -d"${SECONDS_EACH}s" -s "$BENCH_DIR/paced.lua" "http://127.0.0.1:$PORT"
