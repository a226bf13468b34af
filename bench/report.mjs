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

const tickUs = 1e6 / Number(env.BENCH_CLK_TCK || 100);
const cpuPer = (name, which, count) => {
    const c = json(`cpu_${name}.json`);
    return c && count ? fmt((c[`${which}_ticks`] * tickUs) / count, 1) : 'n/a';
};
const names = { direct: 'direct (fake-gemini)', nginx: 'nginx', gg1: 'gemgate http1', gg2: 'gemgate http2/QNAM' };
const out = [];
const line = (s = '') => out.push(s);

line('# GemGate benchmark results');
line();
line(`- Date: ${env.BENCH_DATE}`);
line(`- Machine: ${env.BENCH_NPROC} CPUs (nproc), ${env.BENCH_CPU}, Linux ${env.BENCH_KERNEL}`);
line(`- Versions: ${env.BENCH_GEMGATED} (build type ${env.BENCH_BUILD_TYPE || 'unknown'}); ${env.BENCH_NGINX}; ` +
     `${env.BENCH_WRK}; node ${env.BENCH_NODE}`);
line(`- Load average (1/5/15 min) at start: ${env.BENCH_LOAD_START}; at end: ${env.BENCH_LOAD_END}`);
line('- Setup: fake-gemini upstream (1 thread) on loopback. The headline rows: nginx with workers = cores against ' +
     'gemgated in the default configuration\'s shape (below). The other rows: nginx 1 worker (upstream keepalive ' +
     '256, proxy_buffering off) against gemgated with workers: 1, auth on, access log off. All processes share ' +
     'the machine with the load generator.');
line('- Absolute numbers depend on the machine; read them as ratios.');
line();

// W1 in the default configuration's shape (the headline) ---------------------------------------------------------
const w1Row = (r, nginx, name, nginxName, label) => {
    const errors = r.err_connect + r.err_read + r.err_write + r.err_status + r.err_timeout;
    const nc = json(`cpu_${nginxName}.json`);
    const c = json(`cpu_${name}.json`);
    const cpu = c ? (c.proxy_ticks * tickUs) / r.requests : null;
    const ncpu = nc && nginx ? (nc.proxy_ticks * tickUs) / nginx.requests : null;
    return { text: `| ${label} | ${fmt(r.rps, 0)} | ${fmt(r.p50_us / 1000, 2)} | ${fmt(r.p99_us / 1000, 2)} | ` +
                   `${errors} | ${ratio(r.rps, nginx?.rps)} | ${fmt(cpu)} | ${ratio(cpu, ncpu)} |`,
             rps: nginx ? r.rps / nginx.rps : null, cpu: cpu && ncpu ? cpu / ncpu : null, errors };
};
const dflt = {};
for (const t of ['nginxc', 'ggd', 'nginxct', 'ggdt']) dflt[t] = json(`w1_${t}_64.json`);
const headline = {};
if (dflt.nginxc && dflt.ggd) {
    line(`## W1 in the default configuration's shape (wrk -t1 -c64 -d${env.BENCH_W1_DURATION} --latency)`);
    line();
    line(`gemgated as a user runs it: workers = cores (${env.BENCH_NPROC}), access log to a file, usage records ` +
         `on, auth on, 3 keys; nginx with workers = cores and a keep-alive upstream. The TLS rows use one ` +
         `self-signed P-256 certificate for both. Access-log lines written by the two gemgated instances: ` +
         `${env.BENCH_ACCESS_LINES}.`);
    line();
    line('| Target | Req/s | p50 ms | p99 ms | Errors | Req/s vs nginx | Proxy CPU/req µs | CPU/req vs nginx |');
    line('|---|---:|---:|---:|---:|---:|---:|---:|');
    for (const [t, base, label] of [['nginxc', 'nginxc', 'nginx, workers = cores'],
                                    ['ggd', 'nginxc', 'gemgate, default shape'],
                                    ['nginxct', 'nginxct', 'nginx, TLS listener'],
                                    ['ggdt', 'nginxct', 'gemgate, default shape, TLS listener']]) {
        if (!dflt[t]) continue;
        const row = w1Row(dflt[t], dflt[base], `w1_${t}_64`, `w1_${base}_64`, label);
        headline[t] = row;
        line(row.text);
    }
    line();
    line(`- Target: gemgate >= 0.5x nginx's req/s and CPU/req <= 2.5x nginx's: ` +
         `${fmt(headline.ggd?.rps, 2)}x / ${fmt(headline.ggd?.cpu, 2)}x — ` +
         `${pass(headline.ggd && headline.ggd.rps >= 0.5 && headline.ggd.cpu <= 2.5 && headline.ggd.errors === 0)}`);
    if (headline.ggdt)
        line(`- Target: gemgate with a TLS listener >= 0.5x nginx with a TLS listener: ` +
             `${fmt(headline.ggdt.rps, 2)}x — ${pass(headline.ggdt.rps >= 0.5 && headline.ggdt.errors === 0)}`);
    line();
}

