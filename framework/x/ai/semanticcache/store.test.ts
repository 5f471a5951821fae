import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { CompletionResponse } from 'plumego/x/ai/provider';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { PostgresSemanticStore, type SqlClient } from './postgres-store.ts';
import { MemorySemanticStore, type SemanticCacheEntry, type SemanticCacheStore } from './store.ts';
import { dot, normalizeVector } from './vector.ts';

const answer = (text: string): CompletionResponse => ({
  id: `r-${text}`,
  model: 'm',
  provider: 'p',
  text,
  toolCalls: [],
  stopReason: 'end',
  usage: { inputTokens: 1, outputTokens: 2 },
});
const entry = (
  id: string,
  vector: number[],
  text: string,
  extra: Partial<SemanticCacheEntry> = {},
): SemanticCacheEntry => ({
  id,
  partition: 'p1',
  vector: normalizeVector(vector),
  response: answer(text),
  expiresAt: 10_000,
  ...extra,
});
const q = (v: number[]) => normalizeVector(v);
const NOW = 1_000;

/** One suite for every store. */
function describeStore(name: string, make: () => Promise<SemanticCacheStore>): void {
  describe(`semantic store: ${name}`, () => {
    let store: SemanticCacheStore;
    beforeEach(async () => {
      store = await make();
    });

    it('finds nothing in an empty store', async () => {
      expect(await store.search('p1', q([1, 0]), 0.5, NOW)).toBeUndefined();
    });

    it('finds a stored vector with score 1 and returns its answer', async () => {
      await store.put(entry('a', [3, 4], 'four'), NOW);
      const match = await store.search('p1', q([3, 4]), 0.99, NOW);
      expect(match?.response).toEqual(answer('four'));
      expect(match?.score).toBeCloseTo(1, 5);
    });

    it('applies the threshold: cosine 0.8 passes 0.7 and fails 0.9', async () => {
      await store.put(entry('a', [1, 0], 'x'), NOW);
      const near = [0.8, 0.6];
      expect((await store.search('p1', q(near), 0.7, NOW))?.score).toBeCloseTo(0.8, 5);
      expect(await store.search('p1', q(near), 0.9, NOW)).toBeUndefined();
    });

    it('returns the closest of several', async () => {
      await store.put(entry('a', [1, 0, 0], 'a'), NOW);
      await store.put(entry('b', [0.9, 0.1, 0], 'b'), NOW);
      await store.put(entry('c', [0, 1, 0], 'c'), NOW);
      expect((await store.search('p1', q([0.95, 0.12, 0]), 0.5, NOW))?.response.text).toBe('b');
    });

    it('never looks into another partition', async () => {
      await store.put(entry('a', [1, 0], 'x', { partition: 'other' }), NOW);
      expect(await store.search('p1', q([1, 0]), 0.5, NOW)).toBeUndefined();
    });

    it('ignores expired entries', async () => {
      await store.put(entry('a', [1, 0], 'x', { expiresAt: NOW + 10 }), NOW);
      expect(await store.search('p1', q([1, 0]), 0.5, NOW + 9)).toBeDefined();
      expect(await store.search('p1', q([1, 0]), 0.5, NOW + 10)).toBeUndefined();
    });

    it('ignores vectors of another length (another embedding model)', async () => {
      await store.put(entry('a', [1, 0, 0], 'x'), NOW);
      expect(await store.search('p1', q([1, 0]), 0.1, NOW)).toBeUndefined();
    });

    it('replaces an entry stored again under its id, and counts and clears', async () => {
      await store.put(entry('a', [1, 0], 'old'), NOW);
      await store.put(entry('a', [1, 0], 'new'), NOW);
      await store.put(entry('b', [0, 1], 'other'), NOW);
      expect((await store.search('p1', q([1, 0]), 0.9, NOW))?.response.text).toBe('new');
      expect(await store.size()).toBe(2);
      await store.clear();
      expect(await store.size()).toBe(0);
    });
  });
}

