/**
 * x/data benchmarks against the raw clients on the same connections: the sql layer over raw `pg`
 * (indexed select, insert loop), RedisCache over raw ioredis (get/set), TwoLevelCache on a hot key
 * against Redis alone, and the latency an idempotent POST adds through the PostgreSQL store.
 * Variants alternate inside each round (A B, then B A) so drift hits both. Writes
 * results/<timestamp>.json, results/latest.json and results/latest.md.
 *
 *   node --conditions=source --import tsx bench/data/run.ts [--rounds 3] [--seconds 1]
 *   (PLUMEGO_TEST_POSTGRES_URL / PLUMEGO_TEST_REDIS_URL override the loopback defaults)
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { Redis } from 'ioredis';
import { BufferedResponseWriter, createRequest, writeResponse, type Handler } from 'plumego/contract';
import { createIdempotencyMiddleware } from 'plumego/store';
import { RedisCache, TwoLevelCache } from 'plumego/x/data/cache';
import { PgIdempotencyStore } from 'plumego/x/data/idempotency';
import { SqlClient } from 'plumego/x/data/sql';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const { values } = parseArgs({
  options: { rounds: { type: 'string', default: '3' }, seconds: { type: 'string', default: '1' } },
});
const ROUNDS = Number(values.rounds);
const SECONDS = Number(values.seconds);
const PG_URL = process.env.PLUMEGO_TEST_POSTGRES_URL || 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env.PLUMEGO_TEST_REDIS_URL || 'redis://127.0.0.1:6379';
const CONCURRENCY = 8;

/** Client CPU (user + system) per operation of the last `throughput` run, µs: less disturbed by other load than ops/s. */
let lastCpuUsPerOp = 0;

/** Runs `op` with CONCURRENCY callers in flight for `SECONDS`; returns operations per second. */
async function throughput(op: (i: number) => Promise<unknown>): Promise<number> {
  const cpuBefore = process.cpuUsage();
  const end = performance.now() + SECONDS * 1000;
  let done = 0;
  const worker = async (w: number): Promise<void> => {
    for (let i = w; performance.now() < end; i += CONCURRENCY) {
      await op(i);
      done++;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, (_, w) => worker(w)));
  const cpu = process.cpuUsage(cpuBefore);
  lastCpuUsPerOp = (cpu.user + cpu.system) / Math.max(1, done);
  return done / ((performance.now() - started) / 1000);
}

/** One caller, one request at a time; returns per-call latencies in µs. */
async function latencies(op: (i: number) => Promise<unknown>): Promise<number[]> {
  const end = performance.now() + SECONDS * 1000;
  const out: number[] = [];
  for (let i = 0; performance.now() < end; i++) {
    const t = performance.now();
    await op(i);
    out.push((performance.now() - t) * 1000);
  }
  return out;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
const pct = (xs: number[], p: number): number =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))] ?? Number.NaN;

interface Pair {
  name: string;
  a: string;
  b: string;
  aOps: number[];
  bOps: number[];
  aCpu: number[];
  bCpu: number[];
}

async function compare(
  name: string,
  a: string,
  runA: () => Promise<number>,
  b: string,
  runB: () => Promise<number>,
): Promise<Pair> {
  const pair: Pair = { name, a, b, aOps: [], bOps: [], aCpu: [], bCpu: [] };
  await runA();
  await runB();
  const measureA = async () => {
    pair.aOps.push(await runA());
    pair.aCpu.push(lastCpuUsPerOp);
  };
  const measureB = async () => {
    pair.bOps.push(await runB());
    pair.bCpu.push(lastCpuUsPerOp);
  };
  for (let r = 0; r < ROUNDS; r++) {
    if (r % 2 === 0) {
      await measureA();
      await measureB();
    } else {
      await measureB();
      await measureA();
    }
  }
  return pair;
}

const load = { before: loadavg() };
const schema = `bench_data_${randomBytes(3).toString('hex')}`;
const pool = new pg.Pool({ connectionString: PG_URL, max: CONCURRENCY, options: `-c search_path=${schema}` });
const admin = new pg.Pool({ connectionString: PG_URL, max: 1 });
await admin.query(`CREATE SCHEMA ${schema}`);
const redis = new Redis(REDIS_URL);
const prefix = `bench:data:${randomBytes(3).toString('hex')}:`;
const pairs: Pair[] = [];
let idempotency: { plainUs: number[]; idemUs: number[] } | undefined;

