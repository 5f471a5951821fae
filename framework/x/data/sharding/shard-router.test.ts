import { describe, it, expect, beforeAll, afterAll, inject } from 'vitest';
import { randomBytes } from 'node:crypto';
import { SqlClient } from 'plumego/x/data/sql';
import { ShardRouter } from './shard-router.ts';
import { createShardLocator, getKeyHash } from './strategy.ts';

const url = inject('services').postgres;
const names = Array.from({ length: 3 }, (_, i) => `plumego_shard_${randomBytes(4).toString('hex')}_${i}`);
const urlOf = (db: string) => {
  const u = new URL(url as string);
  u.pathname = `/${db}`;
  return u.toString();
};

describe('shard strategies', () => {
  it('hashes keys stably into buckets and buckets onto shards', () => {
    expect(getKeyHash('customer-42')).toBe(getKeyHash('customer-42'));
    // Strings and numbers with the same text are different keys.
    expect(getKeyHash('7')).not.toBe(getKeyHash(7));
    expect(getKeyHash(7)).toBe(getKeyHash(7n));
    const locate = createShardLocator({ kind: 'hash' }, 4);
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 4000; i++) counts[locate(`user-${i}`)]! += 1;
    for (const c of counts) expect(c).toBeGreaterThan(800);
    // Moving one bucket moves exactly the keys in it.
    const map = Array.from({ length: 16 }, (_, b) => Math.floor(b / 8));
    const before = createShardLocator({ kind: 'hash', buckets: 16, bucketMap: map }, 2);
    const after = createShardLocator({ kind: 'hash', buckets: 16, bucketMap: map.map((s, b) => (b === 3 ? 1 : s)) }, 2);
    for (let i = 0; i < 500; i++) {
      const key = `k${i}`;
      if (getKeyHash(key) % 16 === 3) expect([before(key), after(key)]).toEqual([0, 1]);
      else expect(after(key)).toBe(before(key));
    }
  });

  it('maps ranges and refuses keys outside them or of the wrong type', () => {
    const locate = createShardLocator(
      {
        kind: 'range',
        ranges: [
          { below: 1000, shard: 0 },
          { below: 5000, shard: 1 },
        ],
      },
      2,
    );
    expect([locate(0), locate(999), locate(1000), locate(4999)]).toEqual([0, 0, 1, 1]);
    expect(() => locate(5000)).toThrow(
      expect.objectContaining({ code: 'PLUMEGO_ERR_DATA_INVALID_SHARD_KEY', reason: 'out_of_range' }),
    );
    expect(() => locate('12')).toThrow(
      expect.objectContaining({ code: 'PLUMEGO_ERR_DATA_INVALID_SHARD_KEY', reason: 'type' }),
    );
    const byName = createShardLocator(
      {
        kind: 'range',
        ranges: [
          { below: 'n', shard: 0 },
          { below: '\uffff', shard: 1 },
        ],
      },
      2,
    );
    expect([byName('alice'), byName('zoe')]).toEqual([0, 1]);
    for (const bad of ['', Number.NaN, null, {}])
      expect(() => locate(bad as never)).toThrow(
        expect.objectContaining({ code: 'PLUMEGO_ERR_DATA_INVALID_SHARD_KEY' }),
      );
  });

  const badOptions: Array<[string, Parameters<typeof createShardLocator>[0], number, string]> = [
    [
      'unsorted ranges',
      {
        kind: 'range',
        ranges: [
          { below: 10, shard: 0 },
          { below: 5, shard: 1 },
        ],
      },
      2,
      'field:strategy.ranges',
    ],
    ['a range on a missing shard', { kind: 'range', ranges: [{ below: 10, shard: 2 }] }, 2, 'field:strategy.ranges'],
    ['fewer buckets than shards', { kind: 'hash', buckets: 2 }, 3, 'field:strategy.buckets'],
    [
      'a bucket map of the wrong length',
      { kind: 'hash', buckets: 4, bucketMap: [0, 1] },
      2,
      'field:strategy.bucketMap',
    ],
    ['an unknown kind', { kind: 'modulo' } as never, 2, 'field:strategy'],
  ];
  for (const [title, strategy, shards, reason] of badOptions) {
    it(`refuses ${title}`, () => {
      expect(() => createShardLocator(strategy, shards)).toThrow(
        expect.objectContaining({ code: 'PLUMEGO_ERR_DATA_INVALID_OPTIONS', reason }),
      );
    });
  }
});