describeStore('memory', async () => new MemorySemanticStore());

describe('memory store bounds', () => {
  it('drops the oldest entries past maxEntries', async () => {
    const store = new MemorySemanticStore({ maxEntries: 2 });
    await store.put(entry('a', [1, 0], 'a'));
    await store.put(entry('b', [0, 1], 'b'));
    await store.put(entry('c', [1, 1], 'c'));
    expect(await store.size()).toBe(2);
    expect(await store.search('p1', q([1, 0]), 0.99, NOW)).toBeUndefined();
  });

  it('refuses a zero maxEntries', () => {
    expect(() => new MemorySemanticStore({ maxEntries: 0 })).toThrow(
      expect.objectContaining({ code: 'AI_SEMANTIC_CACHE_INVALID_OPTIONS' }),
    );
  });
});

describe('vectors', () => {
  it.each([1, 3, 4, 7, 1_536])('computes the dot product of %d-dimension vectors like the plain sum', (d) => {
    const a = normalizeVector(Array.from({ length: d }, (_, i) => Math.sin(i + 1)));
    const b = normalizeVector(Array.from({ length: d }, (_, i) => Math.cos(i * 3)));
    let plain = 0;
    for (let i = 0; i < d; i++) plain += a[i]! * b[i]!;
    expect(dot(a, b)).toBeCloseTo(plain, 6);
    expect(dot(a, a)).toBeCloseTo(1, 6);
  });

  it.each([
    { title: 'an empty vector', v: [] },
    { title: 'a NaN', v: [1, Number.NaN] },
    { title: 'an infinity', v: [1, Number.POSITIVE_INFINITY] },
    { title: 'a zero vector', v: [0, 0, 0] },
    { title: 'a string', v: ['1'] },
    { title: 'no array', v: undefined },
  ])('refuses $title', ({ v }) => {
    expect(() => normalizeVector(v as number[])).toThrow(
      expect.objectContaining({ code: 'AI_SEMANTIC_CACHE_INVALID_EMBEDDING' }),
    );
  });
});

describe('PostgreSQL store without a server', () => {
  it.each([
    { title: 'no client', options: {}, pattern: /client/ },
    {
      title: 'a table name with a quote',
      options: { client: { query: async () => ({ rows: [] }) }, table: 'x"; drop table y; --' },
      pattern: /table/,
    },
    {
      title: 'an upper-case schema',
      options: { client: { query: async () => ({ rows: [] }) }, schema: 'Public' },
      pattern: /schema/,
    },
    {
      title: 'a zero maxEntries',
      options: { client: { query: async () => ({ rows: [] }) }, maxEntries: 0 },
      pattern: /maxEntries/,
    },
    {
      title: 'a fractional maxIndexedEntries',
      options: { client: { query: async () => ({ rows: [] }) }, maxIndexedEntries: 2.5 },
      pattern: /maxIndexedEntries/,
    },
  ])('refuses $title', ({ options, pattern }) => {
    expect(() => new PostgresSemanticStore(options as never)).toThrow(
      expect.objectContaining({ code: 'AI_SEMANTIC_CACHE_INVALID_OPTIONS', message: expect.stringMatching(pattern) }),
    );
  });

  it('wraps a driver failure as AI_SEMANTIC_CACHE_STORE_FAILED, keeping the driver message on cause', async () => {
    const client: SqlClient = {
      query: () => Promise.reject(new Error('connection to postgres://app:hunter2@db failed')),
    };
    const error = (await new PostgresSemanticStore({ client })
      .search('p', q([1]), 0.5, NOW)
      .catch((e: unknown) => e)) as Error;
    expect(error).toMatchObject({ code: 'AI_SEMANTIC_CACHE_STORE_FAILED', status: 503 });
    expect(error.message).not.toContain('hunter2');
    expect((error.cause as Error).message).toContain('hunter2');
  });
});