try {
  await pool.query('CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL, price int NOT NULL)');
  await pool.query('INSERT INTO items SELECT g, $1 || g, g % 100 FROM generate_series(1, 10000) g', ['item-']);
  await pool.query('CREATE TABLE events (id bigserial PRIMARY KEY, kind text NOT NULL, at bigint NOT NULL)');
  await pool.query('ANALYZE items');
  const sql = new SqlClient({ pool });
  const observed = new SqlClient({ pool, onQuery: () => {}, slowQueryMs: 1000, onSlowQuery: () => {} });

  const select = 'SELECT id, name, price FROM items WHERE id = $1';
  pairs.push(
    await compare(
      'indexed select',
      'raw pg',
      () => throughput((i) => pool.query(select, [1 + (i % 10000)])),
      'SqlClient',
      () => throughput((i) => sql.query(select, [1 + (i % 10000)])),
    ),
  );
  pairs.push(
    await compare(
      'indexed select, metrics hooks on',
      'raw pg',
      () => throughput((i) => pool.query(select, [1 + (i % 10000)])),
      'SqlClient + onQuery',
      () => throughput((i) => observed.query(select, [1 + (i % 10000)])),
    ),
  );
  const insert = 'INSERT INTO events (kind, at) VALUES ($1, $2)';
  pairs.push(
    await compare(
      'insert loop',
      'raw pg',
      () => throughput((i) => pool.query(insert, ['raw', i])),
      'SqlClient',
      () => throughput((i) => sql.exec(insert, ['layer', i])),
    ),
  );

  const cache = new RedisCache<{ id: number; name: string }>({ redis, prefix });
  const value = { id: 1, name: 'widget' };
  const text = JSON.stringify(value);
  for (let i = 0; i < 1000; i++) await redis.set(`${prefix}v:k${i}`, text, 'PX', 600_000);
  pairs.push(
    await compare(
      'redis get',
      'raw ioredis',
      () => throughput((i) => redis.get(`${prefix}v:k${i % 1000}`).then((t) => JSON.parse(t as string))),
      'RedisCache',
      () => throughput((i) => cache.get(`k${i % 1000}`)),
    ),
  );
  pairs.push(
    await compare(
      'redis set',
      'raw ioredis',
      () => throughput((i) => redis.set(`${prefix}v:k${i % 1000}`, JSON.stringify(value), 'PX', 600_000)),
      'RedisCache',
      () => throughput((i) => cache.set(`k${i % 1000}`, value)),
    ),
  );

  const subscriber = redis.duplicate();
  const twoLevel = new TwoLevelCache({ remote: cache, subscriber });
  await twoLevel.ready();
  await twoLevel.set('hot', value);
  pairs.push(
    await compare(
      'hot key',
      'RedisCache',
      () => throughput(() => cache.get('hot')),
      'TwoLevelCache',
      () => throughput(() => twoLevel.get('hot')),
    ),
  );
  await twoLevel.close();

  const store = new PgIdempotencyStore({ client: sql, table: `${schema}.idempotency` });
  await store.ensureSchema();
  const handler: Handler = async (w, r) => writeResponse(w, r, 201, { ok: true });
  const guarded = createIdempotencyMiddleware(store)(handler);
  const request = (key: string | undefined) =>
    createRequest({
      method: 'POST',
      url: '/orders',
      headers:
        key === undefined
          ? { 'content-type': 'application/json' }
          : { 'content-type': 'application/json', 'idempotency-key': key },
      body: '{"item":"book"}',
    });
  const run = async (h: Handler, key: string | undefined): Promise<void> => {
    await h(new BufferedResponseWriter(), request(key));
  };
  const run_id = randomBytes(3).toString('hex');
  idempotency = { plainUs: [], idemUs: [] };
  for (let r = 0; r < ROUNDS; r++) {
    idempotency.plainUs = idempotency.plainUs.concat(await latencies(() => run(handler, undefined)));
    idempotency.idemUs = idempotency.idemUs.concat(await latencies((i) => run(guarded, `${run_id}-${r}-${i}`)));
  }
  await observed.close();
  await sql.close();
} finally {
  await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
  await pool.end().catch(() => undefined);
  await admin.end();
}

