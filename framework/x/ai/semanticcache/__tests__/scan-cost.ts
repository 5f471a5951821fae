// Scan cost of a semantic-cache lookup (not a test: numbers depend on the machine).
//   node --conditions=source --import tsx framework/x/ai/semanticcache/__tests__/scan-cost.ts [--rounds 20]
// Fills one partition with n random vectors of d dimensions in each store and times `search` (median and p95
// of `rounds` lookups); for PostgreSQL also the first lookup of a fresh store instance, which loads the
// partition into its in-memory index. PostgreSQL comes from PLUMEGO_TEST_POSTGRES_URL (default the local
// test database); the script creates and drops its own schema.
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import type { CompletionResponse } from 'plumego/x/ai/provider';
import { PostgresSemanticStore } from '../postgres-store.ts';
import { MemorySemanticStore, type SemanticCacheStore } from '../store.ts';
import { normalizeVector } from '../vector.ts';

const rounds = Number(process.argv[process.argv.indexOf('--rounds') + 1]) || 20;
const url = process.env['PLUMEGO_TEST_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const response: CompletionResponse = {
  id: 'r',
  model: 'm',
  provider: 'p',
  text: 'an answer of a few words',
  toolCalls: [],
  stopReason: 'end',
  usage: { inputTokens: 10, outputTokens: 6 },
};

// A seeded generator: every run scans the same vectors.
let seed = 42;
const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31) * 2 - 1;
const vector = (d: number) => normalizeVector(Array.from({ length: d }, random));

async function fill(store: SemanticCacheStore, n: number, d: number): Promise<void> {
  for (let i = 0; i < n; i++)
    await store.put(
      { id: `e${i}`, partition: 'p', vector: vector(d), response, expiresAt: Number.MAX_SAFE_INTEGER },
      0,
    );
}

async function time(store: SemanticCacheStore, d: number): Promise<{ median: number; p95: number }> {
  const samples: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const q = vector(d);
    const t = performance.now();
    await store.search('p', q, 0.99, 1);
    samples.push(performance.now() - t);
  }
  samples.sort((a, b) => a - b);
  return {
    median: samples[Math.floor(samples.length / 2)]!,
    p95: samples[Math.min(samples.length - 1, Math.ceil(samples.length * 0.95) - 1)]!,
  };
}

const pool = new pg.Pool({ connectionString: url, max: 2 });
const schema = `semscan_${randomUUID().replaceAll('-', '')}`;
await pool.query(`create schema ${schema}`);
try {
  console.log(`rounds ${rounds}; ms per lookup (median / p95)`);
  for (const [n, d] of [
    [1_000, 256],
    [1_000, 1_536],
    [10_000, 256],
    [10_000, 1_536],
  ] as const) {
    const memory = new MemorySemanticStore({ maxEntries: n });
    await fill(memory, n, d);
    const pgStore = new PostgresSemanticStore({
      client: pool,
      schema,
      table: `t_${n}_${d}`,
      maxEntries: n,
      pruneEvery: 1_000_000,
    });
    await pgStore.init();
    await fill(pgStore, n, d);
    await pool.query(`analyze ${schema}.t_${n}_${d}`);
    const m = await time(memory, d);
    const fresh = new PostgresSemanticStore({ client: pool, schema, table: `t_${n}_${d}`, maxIndexedEntries: n });
    const t = performance.now();
    await fresh.search('p', vector(d), 0.99, 1);
    const load = performance.now() - t;
    const p = await time(fresh, d);
    console.log(
      `n=${n} d=${d}: memory ${m.median.toFixed(2)} / ${m.p95.toFixed(2)}; postgres first lookup (load) ${load.toFixed(0)}, then ${p.median.toFixed(2)} / ${p.p95.toFixed(2)}`,
    );
  }
} finally {
  await pool.query(`drop schema if exists ${schema} cascade`);
  await pool.end();
}
