#!/usr/bin/env bash
# GemGate load benchmark: the gateway against a direct connection and nginx, all in front of fake-gemini.
#   bench/run.sh [build-dir]      (default build dir: build)
# Writes bench/results.md and prints the same table. See bench/README.md.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)
BUILD=${1:-build}
# A relative build dir is taken from the current directory, else from the repository root.
if [[ $BUILD != /* && ! -d $BUILD && -d $ROOT/$BUILD ]]; then BUILD=$ROOT/$BUILD; fi
BUILD=$(cd "$BUILD" 2>/dev/null && pwd) || { echo "run.sh: no build directory '${1:-build}'" >&2; exit 2; }
GEMGATED=$BUILD/app/gemgated
FAKE=$BUILD/tests/support/fake-gemini
for bin in "$GEMGATED" "$FAKE"; do
    [[ -x $bin ]] || { echo "run.sh: missing $bin (build targets gemgated and fake-gemini)" >&2; exit 2; }
done
for tool in nginx wrk node; do
    command -v "$tool" >/dev/null || { echo "run.sh: '$tool' not found (apt-get install -y nginx-light wrk nodejs)" >&2; exit 2; }
done

CLIENT_KEY=gg-bench-client-key-0123456789
W1_DURATION=${W1_DURATION:-10s}
[[ $W1_DURATION =~ ^[1-9][0-9]?s$ ]] || { echo "run.sh: W1_DURATION must be 1s-99s" >&2; exit 2; }
W2_STREAMS=500
W2_ROUNDS=${W2_ROUNDS:-5}
[[ $W2_ROUNDS =~ ^[1-9]$ ]] || { echo "run.sh: W2_ROUNDS must be 1-9" >&2; exit 2; }
W2_RAMP_MS=${W2_RAMP_MS:-400} # the ramped W2 variant starts its streams evenly over this many ms
[[ $W2_RAMP_MS =~ ^[1-9][0-9]{0,2}$ && $W2_RAMP_MS -le 900 ]] ||
    { echo "run.sh: W2_RAMP_MS must be 1-900 (shorter than a stream lasts)" >&2; exit 2; }
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" || true

TMP=$(mktemp -d /tmp/gemgate-bench.XXXXXX)
chmod 755 "$TMP" # nginx workers may run as another user
PIDS=()

cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    local pid i
    for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do
        for ((i = 0; i < 50; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    if ((rc != 0)); then
        echo "run.sh: failed (rc=$rc); logs:" >&2
        tail -n 5 "$TMP"/*.log >&2 2>/dev/null || true
    fi
    rm -rf "$TMP"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

forget_pid() { # a process that was waited for is no longer ours to signal
    local pid=$1 i
    for i in "${!PIDS[@]}"; do [[ ${PIDS[$i]} != "$pid" ]] || unset 'PIDS[i]'; done
}

log() { printf '[%(%H:%M:%S)T] %s\n' -1 "$*" >&2; }

free_port() {
    node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

# wait_for_line FILE REGEX: prints the first capture group of the first matching line; at most 10 s.
wait_for_line() {
    local file=$1 regex=$2 i line
    for ((i = 0; i < 100; i++)); do
        if [[ -f $file ]]; then
            while IFS= read -r line; do
                if [[ $line =~ $regex ]]; then printf '%s\n' "${BASH_REMATCH[1]}"; return 0; fi
            done <"$file"
        fi
        sleep 0.1
    done
    echo "run.sh: timed out waiting for /$regex/ in $file" >&2
    return 1
}

wait_for_port() {
    local port=$1 i
    for ((i = 0; i < 100; i++)); do
        if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
        sleep 0.1
    done
    echo "run.sh: nothing listens on port $port" >&2
    return 1
}

PAGE_KB=$(($(getconf PAGESIZE) / 1024))
# Sum of the resident set (VmRSS, the second field of /proc/PID/statm) over the given pids, in kB, into RSS_KB.
# Builtins only: the sampler calls this for every group ten times a second, and a fork per call (a command
# substitution) cost it about a fifth of a core, taken from the processes under test.
rss_into() {
    local sum=0 pid _ resident
    for pid in "$@"; do
        read -r _ resident _ <"/proc/$pid/statm" 2>/dev/null || continue
        sum=$((sum + resident * PAGE_KB))
    done
    RSS_KB=$sum
}
rss_kb() { rss_into "$@"; echo "$RSS_KB"; } # the same, printed

proc_ticks() { # CPU time (utime + stime, clock ticks) summed over the given pids
    local sum=0 pid stat f
    for pid in "$@"; do
        stat=$(<"/proc/$pid/stat") 2>/dev/null || continue
        read -r -a f <<<"${stat##*) }" # fields from 3 (state) on: utime is field 14, stime 15
        sum=$((sum + f[11] + f[12]))
    done
    echo "$sum"
}

thread_ticks() { # one line per thread of a process: tid ticks name
    local task stat f
    for task in /proc/"$1"/task/*; do
        stat=$(<"$task/stat") 2>/dev/null || continue
        read -r -a f <<<"${stat##*) }"
        printf '%s %s %s
' "${task##*/}" "$((f[11] + f[12]))" "$(<"$task/comm")"
    done
}