// W1 ------------------------------------------------------------------------------------------------------------
line(`## W1: generateContent, keep-alive (wrk -t1 -d${env.BENCH_W1_DURATION} --latency)`);
line();
line('CPU/req = CPU time (user + system) the proxy process(es) and the upstream used during the run, divided by ' +
     'the requests served.');
line();
line('| Target | Conns | Req/s | p50 ms | p99 ms | Errors | Req/s vs nginx | Req/s vs direct | p99 vs nginx | ' +
     'Proxy CPU/req µs | Upstream CPU/req µs |');
line('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
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
             `${ratio(r.p99_us, nginx?.p99_us)} | ${target === 'direct' ? '—' : cpuPer(`w1_${target}_${conns}`, 'proxy', r.requests)} | ` +
             `${cpuPer(`w1_${target}_${conns}`, 'fake', r.requests)} |`);
    }
}
line();

// W2 ------------------------------------------------------------------------------------------------------------
const rounds = Number(env.BENCH_W2_ROUNDS || 1);
const rampMs = Number(env.BENCH_W2_RAMP_MS || 400);
const targets = ['direct', 'nginx', 'gg1', 'gg2'];
const variants = ['burst', 'ramped'];
const median = (values) => {
    const v = values.filter((x) => x !== null && x !== undefined).sort((x, y) => x - y);
    if (!v.length) return null;
    return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
};
// w2Runs[variant][target][round - 1]: the sse_load.mjs result of that run (null if missing).
const w2Runs = {};
const w2 = {};
for (const variant of variants) {
    w2Runs[variant] = {};
    w2[variant] = {};
    for (const target of targets) {
        const list = [];
        for (let r = 1; r <= rounds; r++) list.push(json(`w2_${variant}_${target}_r${r}.json`));
        w2Runs[variant][target] = list;
        const runs = list.filter(Boolean);
        if (!runs.length) continue;
        const m = (key) => median(runs.map((x) => x[key]));
        const cpu = median(list.map((x, i) => {
            const c = json(`cpu_w2_${variant}_${target}_r${i + 1}.json`);
            return c && x ? (c.proxy_ticks * tickUs) / x.streams : null;
        }));
        w2[variant][target] = {
            runs: runs.length, streams: runs[0].streams, peak: Math.min(...runs.map((x) => x.peak)),
            errors: runs.reduce((n, x) => n + x.errors, 0), ttfe_p50: m('ttfe_p50'), ttfe_p99: m('ttfe_p99'),
            gap_p50: m('gap_p50'), gap_p99: m('gap_p99'), gap_max: Math.max(...runs.map((x) => x.gap_max)),
            ramp_actual: m('ramp_actual_ms'), start_lag_max: Math.max(...runs.map((x) => x.start_lag_max_ms ?? 0)),
            cpu };
    }
}
// Overheads are paired per round (same round and variant, seconds apart), then the median over the rounds is taken.
const overhead = (variant, target, base, key) => {
    const diffs = [];
    for (let r = 0; r < rounds; r++) {
        const a = w2Runs[variant][target]?.[r];
        const b = w2Runs[variant][base]?.[r];
        if (a && b) diffs.push(a[key] - b[key]);
    }
    return { median: median(diffs), min: diffs.length ? Math.min(...diffs) : null,
             max: diffs.length ? Math.max(...diffs) : null };
};
line(`## W2: 500 concurrent SSE streams, 20 events 50 ms apart (bench/sse_load.mjs, median of ${rounds} rounds)`);
line();
line('TTFE = time from starting a request to its first event, as seen by the client. Two variants, run in the same ' +
     'interleaved rounds: **burst** starts all 500 streams in one tick, so every target\'s TTFE includes the ' +
     'client, the proxy and the upstream setting up 500 connections at once (it mostly measures how a proxy ' +
     'queues a burst of connection set-ups on cores it shares with the load generator); **ramped** starts them ' +
     `evenly over ${rampMs} ms (one every ${fmt(rampMs / 500, 1)} ms), so all 500 are still in flight at once ` +
     '(each lasts ~1 s) but each request\'s TTFE is its own per-request latency through the proxy. The overhead ' +
     'columns are the differences (per round, then the median). Peak = streams past their first event and not ' +
     'yet ended at once (lowest over the rounds); errors are summed; gap max is the largest.');
