// Gateway benchmark: proxies side by side in one run, same upstream, same load generator.
// Usage: node bench/gateway/run.mjs [--rounds 3] [--duration 4] [--connections 50] [--single-duration 3] [--only a,b]
// Writes bench/gateway/results/<stamp>.json, latest.json and latest.md.
import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    duration: { type: 'string', default: '4' },
    warmup: { type: 'string', default: '1' },
    connections: { type: 'string', default: '50' },
    // Extra scenario (not a goal row): one request in flight, so nothing queues anywhere; 0 skips it.
    'single-duration': { type: 'string', default: '3' },
    only: { type: 'string', default: '' },
    skip: { type: 'string', default: '' },
  },
});
const ROUNDS = Number(args.rounds);
const DURATION = Number(args.duration);
const WARMUP = Number(args.warmup);
const CONNECTIONS = Number(args.connections);
const SINGLE_DURATION = Number(args['single-duration']);
const CLK_TCK = 100;
const TS = ['--conditions=source', '--import', 'tsx'];
const wanted = (id) => (!args.only || args.only.split(',').includes(id)) && !args.skip.split(',').includes(id);

const UPSTREAM = { id: 'upstream', args: [join(here, 'servers/upstream.mjs')] };
const TARGETS = [
  { id: 'direct', label: 'upstream directly (no proxy)' },
  { id: 'plumego', label: 'Plumego x/gateway', args: [...TS, join(here, 'servers/plumego.ts')] },
  {
    id: 'fastify-http-proxy',
    label: '@fastify/http-proxy 11.6.3',
    args: [join(here, 'servers/fastify-http-proxy.mjs')],
  },
  { id: 'http-proxy', label: 'http-proxy 1.18.1 (keep-alive agent)', args: [join(here, 'servers/http-proxy.mjs')] },
].filter((t) => wanted(t.id));

function cpuTicks(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(f[11]) + Number(f[12]);
}

function rssBytes(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m[1]) * 1024;
}

function start(server, port, env = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, server.args, {
      cwd: root,
      env: { ...process.env, ...env, PORT: String(port), NODE_ENV: 'production' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const timer = setTimeout(() => reject(new Error(`${server.id} did not start`)), 20_000);
    child.stdout.on('data', (d) => {
      if (String(d).includes('READY')) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.on('exit', (code) => reject(new Error(`${server.id} exited with ${code}`)));
  });
}

async function stop(child) {
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
}

function load(url, duration) {
  return new Promise((resolve, reject) => {
    autocannon({ url, connections: CONNECTIONS, duration, pipelining: 1 }, (err, res) =>
      err ? reject(err) : resolve(res),
    );
  });
}

/**
 * One request in flight for `duration` s. autocannon's own histogram keeps whole milliseconds, so each
 * response time (fractional ms from hrtime) is collected from its 'response' event instead.
 */
function loadSingle(url, duration) {
  return new Promise((resolve, reject) => {
    const times = [];
    const instance = autocannon({ url, connections: 1, duration, pipelining: 1 }, (err, res) => {
      if (err) return reject(err);
      times.sort((a, b) => a - b);
      const at = (q) => times[Math.min(times.length - 1, Math.floor(q * times.length))];
      resolve({
        reqPerSec: res.requests.average,
        meanMs: times.reduce((a, b) => a + b, 0) / times.length,
        p50Ms: at(0.5),
        p99Ms: at(0.99),
        p999Ms: at(0.999),
        requests: times.length,
        errors: res.non2xx + res.errors + res.timeouts,
      });
    });
    instance.on('response', (_client, status, _bytes, ms) => {
      if (status === 200) times.push(ms);
    });
  });
}

/** Streams 100 MB through `port` (download, then upload), sampling the process's RSS every 20 ms. */
async function measureStreaming(pid, port) {
  const base = rssBytes(pid);
  let peak = base;
  const timer = setInterval(() => (peak = Math.max(peak, rssBytes(pid))), 20);
  const t0 = performance.now();
  const downloaded = await new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path: '/big' }, (res) => {
      let n = 0;
      res.on('data', (c) => (n += c.length));
      res.on('end', () => resolve(n));
      res.on('error', reject);
    })
      .on('error', reject)
      .end();
  });
  const downMs = performance.now() - t0;
  const peakDown = Math.max(peak, rssBytes(pid));
  const t1 = performance.now();
  const uploaded = await new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/sink',
        method: 'POST',
        headers: { 'content-type': 'application/octet-stream' },
      },
      (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve(JSON.parse(body).received));
      },
    );
    req.on('error', reject);
    const chunk = Buffer.alloc(64 * 1024, 'y');
    let sent = 0;
    const pump = () => {
      while (sent < 100 * 1024 * 1024) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      req.end();
    };
    pump();
  });
  const upMs = performance.now() - t1;
  clearInterval(timer);
  peak = Math.max(peak, rssBytes(pid));
  return {
    baseRssMB: base / 2 ** 20,
    peakRssMB: peak / 2 ** 20,
    extraRssMB: (peak - base) / 2 ** 20,
    extraRssDownMB: (peakDown - base) / 2 ** 20,
    downloadedMB: downloaded / 2 ** 20,
    uploadedMB: uploaded / 2 ** 20,
    downMs,
    upMs,
  };
}