# CPU accounting around one measured run: measure_begin NAME PROXY_PIDS... ; run ; measure_end NAME.
# Writes $TMP/cpu_NAME.json with the ticks of the proxy, of the upstream and the wall time, and for gemgated
# the per-thread ticks ($TMP/threads_NAME.before/.after).
MEASURE_PROXY=() MEASURE_T0='' MEASURE_PROXY0='' MEASURE_FAKE0=''
measure_begin() {
    local name=$1
    shift
    MEASURE_PROXY=("$@")
    [[ ${#MEASURE_PROXY[@]} -ne 1 || ${MEASURE_PROXY[0]} != "$GG1_PID" && ${MEASURE_PROXY[0]} != "$GG2_PID" &&
    ${MEASURE_PROXY[0]} != "$GGD_PID" && ${MEASURE_PROXY[0]} != "$GGDT_PID" ]] ||
        thread_ticks "${MEASURE_PROXY[0]}" >"$TMP/threads_$name.before"
    MEASURE_PROXY0=$(proc_ticks "${MEASURE_PROXY[@]}")
    MEASURE_FAKE0=$(proc_ticks "$FAKE_PID")
    MEASURE_T0=$EPOCHREALTIME
}
measure_end() {
    local name=$1 t1=$EPOCHREALTIME
    local proxy=$(($(proc_ticks "${MEASURE_PROXY[@]}") - MEASURE_PROXY0))
    local fake=$(($(proc_ticks "$FAKE_PID") - MEASURE_FAKE0))
    [[ ! -e $TMP/threads_$name.before ]] || thread_ticks "${MEASURE_PROXY[0]}" >"$TMP/threads_$name.after"
    printf '{"proxy_ticks":%d,"fake_ticks":%d,"wall_us":%d}\n' "$proxy" "$fake" \
        $(( ${t1/./} - ${MEASURE_T0/./} )) >"$TMP/cpu_$name.json"
}

# Background RSS sampler: every 100 ms (at most 10 minutes) it records the peak of each named process group
# in $TMP/rss_<phase>_<name>. Arguments: phase name=pid[,pid...] ...
SAMPLER_PID=
start_sampler() {
    local phase=$1
    shift
    touch "$TMP/sampling"
    (
        declare -A peak=()
        local tick
        # The 100 ms tick is a timed read on a FIFO nobody writes to: a builtin, where `sleep` would fork.
        [[ -p $TMP/tick ]] || mkfifo "$TMP/tick"
        exec {tick}<>"$TMP/tick"
        for ((n = 0; n < 6000; n++)); do
            [[ -e $TMP/sampling ]] || break
            for spec in "$@"; do
                name=${spec%%=*}
                IFS=, read -r -a group <<<"${spec#*=}"
                rss_into "${group[@]}"
                if ((RSS_KB > ${peak[$name]:-0})); then
                    peak[$name]=$RSS_KB
                    echo "$RSS_KB" >"$TMP/rss_${phase}_$name"
                fi
            done
            read -r -t 0.1 -u "$tick" _ || true
        done
    ) &
    SAMPLER_PID=$!
    PIDS+=("$SAMPLER_PID")
}
stop_sampler() {
    rm -f "$TMP/sampling"
    wait "$SAMPLER_PID" 2>/dev/null || true
    forget_pid "$SAMPLER_PID"
}

# ---------------------------------------------------------------------------------------------------------------
log "build dir: $BUILD; temp dir: $TMP"
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)