const services = inject('services');

describe.skipIf(!services.postgres)('PostgreSQL store (real server)', () => {
  const schema = `semcache_${randomUUID().replaceAll('-', '')}`;
  let admin: pg.Pool;
  let pool: pg.Pool;
  let n = 0;

  beforeAll(async () => {
    admin = new pg.Pool({ connectionString: services.postgres!, max: 1 });
    await admin.query(`create schema ${schema}`);
    pool = new pg.Pool({ connectionString: services.postgres!, max: 2 });
  });
  afterAll(async () => {
    await pool?.end();
    await admin?.query(`drop schema if exists ${schema} cascade`);
    await admin?.end();
  });

  describeStore('PostgreSQL', async () => {
    const store = new PostgresSemanticStore({ client: pool, schema, table: `entries_${++n}` });
    await store.init();
    return store;
  });

  it('creates its table idempotently and prunes expired and surplus rows', async () => {
    const store = new PostgresSemanticStore({
      client: pool,
      schema,
      table: 'pruned',
      maxEntries: 2,
      pruneEvery: 1_000,
    });
    await store.init();
    await store.init();
    await store.put(entry('old', [1, 0], 'old', { expiresAt: NOW + 5 }), NOW);
    for (const [i, id] of ['a', 'b', 'c'].entries()) await store.put(entry(id, [1, i], id), NOW + i);
    expect(await store.size()).toBe(4);
    await store.prune(NOW + 5);
    expect(await store.size()).toBe(2);
    const { rows } = await pool.query(`select id from ${schema}.pruned order by id`);
    expect(rows.map((r: { id: string }) => r.id)).toEqual(['b', 'c']);
  });

  it('finds answers another instance stores after its first lookup, replacements included', async () => {
    const a = new PostgresSemanticStore({ client: pool, schema, table: 'shared' });
    await a.init();
    const b = new PostgresSemanticStore({ client: pool, schema, table: 'shared' });
    expect(await b.search('p1', q([1, 0]), 0.9, NOW)).toBeUndefined();
    await a.put(entry('x', [1, 0], 'first'), NOW);
    expect((await b.search('p1', q([1, 0]), 0.9, NOW))?.response.text).toBe('first');
    await a.put(entry('x', [1, 0], 'second'), NOW);
    expect((await b.search('p1', q([1, 0]), 0.9, NOW))?.response.text).toBe('second');
  });

  it('indexes at most maxIndexedEntries rows of a partition, the newest', async () => {
    const writer = new PostgresSemanticStore({ client: pool, schema, table: 'capped' });
    await writer.init();
    for (const [i, id] of ['a', 'b', 'c'].entries()) await writer.put(entry(id, [1, i], id), NOW);
    const reader = new PostgresSemanticStore({ client: pool, schema, table: 'capped', maxIndexedEntries: 2 });
    expect(await reader.search('p1', q([1, 0]), 0.999, NOW)).toBeUndefined();
    expect((await reader.search('p1', q([1, 2]), 0.999, NOW))?.response.text).toBe('c');
  });

  it('stores vectors as real[] and answers through a new connection', async () => {
    const store = new PostgresSemanticStore({ client: pool, schema, table: 'typed' });
    await store.init();
    await store.put(entry('a', [0.6, 0.8], 'persisted'), NOW);
    const { rows } = await admin.query(`select pg_typeof(embedding)::text as t, dims from ${schema}.typed`);
    expect(rows).toEqual([{ t: 'real[]', dims: 2 }]);
    const other = new pg.Pool({ connectionString: services.postgres!, max: 1 });
    try {
      const again = new PostgresSemanticStore({ client: other, schema, table: 'typed' });
      expect((await again.search('p1', q([0.6, 0.8]), 0.99, NOW))?.response.text).toBe('persisted');
    } finally {
      await other.end();
    }
  });
});