/** A port the kernel just handed out (fixed ports collide with other sessions' ephemeral client ports). */
function getFreePort() {
  return new Promise((resolve) => {
    const s = createNetServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

const upPort = await getFreePort();
const upstream = await start(UPSTREAM, upPort);
const upstreamUrl = `http://127.0.0.1:${upPort}`;
const samples = {};
const single = {};
const streaming = {};
try {
  for (let round = 0; round < ROUNDS; round++) {
    let order = [...TARGETS];
    if (round % 2 === 1) order.reverse();
    if (round >= 2) order = [...order.slice(round % order.length), ...order.slice(0, round % order.length)];
    for (const t of order) {
      const proxyPort = t.args ? await getFreePort() : upPort;
      const child = t.args ? await start(t, proxyPort, { UPSTREAM: upstreamUrl }) : undefined;
      const p = proxyPort;
      const pid = child ? child.pid : upstream.pid;
      try {
        const url = `http://127.0.0.1:${p}/json`;
        await load(url, WARMUP);
        const before = cpuTicks(pid);
        const upBefore = cpuTicks(upstream.pid);
        const genBefore = process.cpuUsage();
        const res = await load(url, DURATION);
        const gen = process.cpuUsage(genBefore);
        const after = cpuTicks(pid);
        const upAfter = cpuTicks(upstream.pid);
        const requests = res.requests.total;
        const perReq = (ticks) => (requests > 0 ? ((ticks / CLK_TCK) * 1e6) / requests : null);
        const run = {
          reqPerSec: res.requests.average,
          meanMs: res.latency.mean,
          p50Ms: res.latency.p50,
          p99Ms: res.latency.p99,
          cpuUsPerReq: perReq(after - before),
          // For the Little's-law bound: CPU of the upstream and of the load generator (this process) per request.
          upstreamCpuUsPerReq: perReq(upAfter - upBefore),
          loadgenCpuUsPerReq: requests > 0 ? (gen.user + gen.system) / requests : null,
          requests,
          errors: res.non2xx + res.errors + res.timeouts,
        };
        (samples[t.id] ??= []).push(run);
        let line = `round ${round + 1} ${t.id.padEnd(20)} ${Math.round(run.reqPerSec)} req/s p99 ${run.p99Ms} ms ${run.cpuUsPerReq?.toFixed(1)} µs/req`;
        if (SINGLE_DURATION > 0) {
          const one = await loadSingle(url, SINGLE_DURATION);
          (single[t.id] ??= []).push(one);
          line += ` | -c 1: p50 ${one.p50Ms.toFixed(3)} p99 ${one.p99Ms.toFixed(3)} ms`;
        }
        if (child && round === 0) {
          streaming[t.id] = await measureStreaming(pid, p);
          line += ` | 100 MB: +${streaming[t.id].extraRssMB.toFixed(1)} MB RSS (download alone +${streaming[t.id].extraRssDownMB.toFixed(1)})`;
        }
        console.log(line);
      } finally {
        if (child) await stop(child);
      }
    }
  }
} finally {
  await stop(upstream);
}

/** gRPC unary via x/rpc vs raw grpc-js, in its own process (tsx), same rounds alternating inside. */
function runGrpc() {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...TS, join(here, 'grpc-unary.ts')], {
      cwd: root,
      env: {
        ...process.env,
        GRPC_DURATION_MS: String(DURATION * 1000),
        GRPC_ROUNDS: String(ROUNDS),
        GRPC_CONCURRENCY: String(CONNECTIONS),
        NODE_ENV: 'production',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('exit', (code) =>
      code === 0
        ? resolve(JSON.parse(out.trim().split('\n').at(-1)))
        : reject(new Error(`grpc bench exited with ${code}`)),
    );
  });
}
const grpc = wanted('grpc') ? await runGrpc() : undefined;
const grpcSummary = {};
if (grpc) {
  for (const [name, runs] of Object.entries(grpc.runs)) {
    grpcSummary[name] = {
      callsPerSec: median(runs.map((r) => r.callsPerSec)),
      bestCallsPerSec: Math.max(...runs.map((r) => r.callsPerSec)),
      p99Ms: median(runs.map((r) => r.p99Ms)),
      cpuUsPerCall: median(runs.map((r) => r.cpuUsPerCall)),
      runs,
    };
    console.log(
      `grpc ${name.padEnd(20)} ${runs.map((r) => Math.round(r.callsPerSec)).join(' / ')} calls/s, ${runs.map((r) => r.cpuUsPerCall.toFixed(1)).join(' / ')} µs CPU/call`,
    );
  }
}

const summary = {};
for (const t of TARGETS) {
  const runs = samples[t.id];
  summary[t.id] = {
    label: t.label,
    reqPerSec: median(runs.map((r) => r.reqPerSec)),
    bestReqPerSec: Math.max(...runs.map((r) => r.reqPerSec)),
    p50Ms: median(runs.map((r) => r.p50Ms)),
    p99Ms: median(runs.map((r) => r.p99Ms)),
    cpuUsPerReq: median(runs.map((r) => r.cpuUsPerReq)),
    meanMs: median(runs.map((r) => r.meanMs)),
    upstreamCpuUsPerReq: median(runs.map((r) => r.upstreamCpuUsPerReq)),
    loadgenCpuUsPerReq: median(runs.map((r) => r.loadgenCpuUsPerReq)),
    errors: runs.reduce((a, r) => a + r.errors, 0),
    streaming: streaming[t.id],
    runs,
  };
  const ones = single[t.id];
  if (ones)
    summary[t.id].single = {
      reqPerSec: median(ones.map((r) => r.reqPerSec)),
      meanMs: median(ones.map((r) => r.meanMs)),
      p50Ms: median(ones.map((r) => r.p50Ms)),
      p99Ms: median(ones.map((r) => r.p99Ms)),
      p999Ms: median(ones.map((r) => r.p999Ms)),
      errors: ones.reduce((a, r) => a + r.errors, 0),
      runs: ones,
    };
}

/**
 * Little's law for the closed loop: mean latency = connections ÷ throughput. With both cores saturated,
 * throughput ≤ cores ÷ (CPU per request of load generator + upstream + proxy), so the mean latency is at
 * least connections × that CPU ÷ cores, and the proxy's share of it — the least added mean — is
 * connections × proxy CPU ÷ cores, whatever the proxy does with its time.
 */
const cores = cpus().length;
const little = {};
for (const t of TARGETS) {
  const e = summary[t.id];
  const proxyUs = t.id === 'direct' ? 0 : e.cpuUsPerReq;
  const totalUs = e.loadgenCpuUsPerReq + e.upstreamCpuUsPerReq + proxyUs;
  little[t.id] = {
    measuredMeanMs: (CONNECTIONS / e.reqPerSec) * 1000,
    cpuTotalUsPerReq: totalUs,
    boundReqPerSec: (cores * 1e6) / totalUs,
    boundMeanMs: (CONNECTIONS * totalUs) / cores / 1000,
    boundAddedMeanMs: (CONNECTIONS * proxyUs) / cores / 1000,
  };
}
const ratio = (a, b) => (summary[a] && summary[b] ? summary[a].reqPerSec / summary[b].reqPerSec : undefined);
const bestRatio = (a, b) =>
  summary[a] && summary[b] ? summary[a].bestReqPerSec / summary[b].bestReqPerSec : undefined;
// Competitor CPU per request ÷ Plumego's: above 1 means Plumego spends less CPU per proxied request.
const cpuRatio = (a, b) => (summary[a] && summary[b] ? summary[b].cpuUsPerReq / summary[a].cpuUsPerReq : undefined);
const goals = {
  vsFastifyHttpProxy: { ratio: ratio('plumego', 'fastify-http-proxy'), goal: 1.0 },
  vsHttpProxy: { ratio: ratio('plumego', 'http-proxy'), goal: 1.5 },
  bestVsFastifyHttpProxy: { ratio: bestRatio('plumego', 'fastify-http-proxy'), goal: 1.0 },
  bestVsHttpProxy: { ratio: bestRatio('plumego', 'http-proxy'), goal: 1.5 },
  cpuVsFastifyHttpProxy: { ratio: cpuRatio('plumego', 'fastify-http-proxy'), goal: 1.0 },
  cpuVsHttpProxy: { ratio: cpuRatio('plumego', 'http-proxy'), goal: 1.5 },
  addedP99Ms: {
    value: summary['plumego'] && summary['direct'] ? summary['plumego'].p99Ms - summary['direct'].p99Ms : undefined,
    goal: 1,
  },
  streamingExtraRssMB: { value: streaming['plumego']?.extraRssMB, goal: 32 },
  grpcVsRaw: {
    ratio:
      grpcSummary['x/rpc'] && grpcSummary['raw']
        ? grpcSummary['x/rpc'].callsPerSec / grpcSummary['raw'].callsPerSec
        : undefined,
    goal: 0.95,
  },
  // Raw CPU per call ÷ x/rpc CPU per call: above 1 means x/rpc costs less; steadier than calls/s on a shared machine.
  grpcCpuVsRaw: {
    ratio:
      grpcSummary['x/rpc'] && grpcSummary['raw']
        ? grpcSummary['raw'].cpuUsPerCall / grpcSummary['x/rpc'].cpuUsPerCall
        : undefined,
    goal: 0.95,
  },
};
for (const g of Object.values(goals)) {
  const v = g.ratio ?? g.value;
  g.met = v === undefined ? undefined : g.ratio !== undefined ? v >= g.goal : v <= g.goal;
}
const meta = {
  date: new Date().toISOString(),
  node: process.version,
  cpus: cpus().length,
  rounds: ROUNDS,
  durationSec: DURATION,
  warmupSec: WARMUP,
  connections: CONNECTIONS,
  loadAverage: loadavg()
    .map((x) => x.toFixed(1))
    .join(' '),
  tool: 'autocannon 8 in the runner process; upstream, proxy and load generator share the machine (loopback)',
};
const result = { meta, goals, targets: summary, little, grpc: grpcSummary };
const dir = join(here, 'results');
mkdirSync(dir, { recursive: true });
const stamp = meta.date.replace(/[:.]/g, '-');
writeFileSync(join(dir, `${stamp}.json`), JSON.stringify(result, null, 2) + '\n');
writeFileSync(join(dir, 'latest.json'), JSON.stringify(result, null, 2) + '\n');

const f = (n, d = 0) => (n === undefined || n === null || Number.isNaN(n) ? '–' : n.toFixed(d));
let md = `# Gateway benchmark — ${meta.date}\n\nNode ${meta.node}, ${meta.cpus} CPUs, GET /json (small JSON) at autocannon -c ${CONNECTIONS}, ${DURATION}s per run after ${WARMUP}s warm-up, ${ROUNDS} rounds in alternating order; medians shown. CPU is the proxy's user+system time per request (for "direct", the upstream's).\n\n`;
md +=
  '| target | req/s (median) | best req/s | p50 ms | p99 ms | CPU µs/req | errors | 100 MB stream: extra RSS MB (down+up) |\n|---|---:|---:|---:|---:|---:|---:|---:|\n';
for (const t of TARGETS) {
  const e = summary[t.id];
  md += `| ${e.label} | ${f(e.reqPerSec)} | ${f(e.bestReqPerSec)} | ${f(e.p50Ms, 1)} | ${f(e.p99Ms, 1)} | ${f(e.cpuUsPerReq, 1)} | ${e.errors} | ${e.streaming ? f(e.streaming.extraRssMB, 1) : '–'} |\n`;
}
md += `\n## Goals (issue #16)\n\n| goal | measured | target | met |\n|---|---:|---:|---|\n`;
md += `| Plumego ÷ @fastify/http-proxy req/s | ${f(goals.vsFastifyHttpProxy.ratio, 2)} | ≥ 1.00 | ${goals.vsFastifyHttpProxy.met ?? '–'} |\n`;
md += `| Plumego ÷ http-proxy req/s | ${f(goals.vsHttpProxy.ratio, 2)} | ≥ 1.50 | ${goals.vsHttpProxy.met ?? '–'} |\n`;
md += `| same, best run of each (least disturbed) | ${f(goals.bestVsFastifyHttpProxy.ratio, 2)} / ${f(goals.bestVsHttpProxy.ratio, 2)} | ≥ 1.00 / 1.50 | ${goals.bestVsFastifyHttpProxy.met ?? '–'} / ${goals.bestVsHttpProxy.met ?? '–'} |\n`;
md += `| CPU per request, competitor ÷ Plumego (fastify-http-proxy / http-proxy) | ${f(goals.cpuVsFastifyHttpProxy.ratio, 2)} / ${f(goals.cpuVsHttpProxy.ratio, 2)} | ≥ 1.00 / 1.50 | ${goals.cpuVsFastifyHttpProxy.met ?? '–'} / ${goals.cpuVsHttpProxy.met ?? '–'} |\n`;
md += `| added p99 over direct (ms) | ${f(goals.addedP99Ms.value, 1)} | ≤ 1 | ${goals.addedP99Ms.met ?? '–'} |\n`;
md += `| extra RSS streaming 100 MB (MB) | ${f(goals.streamingExtraRssMB.value, 1)} | ≤ 32 | ${goals.streamingExtraRssMB.met ?? '–'} |\n`;
md += `| gRPC unary x/rpc ÷ raw grpc-js calls/s | ${f(goals.grpcVsRaw.ratio, 2)} | ≥ 0.95 | ${goals.grpcVsRaw.met ?? '–'} |\n`;
md += `| gRPC unary raw ÷ x/rpc CPU per call (client+server process) | ${f(goals.grpcCpuVsRaw.ratio, 2)} | ≥ 0.95 | ${goals.grpcCpuVsRaw.met ?? '–'} |\n`;
if (grpc) {
  md += `\n## gRPC unary (${grpc.concurrency} calls in flight, ${grpc.durationMs / 1000}s per run, ${grpc.rounds} rounds alternating; client and server in one process)\n\n| client | calls/s (median) | best calls/s | p99 ms | CPU µs/call (client+server) |\n|---|---:|---:|---:|---:|\n`;
  for (const [name, e] of Object.entries(grpcSummary))
    md += `| ${name} | ${f(e.callsPerSec)} | ${f(e.bestCallsPerSec)} | ${f(e.p99Ms, 1)} | ${f(e.cpuUsPerCall, 1)} |\n`;
}
if (Object.values(summary).some((e) => e.single)) {
  md += `\n### Extra scenario, not a goal row: one request in flight (-c 1, ${SINGLE_DURATION}s per run)\n\nNothing queues anywhere, so this is each path's own latency (response times to the microsecond from autocannon's per-response events; its histogram keeps whole ms). Added = this target − direct.\n\n| target | req/s | mean ms | p50 ms | p99 ms | p99.9 ms | added p99 ms |\n|---|---:|---:|---:|---:|---:|---:|\n`;
  const base = summary['direct']?.single;
  for (const t of TARGETS) {
    const e = summary[t.id].single;
    if (!e) continue;
    md += `| ${summary[t.id].label} | ${f(e.reqPerSec)} | ${f(e.meanMs, 3)} | ${f(e.p50Ms, 3)} | ${f(e.p99Ms, 3)} | ${f(e.p999Ms, 3)} | ${t.id === 'direct' || !base ? '–' : f(e.p99Ms - base.p99Ms, 3)} |\n`;
  }
}
md += `\n### Little's law at -c ${CONNECTIONS} (why added p99 ≤ 1 ms is out of reach on ${cores} cores)\n\nIn the closed loop the mean latency is ${CONNECTIONS} ÷ req/s. All three processes (autocannon, upstream, proxy) share ${cores} cores at saturation, so req/s ≤ ${cores} ÷ (CPU µs per request of all three) and the mean latency ≥ ${CONNECTIONS} × that CPU ÷ ${cores}; the proxy's own share, ${CONNECTIONS} × proxy CPU ÷ ${cores}, is the least mean it can add. A p99 sits above the mean (direct: p99 ${f(summary['direct']?.p99Ms, 1)} ms vs mean ${f(little['direct']?.measuredMeanMs, 2)} ms).\n\n| target | CPU µs/req generator + upstream + proxy | bound req/s | least mean ms | measured mean ms (${CONNECTIONS} ÷ req/s) | least added mean ms |\n|---|---:|---:|---:|---:|---:|\n`;
for (const t of TARGETS) {
  const e = summary[t.id];
  const l = little[t.id];
  md += `| ${e.label} | ${f(e.loadgenCpuUsPerReq, 1)} + ${f(e.upstreamCpuUsPerReq, 1)} + ${t.id === 'direct' ? '0' : f(e.cpuUsPerReq, 1)} = ${f(l.cpuTotalUsPerReq, 1)} | ${f(l.boundReqPerSec)} | ${f(l.boundMeanMs, 2)} | ${f(l.measuredMeanMs, 2)} | ${t.id === 'direct' ? '–' : f(l.boundAddedMeanMs, 2)} |\n`;
}
md += `\nAn added mean of ≤ 1 ms needs proxy CPU ≤ ${f((1000 * cores) / CONNECTIONS, 0)} µs per request even with no scheduling loss, and an added p99 of ≤ 1 ms needs less still.\n`;
md += `\nLoad average when the run ended: ${meta.loadAverage}. On 2 cores the load generator, the proxy and the upstream compete for CPU, so req/s ratios are squeezed and p99 includes scheduling delay; the CPU column is the sharper comparison.\n`;
writeFileSync(join(dir, 'latest.md'), md);
console.log('\n' + md);
