// x/rest list endpoint vs a hand-written pg query in a bare Plumego handler, side by side, plus the
// CPU cost of the in-memory tenant chain. Needs PostgreSQL (PLUMEGO_TEST_POSTGRES_URL or the default).
// Usage: node --conditions=source --import tsx bench/rest/run.ts [--rounds 3] [--duration 5] [--connections 10]
//        [--cases raw,rest,…]  (default: the headline cases; see server.ts for the attribution modes)
// Writes bench/rest/results/<stamp>.json, latest.json and latest.md (only for the default cases).
// Server CPU per request (utime+stime from /proc over the measured run) is the steadier number on a
// loaded machine; latency follows it while the server is CPU-bound.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { createApp } from 'plumego/core';
import type { Handler } from 'plumego/contract';
import { createTenantChain, InMemoryTenantConfigs } from 'plumego/x/tenant';
import { ALL_CASES } from './cases.ts';
import { BENCH_PG_URL, BENCH_SCHEMA, seed } from './seed.ts';

const here = dirname(fileURLToPath(import.meta.url));
const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    duration: { type: 'string', default: '5' },
    connections: { type: 'string', default: '10' },
    'cpu-only': { type: 'boolean', default: false },
    cases: { type: 'string' },
  },
});
const startLoad = loadavg();
const url = BENCH_PG_URL;
const schema = BENCH_SCHEMA;

function startServer(mode: string): Promise<{ child: ChildProcess; port: number }> {
  // BENCH_SERVER_FLAGS adds node flags to the servers (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile them).
  const extra = process.env['BENCH_SERVER_FLAGS']?.split(' ').filter((f) => f !== '') ?? [];
  const child = spawn(process.execPath, [...extra, '--conditions=source', '--import', 'tsx', join(here, 'server.ts')], {
    env: { ...process.env, BENCH_MODE: mode, BENCH_PG_URL: url, BENCH_SCHEMA: schema },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      const m = /ready (\d+)/.exec(d.toString());
      if (m) resolve({ child, port: Number(m[1]) });
    });
    child.once('exit', (code) => reject(new Error(`server ${mode} exited ${code}`)));
  });
}

interface Sample {
  reqPerSec: number;
  p50: number;
  p99: number;
  mean: number;
  cpuUsPerReq: number;
}

/** utime + stime of a process in clock ticks (1/100 s), from /proc: CPU the server spent, whatever the load around it. */
function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

async function load(port: number, pid: number, path: string, seconds: number): Promise<Sample> {
  const t0 = cpuTicks(pid);
  const res = await autocannon({
    url: `http://127.0.0.1:${port}${path}`,
    connections: Number(args.connections),
    duration: seconds,
    headers: { 'x-tenant-id': 't1' },
  });
  const ticks = cpuTicks(pid) - t0;
  if (res.non2xx > 0 || res.errors > 0) throw new Error(`${path}: ${res.non2xx} non-2xx, ${res.errors} errors`);
  return {
    reqPerSec: res.requests.average,
    p50: res.latency.p50,
    p99: res.latency.p99,
    mean: res.latency.average,
    cpuUsPerReq: (ticks * 10_000) / Math.max(1, res.requests.total),
  };
}

const picked = args.cases?.split(',');
for (const id of picked ?? []) if (!ALL_CASES.some((c) => c.id === id)) throw new Error(`unknown case ${id}`);
const CASES = picked ? ALL_CASES.filter((c) => picked.includes(c.id)) : ALL_CASES.filter((c) => c.headline);

/** CPU per request of the in-memory tenant chain: the same in-process requests with and without it. */
async function chainCpu(): Promise<{ bareNs: number; chainNs: number; addedNs: number }> {
  const ok: Handler = (w) => {
    w.writeHead(200);
    w.end('ok');
  };
  const bare = createApp();
  bare.addRoute('GET', '/x', ok);
  const chained = createApp();
  const tenants = new InMemoryTenantConfigs([
    {
      id: 't1',
      policy: { paths: ['/x'] },
      quota: { limit: 1e12, windowMs: 60_000 },
      rateLimit: { ratePerSecond: 1e12, burst: 1e12 },
    },
  ]);
  chained.use(...createTenantChain({ tenants }));
  chained.addRoute('GET', '/x', ok);
  const init = { headers: { 'x-tenant-id': 't1' } };
  const measure = async (app: typeof bare, n: number): Promise<number> => {
    for (let i = 0; i < 5000; i++) await app.request('/x', init);
    const c0 = process.cpuUsage();
    for (let i = 0; i < n; i++) await app.request('/x', init);
    const c = process.cpuUsage(c0);
    return ((c.user + c.system) * 1000) / n;
  };
  const results = { bare: [] as number[], chain: [] as number[] };
  for (let round = 0; round < 5; round++) {
    results.bare.push(await measure(bare, 50_000));
    results.chain.push(await measure(chained, 50_000));
  }
  const best = (xs: number[]): number => Math.min(...xs);
  return {
    bareNs: best(results.bare),
    chainNs: best(results.chain),
    addedNs: best(results.chain) - best(results.bare),
  };
}