# Upstream: fake-gemini, one thread, recording off.
"$FAKE" --port 0 --threads 1 >"$TMP/fake.log" 2>&1 &
FAKE_PID=$!
PIDS+=("$FAKE_PID")
FAKE_PORT=$(wait_for_line "$TMP/fake.log" '^listening on ([0-9]+)')
DIRECT_URL=http://127.0.0.1:$FAKE_PORT
log "fake-gemini on $FAKE_PORT (pid $FAKE_PID)"

# nginx: one worker, keep-alive pool to the upstream, unbuffered so SSE streams through.
NGINX_PORT=$(free_port)
mkdir -p "$TMP/nginx/logs"
cat >"$TMP/nginx/nginx.conf" <<EOF
worker_processes 1;
pid $TMP/nginx/nginx.pid;
error_log $TMP/nginx/logs/error.log warn;
events { worker_connections 8192; }
http {
    access_log off;
    client_body_temp_path $TMP/nginx/client_body;
    proxy_temp_path $TMP/nginx/proxy;
    fastcgi_temp_path $TMP/nginx/fastcgi;
    uwsgi_temp_path $TMP/nginx/uwsgi;
    scgi_temp_path $TMP/nginx/scgi;
    keepalive_requests 1000000;
    upstream gemini {
        server 127.0.0.1:$FAKE_PORT;
        keepalive 256;
        keepalive_requests 1000000;
    }
    server {
        listen 127.0.0.1:$NGINX_PORT backlog=4096;
        location / {
            proxy_pass http://gemini;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_buffering off;
        }
    }
}
EOF
# start_nginx NAME PORT: runs nginx with $TMP/NAME/nginx.conf -> sets NG_PID (master) and NG_WORKERS (a,b,...).
start_nginx() {
    local name=$1 port=$2
    nginx -t -q -p "$TMP/$name" -c "$TMP/$name/nginx.conf" 2>"$TMP/$name-test.log" ||
        { cat "$TMP/$name-test.log" >&2; exit 1; }
    nginx -p "$TMP/$name" -c "$TMP/$name/nginx.conf" -g 'daemon off;' >"$TMP/$name.log" 2>&1 &
    NG_PID=$!
    PIDS+=("$NG_PID")
    wait_for_port "$port"
    NG_WORKERS=$(pgrep -P "$NG_PID" | paste -sd, -)
    [[ -n $NG_WORKERS ]] || { echo "run.sh: no $name worker" >&2; exit 1; }
}
start_nginx nginx "$NGINX_PORT"
NGINX_PID=$NG_PID NGINX_WORKERS=$NG_WORKERS
NGINX_URL=http://127.0.0.1:$NGINX_PORT
log "nginx on $NGINX_PORT (master $NGINX_PID, worker $NGINX_WORKERS)"

# gemgated, once per upstream transport. Config and data directories are private to this run.
start_gemgated_with() { # name scheme (stdin: the config) -> sets GG_PID, GG_URL
    local name=$1 scheme=$2
    mkdir -p "$TMP/$name/config" "$TMP/$name/data"
    cat >"$TMP/$name/gemgate.yaml"
    XDG_CONFIG_HOME=$TMP/$name/config XDG_DATA_HOME=$TMP/$name/data XDG_CACHE_HOME=$TMP/$name/data \
        "$GEMGATED" --config "$TMP/$name/gemgate.yaml" >"$TMP/$name.log" 2>&1 &
    GG_PID=$!
    PIDS+=("$GG_PID")
    local port
    port=$(wait_for_line "$TMP/$name.log" "gemgate: listening on $scheme://127\\.0\\.0\\.1:([0-9]+)")
    GG_URL=$scheme://127.0.0.1:$port
    log "gemgated $name on $port (pid $GG_PID)"
}
start_gemgated() { # name transport -> sets GG_PID, GG_URL
    start_gemgated_with "$1" http <<EOF
server: {host: 127.0.0.1, port: 0, workers: 1}
gemini:
  base_url: $DIRECT_URL
  transport: $2
  api_keys: [{id: k1, key: AIzaSyBenchKey000000000000000000000000}]
auth: {enabled: true, client_keys: [{id: bench, key: $CLIENT_KEY}]}
log: {access_log: off}
EOF
}
# The default configuration's shape: workers = cores, access log to a file, usage records on, auth on, 3 keys;
# with a TLS listener when $2 is https (the certificate nginx serves too).
start_gemgated_defaults() { # name scheme -> sets GG_PID, GG_URL
    local tls='{enabled: false}'
    [[ $2 == http ]] || tls="{enabled: true, cert_path: $TMP/tls/cert.pem, key_path: $TMP/tls/key.pem}"
    start_gemgated_with "$1" "$2" <<EOF
server: {host: 127.0.0.1, port: 0, tls: $tls}
gemini:
  base_url: $DIRECT_URL
  api_keys:
    - {id: k1, key: AIzaSyBenchKey000000000000000000000001}
    - {id: k2, key: AIzaSyBenchKey000000000000000000000002}
    - {id: k3, key: AIzaSyBenchKey000000000000000000000003}
auth: {enabled: true, client_keys: [{id: bench, key: $CLIENT_KEY}]}
usage: {enabled: true}
log: {access_log: $TMP/$1/access.log}
EOF
}
start_gemgated gg1 http1
GG1_PID=$GG_PID GG1_URL=$GG_URL

