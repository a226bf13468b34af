#!/usr/bin/env node
// W2: many concurrent SSE streams (streamGenerateContent?alt=sse), opened at once or ramped.
//
//   node sse_load.mjs --url http://127.0.0.1:PORT [--streams 500] [--chunks 20] [--interval-ms 50]
//                     [--key KEY] [--timeout-ms 30000] [--ramp-ms 0]
//
// With --ramp-ms 0 (the default, "burst") every stream is started in the same tick. With --ramp-ms N ("ramped")
// stream i is started at i * N / streams ms (500 over 400 ms: one every 0.8 ms; a 1 ms timer starts whichever are
// due, so one or two per tick, and after a stall of the client no more than 1.6x that per tick); N must be shorter
// than a stream lasts ((chunks - 1) * interval) so that the first stream is still open when the last one starts.
// Per stream it records the time from starting that request to the first complete SSE event (TTFE) and the gap
// between each pair of consecutive events. A stream counts as in flight from its first event until its response
// ended (or failed); the peak of that count ("peak") shows whether all streams were really streaming at the same
// time (with 20 events 50 ms apart each stream lasts ~1 s, so a stream that is served only after others ended
// lowers the peak). "peak_requested" counts from the
// request start instead. "ramp_actual_ms" is the time from the first to the last request start and
// "start_lag_max_ms" how late against its schedule a request was started at worst (the client's own timer lag).
// Prints one JSON line: {peak, ttfe_p50, ttfe_p99, gap_p50, gap_p99, gap_max, errors, ...}, times in ms.

import http from 'node:http';

function parseArgs(argv) {
    const opts = { url: '', streams: 500, chunks: 20, intervalMs: 50, key: 'gg-bench-client-key-0123456789',
                   timeoutMs: 30000, rampMs: 0 };
    for (let i = 2; i < argv.length; i++) {
        const name = argv[i];
        const value = argv[++i];
        if (value === undefined) throw new Error(`missing value for ${name}`);
        switch (name) {
        case '--url': opts.url = value; break;
        case '--streams': opts.streams = Number(value); break;
        case '--chunks': opts.chunks = Number(value); break;
        case '--interval-ms': opts.intervalMs = Number(value); break;
        case '--key': opts.key = value; break;
        case '--timeout-ms': opts.timeoutMs = Number(value); break;
        case '--ramp-ms': opts.rampMs = Number(value); break;
        default: throw new Error(`unknown option ${name}`);
        }
    }
    if (!opts.url) throw new Error('--url is required');
    if (!(opts.rampMs >= 0)) throw new Error('--ramp-ms must be >= 0');
    if (opts.rampMs > 0 && opts.rampMs >= (opts.chunks - 1) * opts.intervalMs) {
        throw new Error(`--ramp-ms ${opts.rampMs} is not shorter than a stream lasts ` +
                        `(${(opts.chunks - 1) * opts.intervalMs} ms): the streams could not all be in flight at once`);
    }
    return opts;
}

function percentile(sorted, p) {
    if (sorted.length === 0) return null;
    const rank = Math.ceil((p / 100) * sorted.length) - 1;
    return sorted[Math.min(sorted.length - 1, Math.max(0, rank))];
}

const round = (v) => (v === null ? null : Math.round(v * 1000) / 1000);
const nowMs = () => Number(process.hrtime.bigint()) / 1e6;

const opts = parseArgs(process.argv);
const base = new URL(opts.url);
const path = '/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse';
const body = JSON.stringify({ contents: [{ parts: [{ text: 'hi' }] }] });
const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity, maxFreeSockets: Infinity });

const ttfe = [];
const gaps = [];
const errorSamples = [];
let errors = 0;
let inFlight = 0;      // requests started and not settled
let peakRequested = 0;
let streamingNow = 0;  // streams past their first event and not settled
let peak = 0;
let completed = 0;
let finished = 0;
let firstStartAt = null;
let lastStartAt = null;
let startLagMax = 0;

