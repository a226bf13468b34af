#!/usr/bin/env node
// Turns the raw results that bench/run.sh collected in $BENCH_TMP into the markdown report (stdout).
import fs from 'node:fs';
import path from 'node:path';

const env = process.env;
const dir = env.BENCH_TMP;
const read = (name) => {
    const file = path.join(dir, name);
    return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim() : null;
};
const json = (name) => {
    const text = read(name);
    return text ? JSON.parse(text) : null;
};
const num = (name) => {
    const text = read(name);
    return text === null ? null : Number(text);
};

const fmt = (v, digits = 1) => (v === null || v === undefined || Number.isNaN(v) ? 'n/a' : v.toFixed(digits));
const ratio = (a, b) => (a == null || b == null || b === 0 ? 'n/a' : `${(a / b).toFixed(2)}x`);
const signed = (v, digits = 1) => (v == null ? 'n/a' : `${v >= 0 ? '+' : ''}${v.toFixed(digits)}`);
const pass = (ok) => (ok ? 'PASS' : 'FAIL');

const names = { direct: 'direct (fake-gemini)', nginx: 'nginx', gg1: 'gemgate http1', gg2: 'gemgate http2/QNAM' };
const out = [];
const line = (s = '') => out.push(s);

line('# GemGate benchmark results');
line();
line(`- Date: ${env.BENCH_DATE}`);
line(`- Machine: ${env.BENCH_NPROC} CPUs (nproc), ${env.BENCH_CPU}, Linux ${env.BENCH_KERNEL}`);
line(`- Versions: ${env.BENCH_GEMGATED}; ${env.BENCH_NGINX}; ${env.BENCH_WRK}; node ${env.BENCH_NODE}`);
line(`- Load average (1/5/15 min) at start: ${env.BENCH_LOAD_START}; at end: ${env.BENCH_LOAD_END}`);
line('- Setup: fake-gemini upstream (1 thread) on loopback; nginx 1 worker (upstream keepalive 256, ' +
     'proxy_buffering off); gemgated workers: 1, auth on, access log off; all processes share the machine ' +
     'with the load generator.');
line('- Absolute numbers depend on the machine; read them as ratios.');
line();