describe.skipIf(!url)('ShardRouter over three real databases', () => {
  let admin: SqlClient;
  let shards: SqlClient[];
  let router: ShardRouter;

  beforeAll(async () => {
    admin = new SqlClient({ connectionString: url as string, maxConnections: 1 });
    for (const db of names) await admin.exec(`CREATE DATABASE ${db}`);
    shards = names.map(
      (db) => new SqlClient({ connectionString: urlOf(db), maxConnections: 3, connectionTimeoutMs: 1000 }),
    );
    for (const s of shards)
      await s.exec(
        'CREATE TABLE orders (customer text NOT NULL, id int NOT NULL, total int NOT NULL, PRIMARY KEY (customer, id))',
      );
    router = new ShardRouter({ shards, strategy: { kind: 'hash' } });
  }, 30_000);
  afterAll(async () => {
    await Promise.all((shards ?? []).map((s) => s.close()));
    for (const db of names) await admin.exec(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
    await admin.close();
  }, 30_000);

  it("keeps each key's rows on its own shard, transactions included", async () => {
    const customers = Array.from({ length: 30 }, (_, i) => `c${i}`);
    for (const c of customers) {
      await router.on(c).transaction(async (tx) => {
        await tx.exec('INSERT INTO orders VALUES ($1, 1, 10), ($1, 2, 20)', [c]);
      });
    }
    for (const c of customers) {
      const home = router.getShard(c);
      expect(
        await router.on(c).queryOne('SELECT sum(total)::int AS total FROM orders WHERE customer = $1', [c]),
      ).toEqual({ total: 30 });
      for (let s = 0; s < 3; s++) {
        const { n } = (await shards[s]!.queryOne<{ n: number }>(
          'SELECT count(*)::int AS n FROM orders WHERE customer = $1',
          [c],
        )) as { n: number };
        expect(n).toBe(s === home ? 2 : 0);
      }
    }
    const used = new Set(customers.map((c) => router.getShard(c)));
    expect(used.size).toBe(3);
  });

  it('refuses work whose keys span shards, and allows keys that share one', async () => {
    const byShard = new Map<number, string>();
    for (let i = 0; byShard.size < 2; i++) byShard.set(router.getShard(`x${i}`), `x${i}`);
    const [a, b] = [...byShard.values()] as [string, string];
    expect(() => router.on([a, b])).toThrow(expect.objectContaining({ code: 'PLUMEGO_ERR_DATA_CROSS_SHARD' }));
    const sibling = Array.from({ length: 200 }, (_, i) => `y${i}`).find(
      (k) => router.getShard(k) === router.getShard(a),
    ) as string;
    expect(router.on([a, sibling]).shard).toBe(router.getShard(a));
    expect(() => router.on([])).toThrow(expect.objectContaining({ code: 'PLUMEGO_ERR_DATA_INVALID_SHARD_KEY' }));
  });

  it('scatters explicitly and gathers per shard', async () => {
    const { results, failed } = await router.scatter((db) =>
      db.queryOne<{ n: number }>('SELECT count(*)::int AS n FROM orders'),
    );
    expect(results.map((r) => r.shard)).toEqual([0, 1, 2]);
    expect(results.reduce((sum, r) => sum + (r.value?.n ?? 0), 0)).toBe(60);
    expect(failed).toEqual([]);
    const some = await router.scatter(async (_db, shard) => shard * 10, { shards: [2, 0] });
    expect(some.results).toEqual([
      { shard: 2, value: 20 },
      { shard: 0, value: 0 },
    ]);
    await expect(router.scatter(async () => 1, { shards: [3] })).rejects.toMatchObject({
      code: 'PLUMEGO_ERR_DATA_INVALID_OPTIONS',
    });
    await expect(router.scatter((db) => db.query('SELECT * FROM no_such_table'))).rejects.toMatchObject({
      code: 'PLUMEGO_ERR_DATA_QUERY',
    });
  });

  it('reports a shard that is down by name, and gives partial results only when asked', async () => {
    const down = names[1] as string;
    await admin.exec(`ALTER DATABASE ${down} ALLOW_CONNECTIONS false`);
    await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [down]);
    try {
      const key = Array.from({ length: 200 }, (_, i) => `z${i}`).find((k) => router.getShard(k) === 1) as string;
      await expect(router.on(key).query('SELECT 1')).rejects.toMatchObject({
        code: 'PLUMEGO_ERR_DATA_SHARD_UNAVAILABLE',
        reason: 'shard:1',
      });
      await expect(router.scatter((db) => db.query('SELECT 1 AS one'))).rejects.toMatchObject({
        code: 'PLUMEGO_ERR_DATA_SHARD_UNAVAILABLE',
        reason: 'shard:1',
      });
      const partial = await router.scatter((db) => db.query('SELECT 1 AS one'), { allowPartial: true });
      expect(partial.results.map((r) => r.shard)).toEqual([0, 2]);
      expect(partial.failed.map((f) => [f.shard, f.error.code])).toEqual([[1, 'PLUMEGO_ERR_DATA_SHARD_UNAVAILABLE']]);
    } finally {
      await admin.exec(`ALTER DATABASE ${down} ALLOW_CONNECTIONS true`);
    }
    expect((await router.scatter((db) => db.query('SELECT 1 AS one'))).results).toHaveLength(3);
  });

  it('refuses bad options', () => {
    expect(() => new ShardRouter({ shards: [], strategy: { kind: 'hash' } })).toThrow(
      expect.objectContaining({ reason: 'field:shards' }),
    );
  });
});
