// Observability overhead over real sockets: Plumego canonical vs canonical + Prometheus + OTel, and
// Fastify bare vs Fastify + @fastify/otel + fastify-metrics. One server at a time, autocannon on
// loopback, server CPU from /proc/<pid>/stat before and after each run (µs per request is the sharp
// number on a 2-core machine where load generator and server share the CPUs).
// Usage: node bench/http/run-observability.mjs [--rounds 3] [--duration 4] [--connections 50]
// Writes bench/http/results/observability-sockets-latest.json and .md.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
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
    connections: { type: 'string', default: '50' },
  },
});
const ROUNDS = Number(args.rounds);
const DURATION = Number(args.duration);
const CONNECTIONS = Number(args.connections);
const CLK_TCK = 100;
const TS = ['--conditions=source', '--import', 'tsx'];
const SERVERS = [
  {
    id: 'plumego-canonical',
    label: 'Plumego canonical',
    args: [...TS, join(here, 'servers/plumego.ts')],
    env: { BENCH_STACK: 'canonical' },
  },
  {
    id: 'plumego-observed',
    label: 'Plumego canonical + Prometheus + OTel',
    args: [...TS, join(here, 'servers/plumego-observability.ts')],
  },
  { id: 'fastify', label: 'Fastify 5', args: [join(here, 'servers/fastify.mjs')] },
  {
    id: 'fastify-observed',
    label: 'Fastify 5 + @fastify/otel + fastify-metrics',
    args: [join(here, 'servers/fastify-observability.mjs')],
  },
];
const ROUTES = [
  { id: 'root', path: '/' },
  { id: 'param', path: '/users/42' },
];

function cpuTicks(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(f[11]) + Number(f[12]);
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

// A port the OS just handed out, so runs never collide with other benchmarks' fixed ports.
const freePort = () =>
  new Promise((resolve, reject) => {
    const srv = createServer()
      .once('error', reject)
      .listen(0, '127.0.0.1', () => {
        const { port } = srv.address();
        srv.close(() => resolve(port));
      });
  });

const load = (url, duration) =>
  new Promise((resolve, reject) =>
    autocannon({ url, connections: CONNECTIONS, duration, pipelining: 1 }, (err, res) =>
      err ? reject(err) : resolve(res),
    ),
  );

async function measure(server, port) {
  const child = await start(server, port);
  const out = {};
  try {
    for (const route of ROUTES) {
      const url = `http://127.0.0.1:${port}${route.path}`;
      await load(url, 1);
      const before = cpuTicks(child.pid);
      const res = await load(url, DURATION);
      const after = cpuTicks(child.pid);
      out[route.id] = {
        reqPerSec: res.requests.average,
        cpuUsPerReq: (((after - before) / CLK_TCK) * 1e6) / res.requests.total,
        errors: res.non2xx + res.errors + res.timeouts,
      };
    }
  } finally {
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
  }
  return out;
}

const samples = {};
const loads = [];
for (let round = 0; round < ROUNDS; round++) {
  const order = round % 2 === 0 ? SERVERS : [...SERVERS].reverse();
  for (const server of order) {
    loads.push(Number(loadavg()[0].toFixed(2)));
    const res = await measure(server, await freePort());
    for (const [route, r] of Object.entries(res)) ((samples[server.id] ??= {})[route] ??= []).push(r);
    console.log(
      `round ${round + 1} ${server.id.padEnd(18)} ${Object.entries(res)
        .map(([k, v]) => `${k} ${Math.round(v.reqPerSec)} req/s ${v.cpuUsPerReq.toFixed(1)} µs`)
        .join(' | ')}`,
    );
  }
}
const bestCpu = (id, route) => Math.min(...samples[id][route].map((r) => r.cpuUsPerReq));
const bestRps = (id, route) => Math.max(...samples[id][route].map((r) => r.reqPerSec));
const rows = ROUTES.map(({ id: route, path }) => ({
  path,
  plumegoCanonicalUs: Number(bestCpu('plumego-canonical', route).toFixed(2)),
  plumegoObservedUs: Number(bestCpu('plumego-observed', route).toFixed(2)),
  plumegoAddedUs: Number((bestCpu('plumego-observed', route) - bestCpu('plumego-canonical', route)).toFixed(2)),
  fastifyUs: Number(bestCpu('fastify', route).toFixed(2)),
  fastifyObservedUs: Number(bestCpu('fastify-observed', route).toFixed(2)),
  fastifyAddedUs: Number((bestCpu('fastify-observed', route) - bestCpu('fastify', route)).toFixed(2)),
  reqPerSec: Object.fromEntries(SERVERS.map((s) => [s.id, Math.round(bestRps(s.id, route))])),
}));
const errors = Object.values(samples)
  .flatMap((r) => Object.values(r).flat())
  .reduce((a, r) => a + r.errors, 0);
const result = {
  date: new Date().toISOString(),
  node: process.version,
  cpus: cpus().length,
  cpuModel: cpus()[0]?.model,
  loadAverages: loads,
  settings: { rounds: ROUNDS, duration: DURATION, connections: CONNECTIONS },
  samples,
  rows,
  errors,
  target: { plumegoAddedUs: '<= 4', met: rows.every((r) => r.plumegoAddedUs <= 4) },
};
mkdirSync(join(here, 'results'), { recursive: true });
writeFileSync(join(here, 'results', 'observability-sockets-latest.json'), JSON.stringify(result, null, 2) + '\n');
const md = [
  `# bench/http — observability overhead over sockets — ${result.date}`,
  '',
  `Node ${result.node}, ${result.cpus} × ${result.cpuModel}; load average at each run start: ${loads.join(', ')}; ${ROUNDS} rounds × ${DURATION} s, ${CONNECTIONS} connections; best of rounds; server CPU µs per request. Errors/non-2xx: ${errors}.`,
  '',
  '| route | Plumego canonical | + Prometheus + OTel | added µs | Fastify | + @fastify/otel + fastify-metrics | added µs |',
  '|---|---:|---:|---:|---:|---:|---:|',
  ...rows.map(
    (r) =>
      `| ${r.path} | ${r.plumegoCanonicalUs} | ${r.plumegoObservedUs} | ${r.plumegoAddedUs} | ${r.fastifyUs} | ${r.fastifyObservedUs} | ${r.fastifyAddedUs} |`,
  ),
  '',
  `req/s (best): ${rows.map((r) => `${r.path} ${JSON.stringify(r.reqPerSec)}`).join('; ')}`,
  '',
  `Target (Plumego adds ≤ 4 µs CPU per request): ${result.target.met ? 'met' : 'MISSED'}.`,
  '',
];
writeFileSync(join(here, 'results', 'observability-sockets-latest.md'), md.join('\n'));
console.log(md.join('\n'));
