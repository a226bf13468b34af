-- wrk script for the GUI measurement: the W1 request, paced. Each connection waits PACE_MS between requests, so
-- wrk -c N gives about N * 1000 / PACE_MS requests per second (e.g. 10 connections, 10 ms: ~1000/s).
dofile((os.getenv("BENCH_DIR") or "bench") .. "/generate.lua")
local pace = tonumber(os.getenv("PACE_MS") or "10")
function delay()
  return pace
end
