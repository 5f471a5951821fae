// HTTP benchmark runner: one server at a time on loopback, alternating order over several rounds.
// Usage: node bench/http/run.mjs [--rounds 3] [--duration 5] [--connections 50] [--only a,b]
//        [--accept-encoding 'gzip, deflate, br']   (sent with every request to every server; default none)
// Writes bench/http/results/<stamp>.json, latest.json and latest.md.
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    duration: { type: 'string', default: '5' },
    warmup: { type: 'string', default: '1' },
    connections: { type: 'string', default: '50' },
    only: { type: 'string', default: '' },
    'accept-encoding': { type: 'string', default: '' },
  },
});
const ROUNDS = Number(args.rounds);
const DURATION = Number(args.duration);
const WARMUP = Number(args.warmup);
const CONNECTIONS = Number(args.connections);
const ACCEPT_ENCODING = args['accept-encoding'];
const CLK_TCK = 100; // getconf CLK_TCK on Linux

const TS = ['--conditions=source', '--import', 'tsx'];
const SERVERS = [
  { id: 'node-raw', label: 'node:http (raw)', args: [join(here, 'servers/node-raw.mjs')] },
  { id: 'fastify', label: 'Fastify 5', args: [join(here, 'servers/fastify.mjs')] },
  { id: 'hono', label: 'Hono 4 (node-server)', args: [join(here, 'servers/hono.mjs')] },
  { id: 'express', label: 'Express 5', args: [join(here, 'servers/express.mjs')] },
  { id: 'plumego-bare', label: 'Plumego (bare)', args: [...TS, join(here, 'servers/plumego.ts')] },
  {
    id: 'plumego-stack',
    label: 'Plumego (canonical stack)',
    args: [...TS, join(here, 'servers/plumego.ts')],
    env: { BENCH_STACK: 'canonical' },
  },
  {
    id: 'plumego-full',
    label: 'Plumego (canonical + rate limit + compression)',
    args: [...TS, join(here, 'servers/plumego.ts')],
    env: { BENCH_STACK: 'full' },
  },
  {
    id: 'fastify-plugins',
    label: 'Fastify + helmet, cors, rate-limit, compress, pino',
    args: [join(here, 'servers/fastify-plugins.mjs')],
  },
].filter((s) => !args.only || args.only.split(',').includes(s.id));
const ROUTES = [
  { id: 'root', path: '/' },
  { id: 'param', path: '/users/42' },
];

function cpuTicks(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]); // utime + stime (fields 14 and 15)
}

