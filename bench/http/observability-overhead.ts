// Plumego's CPU cost of metrics + tracing per request, without sockets: drives app.listener with stub
// Node objects as overhead.ts does, for the canonical stack alone and with x/observability's
// PrometheusCollector (runtime metrics on) and OtelTracer (OTel SDK, BatchSpanProcessor, discarding
// exporter — export I/O is not in the numbers), plus the pieces on their own to show where time goes.
// Every request starts a sampled trace (no incoming traceparent). The Fastify comparison runs over
// real sockets in run-observability.mjs (fastify.inject grew the heap past 1 GB in 150k requests).
// Usage: node --conditions=source --import tsx bench/http/observability-overhead.ts   (N=200000 ROUNDS=3)
// Writes bench/http/results/observability-overhead-latest.json and .md.
import { writeFileSync, mkdirSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ServerResponse } from 'node:http';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import { createApp, param } from 'plumego';
import { writeResponse } from 'plumego/contract';
import { createLogger } from 'plumego/log';
import { BaseMetricsCollector } from 'plumego/metrics';
import { createCanonicalStack } from 'plumego/middleware';
import { OtelTracer, PrometheusCollector } from 'plumego/x/observability';
import { StubRes, stubReq as stubNodeReq } from './stub-node.ts';

const stubReq = (url: string) =>
  stubNodeReq(url, [
    ['Host', 'x'],
    ['User-Agent', 'bench'],
  ]);

const here = dirname(fileURLToPath(import.meta.url));
const N = Number(process.env.N ?? 200_000);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const discard: SpanExporter = { export: (_spans, done) => done({ code: 0 }), shutdown: async () => {} };

function build(prometheus: boolean, trace: 'off' | 'ids' | 'otel') {
  const app = createApp();
  const logger = createLogger({ format: 'json', output: { write() {} } });
  const metrics = prometheus ? new PrometheusCollector() : new BaseMetricsCollector();
  const tracing =
    trace === 'off'
      ? false
      : trace === 'ids'
        ? {}
        : { tracer: new OtelTracer({ exporter: discard, serviceName: 'bench' }) };
  app.use(...createCanonicalStack({ logger, cors: { allowedOrigins: ['*'] }, metrics, tracing, timeoutMs: 30_000 }));
  app.get('/', (w, r) => writeResponse(w, r, 200, { hello: 'world' }));
  app.get('/users/:id', (w, r) => writeResponse(w, r, 200, { id: param(r, 'id') }));
  const listener = app.listener;
  return async (url: string, count: number) => {
    // A stub that drifts from what the response writer calls makes every request a recovered 500
    // (and the numbers meaningless): refuse to measure that.
    const probe = new StubRes();
    listener(stubReq(url), probe as unknown as ServerResponse);
    await new Promise((r) => setImmediate(r));
    if (probe.statusCode !== 200 || !probe.writableEnded)
      throw new Error(`bench stub answered ${probe.statusCode} for ${url}`);
    const reqs = Array.from({ length: 1000 }, () => stubReq(url));
    // Batches with a macrotask between them, so async continuations run inside the window.
    for (let i = 0; i < count; i += 1000) {
      for (let j = 0; j < 1000; j++) listener(reqs[j]!, new StubRes() as unknown as ServerResponse);
      await new Promise((r) => setImmediate(r));
    }
  };
}

const VARIANTS = [
  ['canonical', false, 'off'],
  ['canonical + prometheus + otel', true, 'otel'],
  ['canonical + prometheus', true, 'off'],
  ['canonical + tracing middleware, no exporter', false, 'ids'],
  ['canonical + tracing middleware + otel', false, 'otel'],
] as const;
const runners = VARIANTS.map(([label, prom, trace]) => ({ label, run: build(prom, trace) }));

async function measure(run: (url: string, n: number) => Promise<void>, url: string): Promise<number> {
  await run(url, 20_000);
  const before = process.cpuUsage();
  await run(url, N);
  const used = process.cpuUsage(before);
  return ((used.user + used.system) * 1000) / N;
}

const samples: Record<string, number[]> = {};
for (let round = 0; round < ROUNDS; round++) {
  const order = round % 2 === 0 ? runners : [...runners].reverse();
  for (const { label, run } of order) {
    for (const url of ['/', '/users/42']) {
      const ns = await measure(run, url);
      (samples[`${label} ${url}`] ??= []).push(ns);
      console.log(
        `${label.padEnd(46)} ${url.padEnd(10)} ${ns.toFixed(0)} ns/request (heap ${Math.round(process.memoryUsage().heapUsed / 1e6)} MB)`,
      );
    }
  }
}
const best = (k: string) => Math.min(...samples[k]!);
const rows = ['/', '/users/42'].map((url) => {
  const base = best(`canonical ${url}`);
  const row: Record<string, number | string> = { url, canonicalNs: Math.round(base) };
  for (const [label] of VARIANTS.slice(1))
    row[`${label} addedUs`] = Number(((best(`${label} ${url}`) - base) / 1000).toFixed(2));
  return row;
});
const added = rows.map((r) => r['canonical + prometheus + otel addedUs'] as number);
const result = {
  date: new Date().toISOString(),
  node: process.version,
  cpus: cpus().length,
  cpuModel: cpus()[0]?.model,
  loadAverage: loadavg().map((x) => Number(x.toFixed(2))),
  settings: { n: N, rounds: ROUNDS },
  samples,
  rows,
  target: { addedUsPerRequest: '<= 4', worst: Math.max(...added), met: added.every((a) => a <= 4) },
};
mkdirSync(join(here, 'results'), { recursive: true });
writeFileSync(join(here, 'results', 'observability-overhead-latest.json'), JSON.stringify(result, null, 2) + '\n');
const md = [
  `# bench/http — Plumego observability overhead (no sockets) — ${result.date}`,
  '',
  `Node ${result.node}, ${result.cpus} × ${result.cpuModel}, load average ${result.loadAverage.join(' / ')}; N=${N} per sample, best of ${ROUNDS} rounds; CPU per request (user+system).`,
  '',
  `| route | canonical ns | ${VARIANTS.slice(1)
    .map(([l]) => `+µs: ${l}`)
    .join(' | ')} |`,
  `|---|---:|${VARIANTS.slice(1)
    .map(() => '---:')
    .join('|')}|`,
  ...rows.map(
    (r) =>
      `| ${r['url']} | ${r['canonicalNs']} | ${VARIANTS.slice(1)
        .map(([l]) => r[`${l} addedUs`])
        .join(' | ')} |`,
  ),
  '',
  `Target (canonical + Prometheus + OTel adds ≤ 4 µs CPU per request): ${result.target.met ? 'met' : 'MISSED'} (worst ${result.target.worst} µs).`,
  '',
];
writeFileSync(join(here, 'results', 'observability-overhead-latest.md'), md.join('\n'));
console.log(md.join('\n'));
process.exit(0);