line();
const variantTitles = {
    burst: 'W2 burst: all 500 streams started in one tick',
    ramped: `W2 ramped: 500 streams started evenly over ${rampMs} ms (the target's figure)`,
};
for (const variant of variants) {
    const v = w2[variant];
    if (!targets.some((t) => v[t])) continue;
    line(`### ${variantTitles[variant]}`);
    line();
    // How the client kept to its schedule, per target (a proxy that eats the shared cores also delays the client).
    const startInfo = targets.filter((t) => v[t]).map((t) => (variant === 'ramped'
        ? `${names[t]} ${fmt(v[t].ramp_actual, 0)} ms / ${fmt(v[t].start_lag_max, 0)} ms`
        : `${names[t]} ${fmt(v[t].ramp_actual, 0)} ms`));
    line(variant === 'ramped'
        ? `First to last request start (median) / worst lag of a start behind its schedule: ${startInfo.join('; ')}.`
        : `First to last request start (median; creating 500 requests synchronously): ${startInfo.join('; ')}.`);
    line();
    line('| Target | Peak | Errors | TTFE p50 ms | TTFE p99 ms | Gap p50 ms | Gap p99 ms | Gap max ms | ' +
         'TTFE overhead vs direct p50 / p99 ms | vs nginx p50 / p99 ms | Gap distortion (p99 − 50) ms | ' +
         'Proxy CPU/stream µs |');
    line('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
    for (const target of targets) {
        const r = v[target];
        if (!r) continue;
        line(`| ${names[target]} | ${r.peak}/${r.streams} | ${r.errors} | ${fmt(r.ttfe_p50)} | ${fmt(r.ttfe_p99)} | ` +
             `${fmt(r.gap_p50)} | ${fmt(r.gap_p99)} | ${fmt(r.gap_max)} | ` +
             `${signed(overhead(variant, target, 'direct', 'ttfe_p50').median)} / ` +
             `${signed(overhead(variant, target, 'direct', 'ttfe_p99').median)} | ` +
             `${signed(overhead(variant, target, 'nginx', 'ttfe_p50').median)} / ` +
             `${signed(overhead(variant, target, 'nginx', 'ttfe_p99').median)} | ` +
             `${signed(r.gap_p99 - 50)} | ${target === 'direct' ? '—' : fmt(r.cpu, 0)} |`);
    }
    line();
    if (rounds > 1) {
        const perRound = (target) => w2Runs[variant][target]
            .map((x) => (x ? `${fmt(x.ttfe_p50)}/${fmt(x.ttfe_p99)}` : 'n/a')).join(', ');
        line(`TTFE p50/p99 ms per round (${variant}): ` +
             targets.map((t) => `${names[t]} ${perRound(t)}`).join('; ') + '.');
        line();
    }
}

// W3 ------------------------------------------------------------------------------------------------------------
line('## W3: resident memory (VmRSS, MB; peaks sampled every 100 ms)');
line();
line('| Process | Idle after start | Peak during W1 | Peak during W2 | 2 s after W2 | W2 peak vs nginx |');
line('|---|---:|---:|---:|---:|---:|');
const mb = (kb) => (kb === null ? null : kb / 1024);
const rss = {};
for (const p of ['gg1', 'gg2', 'ggd', 'nginx', 'fake']) {
    rss[p] = { idle: num(`rss_idle_${p}`), w1: num(`rss_w1_${p}`), w2: num(`rss_w2_${p}`), after: num(`rss_after_${p}`) };
}
const procNames = { gg1: 'gemgated (http1)', gg2: 'gemgated (http2/QNAM)', ggd: 'gemgated (default shape)',
                    nginx: 'nginx (master + worker)', fake: 'fake-gemini (upstream)' };
for (const p of ['gg1', 'gg2', 'ggd', 'nginx', 'fake']) {
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
const inFlight = (variant) => {
    const r = w2[variant].gg1;
    return { ok: Boolean(r && r.peak === r.streams && r.errors === 0),
             text: `${variant} peak ${r?.peak ?? 'n/a'}/${r?.streams ?? 500}, errors ${r?.errors ?? 'n/a'}` };
};
const fl = variants.map(inFlight);
line('- W2 all 500 streams in flight at once through gemgate http1 (both variants): ' +
     `${fl.map((x) => x.text).join('; ')} — ${pass(fl.every((x) => x.ok))}`);
const oh = overhead('ramped', 'gg1', 'direct', 'ttfe_p99');
const ohBurst = overhead('burst', 'gg1', 'direct', 'ttfe_p99');
const ohBurstNginx = overhead('burst', 'nginx', 'direct', 'ttfe_p99');
line(`- W2 p99 first-event overhead <= 3 ms (ramped, gemgate http1 − direct, median of ${rounds} rounds): ` +
     `${signed(oh.median)} ms (rounds: ${signed(oh.min)} .. ${signed(oh.max)}) — ` +
     `${pass(oh.median !== null && oh.median <= 3)}. ` +
     `Burst, reported alongside (not the target's figure): ${signed(ohBurst.median)} ms ` +
     `(rounds: ${signed(ohBurst.min)} .. ${signed(ohBurst.max)}); nginx − direct in the burst: ` +
     `${signed(ohBurstNginx.median)} ms.`);
const idleOk = ['gg1', 'gg2', 'ggd'].every((p) => rss[p].idle === null || rss[p].idle <= 30 * 1024) &&
    rss.gg1.idle !== null;
line(`- W3 gemgated RSS <= 30 MB idle: http1 ${fmt(mb(rss.gg1.idle))} MB, http2 ${fmt(mb(rss.gg2.idle))} MB, ` +
     `default shape ${fmt(mb(rss.ggd.idle))} MB — ${pass(idleOk)}`);
line();

// Thread CPU ----------------------------------------------------------------------------------------------------
const threadRuns = [['w1_ggd_64', 'W1 gemgate, default shape, 64 conns'],
                    ['w1_ggdt_64', 'W1 gemgate, default shape, TLS listener, 64 conns'],
                    ['w1_gg1_64', 'W1 gemgate http1, 64 conns'], ['w1_gg1_256', 'W1 gemgate http1, 256 conns'],
                    ['w1_gg2_64', 'W1 gemgate http2/QNAM, 64 conns'],
                    ['w2_burst_gg1_r1', 'W2 burst, gemgate http1 (round 1)'],
                    ['w2_burst_gg2_r1', 'W2 burst, gemgate http2/QNAM (round 1)'],
                    ['w2_ramped_gg1_r1', 'W2 ramped, gemgate http1 (round 1)'],
                    ['w2_ramped_gg2_r1', 'W2 ramped, gemgate http2/QNAM (round 1)']];
const threadLines = (name) => {
    const parse = (text) => new Map((text ?? '').split('\n').filter(Boolean).map((l) => {
        const [tid, ticks, ...comm] = l.split(' ');
        return [tid, { ticks: Number(ticks), comm: comm.join(' ') }];
    }));
    const before = parse(read(`threads_${name}.before`));
    const after = parse(read(`threads_${name}.after`));
    const cpu = json(`cpu_${name}.json`);
    if (!after.size || !cpu) return null;
    // Threads are grouped by name (QNAM starts one thread per manager); threads that ended during the run are
    // missing from the sums.
    const byName = new Map();
    for (const [tid, a] of after) {
        const used = a.ticks - (before.get(tid)?.ticks ?? 0);
        const g = byName.get(a.comm) ?? { ticks: 0, count: 0 };
        g.ticks += used;
        g.count++;
        byName.set(a.comm, g);
    }
    const wallS = cpu.wall_us / 1e6;
    return [...byName].sort((x, y) => y[1].ticks - x[1].ticks)
        .map(([comm, g]) => `${comm}${g.count > 1 ? ` (x${g.count})` : ''} ${fmt((g.ticks * tickUs) / 1e4 / wallS, 0)}%`);
};
const threadRows = threadRuns.map(([name, label]) => [label, threadLines(name)]).filter(([, l]) => l);
if (threadRows.length) {
    line('## Where gemgated spends CPU (per thread, % of one core over the run)');
    line();
    line('| Run | Threads |');
    line('|---|---|');
    for (const [label, l] of threadRows) line(`| ${label} | ${l.join(', ')} |`);
    line();
}

process.stdout.write(out.join('\n') + '\n');