function start(server, port) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, server.args, {
      cwd: root,
      env: { ...process.env, ...(server.env ?? {}), PORT: String(port), NODE_ENV: 'production' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const timer = setTimeout(() => reject(new Error(`${server.id} did not start`)), 15_000);
    child.stdout.on('data', (d) => {
      if (String(d).includes('READY')) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.on('exit', (code) => reject(new Error(`${server.id} exited with ${code}`)));
  });
}

function load(url, duration) {
  return new Promise((resolve, reject) => {
    const headers = ACCEPT_ENCODING ? { 'accept-encoding': ACCEPT_ENCODING } : undefined;
    autocannon(
      { url, connections: CONNECTIONS, duration, pipelining: 1, ...(headers ? { headers } : {}) },
      (err, res) => (err ? reject(err) : resolve(res)),
    );
  });
}

async function measure(server, port) {
  const child = await start(server, port);
  const out = {};
  try {
    for (const route of ROUTES) {
      const url = `http://127.0.0.1:${port}${route.path}`;
      await load(url, WARMUP);
      const before = cpuTicks(child.pid);
      const res = await load(url, DURATION);
      const after = cpuTicks(child.pid);
      const requests = res.requests.total;
      const non2xx = res.non2xx + res.errors + res.timeouts;
      out[route.id] = {
        reqPerSec: res.requests.average,
        p99Ms: res.latency.p99,
        cpuUsPerReq: requests > 0 ? (((after - before) / CLK_TCK) * 1e6) / requests : null,
        requests,
        errors: non2xx,
      };
    }
  } finally {
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
  }
  return out;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

const samples = {}; // server → route → [runs]
let port = 38000;
for (let round = 0; round < ROUNDS; round++) {
  // Alternate: forward, reverse, rotated — so no server always runs first or last.
  let order = [...SERVERS];
  if (round % 2 === 1) order.reverse();
  if (round >= 2) order = [...order.slice(round % order.length), ...order.slice(0, round % order.length)];
  for (const server of order) {
    const res = await measure(server, port++);
    for (const [route, r] of Object.entries(res)) ((samples[server.id] ??= {})[route] ??= []).push(r);
    const line = Object.entries(res)
      .map(([k, v]) => `${k} ${Math.round(v.reqPerSec)} req/s ${v.cpuUsPerReq?.toFixed(1)} µs`)
      .join(' | ');
    console.log(`round ${round + 1} ${server.id.padEnd(14)} ${line}`);
  }
}

const summary = {};
for (const s of SERVERS) {
  summary[s.id] = { label: s.label };
  for (const route of ROUTES) {
    const runs = samples[s.id][route.id];
    summary[s.id][route.id] = {
      reqPerSec: median(runs.map((r) => r.reqPerSec)),
      p99Ms: median(runs.map((r) => r.p99Ms)),
      cpuUsPerReq: median(runs.map((r) => r.cpuUsPerReq)),
      // Contention from other processes only ever slows a run down, so the best run is the least
      // disturbed estimate of what the server can do.
      bestReqPerSec: Math.max(...runs.map((r) => r.reqPerSec)),
      bestCpuUsPerReq: Math.min(...runs.map((r) => r.cpuUsPerReq)),
      errors: runs.reduce((a, r) => a + r.errors, 0),
      runs,
    };
  }
}
const base = summary['node-raw'];
const fast = summary['fastify'];
for (const s of SERVERS) {
  for (const route of ROUTES) {
    const e = summary[s.id][route.id];
    if (base) e.ratioVsRaw = e.reqPerSec / base[route.id].reqPerSec;
    if (fast) e.ratioVsFastify = e.reqPerSec / fast[route.id].reqPerSec;
    if (base) e.cpuRatioVsRaw = e.cpuUsPerReq / base[route.id].cpuUsPerReq;
    if (base) e.bestRatioVsRaw = e.bestReqPerSec / base[route.id].bestReqPerSec;
    if (fast) e.bestRatioVsFastify = e.bestReqPerSec / fast[route.id].bestReqPerSec;
    if (base) e.bestCpuRatioVsRaw = e.bestCpuUsPerReq / base[route.id].bestCpuUsPerReq;
  }
}

const meta = {
  date: new Date().toISOString(),
  node: process.version,
  cpus: (await import('node:os')).cpus().length,
  rounds: ROUNDS,
  durationSec: DURATION,
  warmupSec: WARMUP,
  connections: CONNECTIONS,
  acceptEncoding: ACCEPT_ENCODING || null,
  loadAverage: (await import('node:os'))
    .loadavg()
    .map((x) => x.toFixed(1))
    .join(' '),
  tool: 'autocannon 8 (in the runner process, same machine, loopback)',
};
const result = { meta, routes: ROUTES, servers: summary };
const dir = join(here, 'results');
mkdirSync(dir, { recursive: true });
const stamp = meta.date.replace(/[:.]/g, '-');
writeFileSync(join(dir, `${stamp}.json`), JSON.stringify(result, null, 2) + '\n');
writeFileSync(join(dir, 'latest.json'), JSON.stringify(result, null, 2) + '\n');

const f = (n, d = 0) => (n === undefined || n === null ? '–' : n.toFixed(d));
let md = `# HTTP benchmark — ${meta.date}\n\nNode ${meta.node}, ${meta.cpus} CPUs, autocannon -c ${CONNECTIONS}, ${DURATION}s per run after ${WARMUP}s warm-up, ${ROUNDS} rounds in alternating order; medians shown.${ACCEPT_ENCODING ? ` Every request sent \`Accept-Encoding: ${ACCEPT_ENCODING}\`.` : ''} CPU is server user+system time from /proc/<pid>/stat divided by requests served.\n\n`;
for (const route of ROUTES) {
  md += `## GET ${route.path === '/' ? '/' : '/users/:id'} (${route.path})\n\n| server | req/s (median) | × raw | × Fastify | best req/s | best × raw | best × Fastify | p99 ms | CPU µs/req (median) | best CPU µs/req | CPU × raw | errors |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n`;
  for (const s of SERVERS) {
    const e = summary[s.id][route.id];
    md += `| ${s.label} | ${f(e.reqPerSec)} | ${f(e.ratioVsRaw, 2)} | ${f(e.ratioVsFastify, 2)} | ${f(e.bestReqPerSec)} | ${f(e.bestRatioVsRaw, 2)} | ${f(e.bestRatioVsFastify, 2)} | ${f(e.p99Ms, 0)} | ${f(e.cpuUsPerReq, 1)} | ${f(e.bestCpuUsPerReq, 1)} | ${f(e.bestCpuRatioVsRaw, 2)} | ${e.errors} |\n`;
  }
  md += '\n';
}
md +=
  'On a 2-core machine the load generator competes with the server, which squeezes req/s ratios toward 1.0; the CPU columns are the sharper comparison. Other processes on the machine only ever slow a run down, so "best" (max req/s, min CPU over the rounds) is the least disturbed estimate. Load average when the run ended: ' +
  meta.loadAverage +
  '.\n';
writeFileSync(join(dir, 'latest.md'), md);
console.log('\n' + md);