const rows = pairs.map((p) => {
  const a = median(p.aOps);
  const b = median(p.bOps);
  const ca = median(p.aCpu);
  const cb = median(p.bCpu);
  return {
    case: p.name,
    baseline: p.a,
    subject: p.b,
    baselineOpsPerSec: Math.round(a),
    subjectOpsPerSec: Math.round(b),
    ratio: Number((b / a).toFixed(3)),
    baselineBestOpsPerSec: Math.round(Math.max(...p.aOps)),
    subjectBestOpsPerSec: Math.round(Math.max(...p.bOps)),
    bestRatio: Number((Math.max(...p.bOps) / Math.max(...p.aOps)).toFixed(3)),
    baselineCpuUsPerOp: Number(ca.toFixed(2)),
    subjectCpuUsPerOp: Number(cb.toFixed(2)),
    cpuRatio: Number((cb / ca).toFixed(3)),
    baselineRounds: p.aOps.map(Math.round),
    subjectRounds: p.bOps.map(Math.round),
  };
});
const idem =
  idempotency === undefined
    ? undefined
    : {
        plainP50Us: Math.round(pct(idempotency.plainUs, 0.5)),
        idempotentP50Us: Math.round(pct(idempotency.idemUs, 0.5)),
        plainP99Us: Math.round(pct(idempotency.plainUs, 0.99)),
        idempotentP99Us: Math.round(pct(idempotency.idemUs, 0.99)),
        addedP50Us: Math.round(pct(idempotency.idemUs, 0.5) - pct(idempotency.plainUs, 0.5)),
        samples: idempotency.idemUs.length,
      };
const result = {
  date: new Date().toISOString(),
  node: process.version,
  cpus: cpus().length,
  cpuModel: cpus()[0]?.model,
  loadavgBefore: load.before.map((x) => Number(x.toFixed(2))),
  loadavgAfter: loadavg().map((x) => Number(x.toFixed(2))),
  settings: { rounds: ROUNDS, secondsPerRun: SECONDS, concurrency: CONCURRENCY },
  rows,
  idempotency: idem,
};
mkdirSync(`${HERE}results`, { recursive: true });
const json = `${JSON.stringify(result, null, 2)}\n`;
writeFileSync(`${HERE}results/${result.date.replace(/[:.]/g, '-')}.json`, json);
writeFileSync(`${HERE}results/latest.json`, json);
const md = [
  `# bench/data — ${result.date}`,
  '',
  `Node ${result.node}, ${result.cpus} × ${result.cpuModel}; load average ${result.loadavgBefore.join(' / ')} before, ${result.loadavgAfter.join(' / ')} after; ${ROUNDS} rounds × ${SECONDS} s per variant, ${CONCURRENCY} callers in flight; medians of rounds.`,
  '',
  '| case | baseline | ops/s (median / best) | subject | ops/s (median / best) | ratio median / best | client CPU µs/op | CPU ratio |',
  '|---|---|---:|---|---:|---:|---:|---:|',
  ...rows.map(
    (r) =>
      `| ${r.case} | ${r.baseline} | ${r.baselineOpsPerSec} / ${r.baselineBestOpsPerSec} | ${r.subject} | ${r.subjectOpsPerSec} / ${r.subjectBestOpsPerSec} | ${r.ratio.toFixed(3)} / ${r.bestRatio.toFixed(3)} | ${r.baselineCpuUsPerOp} → ${r.subjectCpuUsPerOp} | ${r.cpuRatio.toFixed(3)} |`,
  ),
  '',
  'Ratios are subject ÷ baseline (for CPU, > 1 means the subject costs more client CPU per operation). Throughput on this shared 2-core machine moves with other load; the client CPU per operation is the steadier view of what the layer itself adds.',
  '',
  idem === undefined
    ? ''
    : `Idempotent POST through PgIdempotencyStore (in-process request, one at a time, ${idem.samples} samples): p50 ${idem.plainP50Us} µs → ${idem.idempotentP50Us} µs (**+${idem.addedP50Us} µs**), p99 ${idem.plainP99Us} µs → ${idem.idempotentP99Us} µs.`,
  '',
].join('\n');
writeFileSync(`${HERE}results/latest.md`, md);
console.log(md);