# nginx with workers = cores, a plain and a TLS listener, beside gemgated in the default configuration's shape.
mkdir -p "$TMP/tls"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=127.0.0.1 \
    -addext subjectAltName=IP:127.0.0.1 -keyout "$TMP/tls/key.pem" -out "$TMP/tls/cert.pem" 2>"$TMP/openssl.log"
chmod 644 "$TMP/tls/key.pem" # read by nginx workers that may run as another user; a throwaway key
NGINXC_PORT=$(free_port)
NGINXC_TLS_PORT=$(free_port)
mkdir -p "$TMP/nginxc/logs"
sed -e "s/^worker_processes 1;/worker_processes $(nproc);/" -e "s#$TMP/nginx/#$TMP/nginxc/#g" \
    -e "s#listen 127.0.0.1:$NGINX_PORT backlog=4096;#listen 127.0.0.1:$NGINXC_PORT backlog=4096;\n        listen 127.0.0.1:$NGINXC_TLS_PORT ssl backlog=4096;\n        ssl_certificate $TMP/tls/cert.pem;\n        ssl_certificate_key $TMP/tls/key.pem;#" \
    "$TMP/nginx/nginx.conf" >"$TMP/nginxc/nginx.conf"
start_nginx nginxc "$NGINXC_PORT"
NGINXC_PID=$NG_PID NGINXC_WORKERS=$NG_WORKERS
log "nginx (workers = cores) on $NGINXC_PORT, TLS on $NGINXC_TLS_PORT (master $NGINXC_PID, workers $NGINXC_WORKERS)"
start_gemgated_defaults ggd http
GGD_PID=$GG_PID GGD_URL=$GG_URL
start_gemgated_defaults ggdt https
GGDT_PID=$GG_PID GGDT_URL=$GG_URL
start_gemgated gg2 http2
GG2_PID=$GG_PID GG2_URL=$GG_URL