if (args['cpu-only']) {
  const cpu = await chainCpu();
  process.stdout.write(
    `tenant chain: bare ${cpu.bareNs.toFixed(0)} ns, chain ${cpu.chainNs.toFixed(0)} ns, added ${(cpu.addedNs / 1000).toFixed(2)} us\n`,
  );
  process.exit(0);
}
await seed();
const rounds = Number(args.rounds);
const samples: Record<string, Sample[]> = {};
for (let round = 0; round < rounds; round++) {
  const order = round % 2 === 0 ? CASES : [...CASES].reverse();
  for (const c of order) {
    const { child, port } = await startServer(c.mode);
    try {
      await load(port, child.pid!, c.path, 1);
      (samples[c.id] ??= []).push(await load(port, child.pid!, c.path, Number(args.duration)));
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
  }
}
const best = (id: string): Sample => samples[id]!.reduce((a, b) => (b.mean < a.mean ? b : a));
const minCpu = (id: string): number => Math.min(...samples[id]!.map((s) => s.cpuUsPerReq));
if (picked) {
  // An attribution run: every round's CPU per request, the minimum, and no result files.
  for (const c of CASES)
    process.stdout.write(
      `${c.id.padEnd(12)} CPU µs/req ${samples[c.id]!.map((s) => s.cpuUsPerReq.toFixed(1)).join(' / ')} (min ${minCpu(c.id).toFixed(1)}); mean ms ${samples[c.id]!.map((s) => s.mean.toFixed(2)).join(' / ')}  ${c.label}\n`,
    );
  process.stdout.write(
    `load average ${startLoad.map((l) => l.toFixed(2)).join(' ')} at the start, ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')} at the end\n`,
  );
  process.exit(0);
}
const raw = best('raw');
const cpu = await chainCpu();
const rows = CASES.map((c) => {
  const s = best(c.id);
  return {
    id: c.id,
    label: c.label,
    ...s,
    minCpuUsPerReq: minCpu(c.id),
    meanVsRaw: s.mean / raw.mean,
    reqPerSecVsRaw: s.reqPerSec / raw.reqPerSec,
    cpuVsRaw: minCpu(c.id) / minCpu('raw'),
  };
});
const result = {
  when: new Date().toISOString(),
  node: process.version,
  loadavg: loadavg(),
  loadavgAtStart: startLoad,
  connections: Number(args.connections),
  duration: Number(args.duration),
  rounds,
  cases: rows,
  samples,
  tenantChainCpu: cpu,
};
const dir = join(here, 'results');
mkdirSync(dir, { recursive: true });
const stamp = result.when.replaceAll(':', '-').replace(/\..+/, '');
writeFileSync(join(dir, `${stamp}.json`), JSON.stringify(result, null, 2));
writeFileSync(join(dir, 'latest.json'), JSON.stringify(result, null, 2));
const md = [
  `# x/rest list benchmark (${result.when}, Node ${process.version}, load average ${startLoad.map((l) => l.toFixed(2)).join(' ')} at the start, ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')} at the end)`,
  '',
  `autocannon -c ${args.connections}, ${args.duration} s per run, best of ${rounds} rounds (lowest mean latency; CPU: lowest of the rounds); 20 rows of 1000 per tenant from PostgreSQL; server CPU from /proc.`,
  '',
  '| case | req/s | mean ms | p50 ms | p99 ms | mean latency × raw | server CPU µs/req (min) | CPU × raw |',
  '|---|---|---|---|---|---|---|---|',
  ...rows.map(
    (r) =>
      `| ${r.label} | ${r.reqPerSec.toFixed(0)} | ${r.mean.toFixed(2)} | ${r.p50} | ${r.p99} | ${r.meanVsRaw.toFixed(2)} | ${r.minCpuUsPerReq.toFixed(0)} | ${r.cpuVsRaw.toFixed(2)} |`,
  ),
  '',
  `Tenant chain (resolve + policy + rate limit + quota, in memory), CPU per in-process request: bare ${cpu.bareNs.toFixed(0)} ns, with chain ${cpu.chainNs.toFixed(0)} ns → **${(cpu.addedNs / 1000).toFixed(2)} µs added** (best of 5 × 50 000).`,
  '',
].join('\n');
writeFileSync(join(dir, 'latest.md'), md);
process.stdout.write(md);
