-- wrk script for W1: small non-streaming generateContent requests over keep-alive connections.
-- The client key is sent to every target; the fake upstream and nginx ignore it (any non-empty key is accepted).
wrk.method = "POST"
wrk.path = "/v1beta/models/gemini-2.5-flash:generateContent"
wrk.body = '{"contents":[{"parts":[{"text":"hi"}]}]}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["x-goog-api-key"] = "gg-bench-client-key-0123456789"

-- One machine-readable line for run.sh (latency in microseconds).
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"duration_us":%d,"rps":%.1f,"p50_us":%d,"p99_us":%d,"max_us":%d,' ..
    '"err_connect":%d,"err_read":%d,"err_write":%d,"err_status":%d,"err_timeout":%d}\n',
    summary.requests, summary.duration, summary.requests / (summary.duration / 1e6),
    latency:percentile(50), latency:percentile(99), latency.max,
    e.connect, e.read, e.write, e.status, e.timeout))
end