# Sanity: each target answers the W1 request with 200.
NGINXC_URL=http://127.0.0.1:$NGINXC_PORT NGINXCT_URL=https://127.0.0.1:$NGINXC_TLS_PORT
for url in "$DIRECT_URL" "$NGINX_URL" "$GG1_URL" "$GG2_URL" "$NGINXC_URL" "$NGINXCT_URL" "$GGD_URL" "$GGDT_URL"; do
    code=$(node -e '
        const http = require(process.argv[1].startsWith("https:") ? "https" : "http");
        const req = http.request(process.argv[1] + "/v1beta/models/gemini-2.5-flash:generateContent",
            {method: "POST", headers: {"content-type": "application/json", "x-goog-api-key": process.argv[2]},
             rejectUnauthorized: false},
            (res) => { res.resume(); console.log(res.statusCode); });
        req.setTimeout(5000, () => req.destroy());
        req.on("error", () => console.log(0));
        req.end(JSON.stringify({contents: [{parts: [{text: "hi"}]}]}));' "$url" "$CLIENT_KEY")
    [[ $code == 200 ]] || { echo "run.sh: $url answered $code" >&2; exit 1; }
done

# W3 idle: one second after start, before any load (the sanity request above aside).
sleep 1
for spec in "gg1=$GG1_PID" "gg2=$GG2_PID" "ggd=$GGD_PID" "nginx=$NGINX_PID,$NGINX_WORKERS" \
    "nginxc=$NGINXC_PID,$NGINXC_WORKERS" "fake=$FAKE_PID"; do
    IFS=, read -r -a group <<<"${spec#*=}"
    rss_kb "${group[@]}" >"$TMP/rss_idle_${spec%%=*}"
done
# The proxy processes of each target, for CPU accounting (direct has none: an empty group counts 0).
declare -A PROXY_PIDS=([direct]="" [nginx]="$NGINX_PID ${NGINX_WORKERS//,/ }" [gg1]="$GG1_PID" [gg2]="$GG2_PID"
    [nginxc]="$NGINXC_PID ${NGINXC_WORKERS//,/ }" [nginxct]="$NGINXC_PID ${NGINXC_WORKERS//,/ }" [ggd]="$GGD_PID"
    [ggdt]="$GGDT_PID")
SAMPLE_SPECS=("gg1=$GG1_PID" "gg2=$GG2_PID" "ggd=$GGD_PID" "nginx=$NGINX_PID,$NGINX_WORKERS" "fake=$FAKE_PID")

# ---------------------------------------------------------------------------------------------------------------
# W1: small generateContent requests over keep-alive connections (wrk, one thread).
run_wrk() { # target url connections duration [save]
    local target=$1 url=$2 conns=$3 duration=$4 save=${5:-}
    local out=$TMP/wrk_${target}_$conns.txt
    local proxy_pids=()
    read -r -a proxy_pids <<<"${PROXY_PIDS[$target]}"
    [[ -z $save ]] || measure_begin "w1_${target}_$conns" "${proxy_pids[@]}"
    timeout 120 wrk -t1 -c"$conns" -d"$duration" --latency -s "$BENCH_DIR/generate.lua" "$url" >"$out" 2>&1 ||
        { echo "run.sh: wrk failed against $target:" >&2; cat "$out" >&2; exit 1; }
    if [[ -n $save ]]; then
        measure_end "w1_${target}_$conns"
        grep -o 'BENCH_JSON .*' "$out" | cut -d' ' -f2- >"$TMP/w1_${target}_$conns.json"
        log "  W1 $target c$conns: $(cat "$TMP/w1_${target}_$conns.json")"
    fi
}
w1_target() { # target url connections...
    local target=$1 url=$2 conns
    shift 2
    run_wrk "$target" "$url" 64 2s # warm-up, discarded
    for conns in "$@"; do
        sleep 1
        run_wrk "$target" "$url" "$conns" "$W1_DURATION" save
    done
}

# The default configuration's shape (the headline rows): gemgated with workers = cores, access log to a file, usage
# on, auth on, 3 keys, beside nginx with workers = cores; over plain HTTP and over a TLS listener.
BENCH_ONLY=${BENCH_ONLY:-} # "" (everything), "defaults" (the headline rows only) or "w2" (W2 only)
[[ -z $BENCH_ONLY || $BENCH_ONLY == defaults || $BENCH_ONLY == w2 ]] ||
    { echo "run.sh: BENCH_ONLY must be empty, defaults or w2" >&2; exit 2; }
if [[ $BENCH_ONLY != w2 ]]; then
    log "W1 defaults: wrk -t1 -d$W1_DURATION, 64 connections, workers = cores, plain and TLS"
    start_sampler w1 "${SAMPLE_SPECS[@]}" # W1's peaks include the default-shape runs
    w1_target nginxc "$NGINXC_URL" 64
    w1_target ggd "$GGD_URL" 64
    w1_target nginxct "$NGINXCT_URL" 64
    w1_target ggdt "$GGDT_URL" 64
    if [[ -z $BENCH_ONLY ]]; then
        log "W1: wrk -t1 -d$W1_DURATION, 64 and 256 connections"
        w1_target direct "$DIRECT_URL" 64 256
        w1_target nginx "$NGINX_URL" 64 256
        w1_target gg1 "$GG1_URL" 64 256
        w1_target gg2 "$GG2_URL" 64
    fi
    stop_sampler
    sleep 2
fi

if [[ $BENCH_ONLY != defaults ]]; then
# ---------------------------------------------------------------------------------------------------------------
# W2: 500 SSE streams, 20 events 50 ms apart, in two variants: "burst" starts all 500 in one tick, "ramped" starts
# them evenly over W2_RAMP_MS (all still in flight at once, since each lasts ~1 s). A burst's TTFE varies by tens of
# ms from run to run (the client sets up 500 connections at once on the same cores), so the targets are run in
# W2_ROUNDS interleaved rounds (each round: every target burst, then every target ramped) and the report takes
# medians (the overhead per round and variant: gemgate minus direct of the same round and variant).
log "W2: $W2_STREAMS concurrent SSE streams, 20 events 50 ms apart, burst and ramped ($W2_RAMP_MS ms)," \
    "$W2_ROUNDS rounds"
start_sampler w2 "${SAMPLE_SPECS[@]}"
for ((round = 1; round <= W2_ROUNDS; round++)); do
    for variant in burst ramped; do
        ramp=0
        [[ $variant == burst ]] || ramp=$W2_RAMP_MS
        for entry in "direct $DIRECT_URL" "nginx $NGINX_URL" "gg1 $GG1_URL" "gg2 $GG2_URL"; do
            read -r target url <<<"$entry"
            name=w2_${variant}_${target}_r$round
            sleep 2
            rc=0
            read -r -a proxy_pids <<<"${PROXY_PIDS[$target]}"
            measure_begin "$name" "${proxy_pids[@]}"
            timeout 90 node "$BENCH_DIR/sse_load.mjs" --url "$url" --streams "$W2_STREAMS" --chunks 20 \
                --interval-ms 50 --ramp-ms "$ramp" --key "$CLIENT_KEY" --timeout-ms 30000 \
                >"$TMP/$name.json" 2>"$TMP/$name.err" || rc=$?
            measure_end "$name"
            if [[ ! -s $TMP/$name.json ]]; then
                echo "run.sh: sse_load ($variant) failed against $target (rc=$rc):" >&2
                cat "$TMP/$name.err" >&2
                exit 1
            fi
            log "  W2 round $round $variant $target: $(cat "$TMP/$name.json")"
        done
    done
done
stop_sampler
fi # W2

sleep 2
for spec in "${SAMPLE_SPECS[@]}"; do
    IFS=, read -r -a group <<<"${spec#*=}"
    rss_kb "${group[@]}" >"$TMP/rss_after_${spec%%=*}"
done
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)