// W1 ------------------------------------------------------------------------------------------------------------
line(`## W1: generateContent, keep-alive (wrk -t1 -d${env.BENCH_W1_DURATION} --latency)`);
line();
line('| Target | Conns | Req/s | p50 ms | p99 ms | Errors | Req/s vs nginx | Req/s vs direct | p99 vs nginx |');
line('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
const w1 = {};
for (const conns of [64, 256]) {
    for (const target of ['direct', 'nginx', 'gg1', 'gg2']) {
        const r = json(`w1_${target}_${conns}.json`);
        if (r) w1[`${target}_${conns}`] = r;
    }
}
for (const conns of [64, 256]) {
    const nginx = w1[`nginx_${conns}`];
    const direct = w1[`direct_${conns}`];
    for (const target of ['direct', 'nginx', 'gg1', 'gg2']) {
        const r = w1[`${target}_${conns}`];
        if (!r) continue;
        const errors = r.err_connect + r.err_read + r.err_write + r.err_status + r.err_timeout;
        line(`| ${names[target]} | ${conns} | ${fmt(r.rps, 0)} | ${fmt(r.p50_us / 1000, 2)} | ` +
             `${fmt(r.p99_us / 1000, 2)} | ${errors} | ${ratio(r.rps, nginx?.rps)} | ${ratio(r.rps, direct?.rps)} | ` +
             `${ratio(r.p99_us, nginx?.p99_us)} |`);
    }
}
line();

// W2 ------------------------------------------------------------------------------------------------------------
line('## W2: 500 concurrent SSE streams, 20 events 50 ms apart (bench/sse_load.mjs)');
line();
line('TTFE = time from starting the request to its first event, as seen by the client (all 500 start in one ' +
     'tick, so the client\'s own connection setup is part of every target\'s TTFE). Peak = streams past their ' +
     'first event and not yet ended, at once.');
line();
line('| Target | Peak | Errors | TTFE p50 ms | TTFE p99 ms | Gap p50 ms | Gap p99 ms | Gap max ms | ' +
     'TTFE overhead vs direct p50 / p99 ms | vs nginx p50 / p99 ms | Gap distortion (p99 − 50) ms |');
line('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
const w2 = {};
for (const target of ['direct', 'nginx', 'gg1', 'gg2']) w2[target] = json(`w2_${target}.json`);
for (const target of ['direct', 'nginx', 'gg1', 'gg2']) {
    const r = w2[target];
    if (!r) continue;
    const d = w2.direct;
    const n = w2.nginx;
    line(`| ${names[target]} | ${r.peak}/${r.streams} | ${r.errors} | ${fmt(r.ttfe_p50)} | ${fmt(r.ttfe_p99)} | ` +
         `${fmt(r.gap_p50)} | ${fmt(r.gap_p99)} | ${fmt(r.gap_max)} | ` +
         `${signed(d && r.ttfe_p50 - d.ttfe_p50)} / ${signed(d && r.ttfe_p99 - d.ttfe_p99)} | ` +
         `${signed(n && r.ttfe_p50 - n.ttfe_p50)} / ${signed(n && r.ttfe_p99 - n.ttfe_p99)} | ` +
         `${signed(r.gap_p99 - 50)} |`);
}
line();

// W3 ------------------------------------------------------------------------------------------------------------
line('## W3: resident memory (VmRSS, MB; peaks sampled every 100 ms)');
line();
line('| Process | Idle after start | Peak during W1 | Peak during W2 | 2 s after W2 | W2 peak vs nginx |');
line('|---|---:|---:|---:|---:|---:|');
const mb = (kb) => (kb === null ? null : kb / 1024);
const rss = {};
for (const p of ['gg1', 'gg2', 'nginx', 'fake']) {
    rss[p] = { idle: num(`rss_idle_${p}`), w1: num(`rss_w1_${p}`), w2: num(`rss_w2_${p}`), after: num(`rss_after_${p}`) };
}
const procNames = { gg1: 'gemgated (http1)', gg2: 'gemgated (http2/QNAM)', nginx: 'nginx (master + worker)',
                    fake: 'fake-gemini (upstream)' };
for (const p of ['gg1', 'gg2', 'nginx', 'fake']) {
    const r = rss[p];
    line(`| ${procNames[p]} | ${fmt(mb(r.idle))} | ${fmt(mb(r.w1))} | ${fmt(mb(r.w2))} | ${fmt(mb(r.after))} | ` +
         `${ratio(r.w2, rss.nginx.w2)} |`);
}
line();

// Targets -------------------------------------------------------------------------------------------------------
line('## Targets');
line();
const g64 = w1.gg1_64;
const n64 = w1.nginx_64;
const g = w2.gg1;
const overheadP99 = g && w2.direct ? g.ttfe_p99 - w2.direct.ttfe_p99 : null;
line(`- W1 gemgate http1 req/s >= 0.5x nginx at 64 connections: ${ratio(g64?.rps, n64?.rps)} — ` +
     `${pass(g64 && n64 && g64.rps >= 0.5 * n64.rps)}`);
line(`- W2 all ${g?.streams ?? 500} streams in flight at once through gemgate http1: peak ${g?.peak ?? 'n/a'}, ` +
     `errors ${g?.errors ?? 'n/a'} — ${pass(g && g.peak === g.streams && g.errors === 0)}`);
line(`- W2 p99 first-event overhead <= 5 ms (gemgate http1 − direct): ${signed(overheadP99)} ms — ` +
     `${pass(overheadP99 !== null && overheadP99 <= 5)}`);
line(`- W3 gemgated RSS <= 60 MB idle: http1 ${fmt(mb(rss.gg1.idle))} MB, http2 ${fmt(mb(rss.gg2.idle))} MB — ` +
     `${pass(rss.gg1.idle !== null && rss.gg1.idle <= 60 * 1024 && (rss.gg2.idle ?? 0) <= 60 * 1024)}`);
line();

// Thread CPU ----------------------------------------------------------------------------------------------------
const tops = [['gg1_64', 'W1, gemgate http1, 64 connections'], ['gg2_64', 'W1, gemgate http2/QNAM, 64 connections'],
              ['w2_gg1', 'W2, gemgate http1']];
const frames = [];
for (const [name, label] of tops) {
    const text = read(`top_${name}.txt`);
    if (!text) continue;
    // The second frame of `top -b -n2 -H`: CPU over its interval (the first frame averages since start).
    const parts = text.split(/^top - /m);
    const frame = parts.length >= 3 ? parts[2] : parts[parts.length - 1];
    const rows = frame.split('\n');
    const header = rows.findIndex((r) => /PID\s+USER/.test(r));
    if (header < 0) continue;
    frames.push(`${label}:`, '```', ...rows.slice(header, header + 7), '```');
}
if (frames.length) {
    line('## Per-thread CPU of gemgated under load (top -H, one frame)');
    line();
    for (const f of frames) line(f);
    line();
}

process.stdout.write(out.join('\n') + '\n');