function runStream(index) {
    return new Promise((resolve) => {
        const start = nowMs();
        if (firstStartAt === null) firstStartAt = start;
        lastStartAt = start;
        let settled = false;
        let events = 0;
        let lastEventAt = 0;
        let buffer = '';
        let streaming = false;

        const finish = (err) => {
            if (settled) return;
            settled = true;
            inFlight--;
            if (streaming) streamingNow--;
            finished++;
            if (err) {
                errors++;
                if (errorSamples.length < 5) errorSamples.push(`stream ${index}: ${err}`);
            } else {
                completed++;
            }
            resolve();
        };

        const req = http.request({
            host: base.hostname, port: base.port, path, method: 'POST', agent,
            headers: {
                'content-type': 'application/json',
                'content-length': Buffer.byteLength(body),
                'x-goog-api-key': opts.key,
                'x-fake-chunks': String(opts.chunks),
                'x-fake-interval-ms': String(opts.intervalMs),
            },
        }, (res) => {
            if (res.statusCode !== 200) {
                res.resume();
                finish(`HTTP ${res.statusCode}`);
                return;
            }
            res.setEncoding('utf8');
            res.on('data', (chunk) => {
                const t = nowMs();
                buffer += chunk;
                // Events end with a blank line; accept LF and CRLF line ends.
                for (;;) {
                    const m = /\r?\n\r?\n/.exec(buffer);
                    if (!m) break;
                    const block = buffer.slice(0, m.index);
                    buffer = buffer.slice(m.index + m[0].length);
                    if (!/^data:/m.test(block)) continue;
                    if (events === 0) {
                        ttfe.push(t - start);
                        streaming = true;
                        streamingNow++;
                        if (streamingNow > peak) peak = streamingNow;
                    } else {
                        gaps.push(t - lastEventAt);
                    }
                    lastEventAt = t;
                    events++;
                }
            });
            res.on('end', () => finish(events === opts.chunks ? null : `got ${events}/${opts.chunks} events`));
            res.on('error', (e) => finish(e.message));
            res.on('aborted', () => finish('response aborted'));
        });
        req.setTimeout(opts.timeoutMs, () => req.destroy(new Error('timeout')));
        req.on('error', (e) => finish(e.message));
        req.on('close', () => finish(events === opts.chunks ? null : `closed after ${events}/${opts.chunks} events`));
        inFlight++;
        if (inFlight > peakRequested) peakRequested = inFlight;
        req.end(body);
    });
}

const wallStart = nowMs();
const all = [];
if (opts.rampMs > 0) {
    // Ramped: stream i is due at wallStart + i * step. Each timer tick starts the streams that are due (timers
    // have 1 ms resolution, so one or two per tick at 0.8 ms) and sleeps until the next one is.
    const step = opts.rampMs / opts.streams;
    // After a stall of the client's event loop (or of the whole process: on a small machine the client shares the
    // cores with the proxy and the upstream), the overdue streams are not started all at once, which would be a
    // small burst; at most 1.6x the nominal rate per tick, so the schedule catches up within a few ms.
    const maxPerTick = Math.max(1, Math.ceil(1.6 / step));
    let next = 0;
    let startedAll;
    const started = new Promise((resolve) => { startedAll = resolve; });
    const pump = () => {
        const now = nowMs();
        for (let n = 0; n < maxPerTick && next < opts.streams && wallStart + next * step <= now; n++) {
            startLagMax = Math.max(startLagMax, nowMs() - (wallStart + next * step));
            all.push(runStream(next++));
        }
        if (next < opts.streams) setTimeout(pump, Math.max(0, wallStart + next * step - nowMs()));
        else startedAll();
    };
    pump();
    await started;
} else {
    // Burst: all streams are started synchronously, in one tick: none can finish before the last one was started.
    for (let i = 0; i < opts.streams; i++) all.push(runStream(i));
}
// Hard stop in case a stream never settles (the per-request timeout should catch it first).
const guard = setTimeout(() => {
    console.error(`sse_load: giving up after ${opts.timeoutMs + 5000} ms with ${opts.streams - finished} open`);
    process.exit(3);
}, opts.timeoutMs + 5000);
await Promise.all(all);
clearTimeout(guard);
agent.destroy();

ttfe.sort((a, b) => a - b);
gaps.sort((a, b) => a - b);
const result = {
    streams: opts.streams,
    ramp_ms: opts.rampMs,
    ramp_actual_ms: round(lastStartAt - firstStartAt),
    start_lag_max_ms: round(startLagMax),
    peak,            // streams past their first event and not yet ended, at once
    peak_requested: peakRequested,
    completed,
    errors,
    ttfe_p50: round(percentile(ttfe, 50)),
    ttfe_p99: round(percentile(ttfe, 99)),
    ttfe_max: round(ttfe.length ? ttfe[ttfe.length - 1] : null),
    gap_p50: round(percentile(gaps, 50)),
    gap_p99: round(percentile(gaps, 99)),
    gap_max: round(gaps.length ? gaps[gaps.length - 1] : null),
    gap_count: gaps.length,
    wall_ms: round(nowMs() - wallStart),
};
if (errorSamples.length) result.error_samples = errorSamples;
console.log(JSON.stringify(result));
process.exit(errors === 0 && peak === opts.streams ? 0 : 1);