# Every process must have survived the run.
for pid in "$FAKE_PID" "$NGINX_PID" "$GG1_PID" "$GG2_PID" "$NGINXC_PID" "$GGD_PID" "$GGDT_PID"; do
    kill -0 "$pid" 2>/dev/null || { echo "run.sh: process $pid died during the run" >&2; exit 1; }
done

# ---------------------------------------------------------------------------------------------------------------
BENCH_TMP=$TMP
BENCH_DATE=$(date -u '+%Y-%m-%d %H:%M UTC')
BENCH_NPROC=$(nproc)
BENCH_CPU=$(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
BENCH_KERNEL=$(uname -r)
BENCH_GEMGATED=$("$GEMGATED" --version 2>&1 | head -n1)
BENCH_NGINX=$(nginx -v 2>&1 | head -n1)
BENCH_WRK=$( (wrk -v 2>&1 || true) | head -n1 | sed 's/ *Copyright.*//') # wrk -v exits with 1
BENCH_NODE=$(node --version)
BENCH_BUILD_TYPE=$(sed -n 's/^CMAKE_BUILD_TYPE:STRING=//p' "$BUILD/CMakeCache.txt" 2>/dev/null || true)
BENCH_CLK_TCK=$(getconf CLK_TCK)
BENCH_W2_ROUNDS=$W2_ROUNDS BENCH_W2_RAMP_MS=$W2_RAMP_MS BENCH_W1_DURATION=$W1_DURATION
BENCH_LOAD_START=$LOAD_START BENCH_LOAD_END=$LOAD_END
BENCH_ACCESS_LINES=$(cat "$TMP/ggd/access.log" "$TMP/ggdt/access.log" 2>/dev/null | wc -l)
export BENCH_ONLY BENCH_ACCESS_LINES BENCH_TMP BENCH_DATE BENCH_NPROC BENCH_CPU BENCH_KERNEL BENCH_GEMGATED BENCH_NGINX BENCH_WRK BENCH_NODE \
    BENCH_BUILD_TYPE BENCH_CLK_TCK BENCH_W2_ROUNDS BENCH_W2_RAMP_MS BENCH_W1_DURATION BENCH_LOAD_START BENCH_LOAD_END
node "$BENCH_DIR/report.mjs" >"$TMP/results.md"
if [[ -z $BENCH_ONLY ]]; then
    cp "$TMP/results.md" "$BENCH_DIR/results.md"
    log "wrote $BENCH_DIR/results.md"
fi
cat "$TMP/results.md"
