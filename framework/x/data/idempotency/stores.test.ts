import { describe, it, expect, afterAll, inject } from 'vitest';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { describeIdempotencyConformance, type IdempotencyStore } from 'plumego/store';
import { SqlClient } from 'plumego/x/data/sql';
import { PgIdempotencyStore } from './pg-store.ts';
import { RedisIdempotencyStore } from './redis-store.ts';

const { postgres, redis } = inject('services');
const suffix = randomBytes(4).toString('hex');
const schema = `plumego_idem_${suffix}`;
const redisPrefix = `plumego-test:idem:${suffix}:`;
let tables = 0;
let prefixes = 0;
let admin: SqlClient | undefined;
const cleanup: Array<() => Promise<unknown>> = [];

afterAll(async () => {
  for (const step of cleanup.reverse()) await step().catch(() => undefined);
  if (admin !== undefined) {
    await admin.exec(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.close();
  }
  if (redis) {
    const r = new Redis(redis);
    const keys = await r.keys(`${redisPrefix}*`);
    if (keys.length > 0) await r.del(...keys);
    await r.quit();
  }
});

// PostgreSQL: each store gets its own table; a peer is a second pool on the same table.
const pgTable = new Map<IdempotencyStore, { table: string; client: SqlClient }>();
async function openPg(now: () => number, table?: string): Promise<PgIdempotencyStore> {
  if (admin === undefined) {
    admin = new SqlClient({ connectionString: postgres as string });
    await admin.exec(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
  }
  const name = table ?? `${schema}.records_${tables++}`;
  const client = new SqlClient({ connectionString: postgres as string, maxConnections: 4 });
  cleanup.push(() => client.close());
  const store = new PgIdempotencyStore({ client, table: name, now });
  await store.ensureSchema();
  pgTable.set(store, { table: name, client });
  return store;
}

if (postgres) {
  describeIdempotencyConformance(
    { describe, it },
    {
      name: 'PgIdempotencyStore',
      open: (now) => openPg(now),
      openPeer: (store, now) => openPg(now, pgTable.get(store)?.table),
      // A crashed process's pool is gone; its committed claim stays.
      crash: (store) => pgTable.get(store)?.client.close(),
    },
  );
} else {
  describe.skip('PgIdempotencyStore idempotency conformance (skipped: no PostgreSQL from inject(services))', () => {
    it('needs PostgreSQL', () => {});
  });
}

// Redis: each store gets its own prefix; a peer is a second connection on the same prefix.
const redisOf = new Map<IdempotencyStore, { prefix: string; client: Redis }>();
function openRedis(now: () => number, prefix?: string): RedisIdempotencyStore {
  const p = prefix ?? `${redisPrefix}${prefixes++}:`;
  const client = new Redis(redis as string, { lazyConnect: false, maxRetriesPerRequest: 1 });
  cleanup.push(() => client.quit());
  const store = new RedisIdempotencyStore({ redis: client, prefix: p, now });
  redisOf.set(store, { prefix: p, client });
  return store;
}

if (redis) {
  describeIdempotencyConformance(
    { describe, it },
    {
      name: 'RedisIdempotencyStore',
      open: (now) => openRedis(now),
      openPeer: (store, now) => openRedis(now, redisOf.get(store)?.prefix),
      // Drop the socket without QUIT, as a killed process would.
      crash: (store) => redisOf.get(store)?.client.disconnect(),
    },
  );
} else {
  describe.skip('RedisIdempotencyStore idempotency conformance (skipped: no Redis from inject(services))', () => {
    it('needs Redis', () => {});
  });
}

describe.skipIf(!postgres)('PgIdempotencyStore beyond the contract', () => {
  it('refuses unsafe table names and sweeps expired records', async () => {
    const client = new SqlClient({ connectionString: postgres as string });
    cleanup.push(() => client.close());
    for (const table of ['x; DROP TABLE y', 'Upper', 'a.b.c', '']) {
      expect(() => new PgIdempotencyStore({ client, table })).toThrow(
        expect.objectContaining({ code: 'PLUMEGO_ERR_DATA_INVALID_OPTIONS', reason: 'field:table' }),
      );
    }
    let now = 1000;
    const store = await openPg(() => now);
    await store.putIfAbsent({
      key: 'old',
      requestHash: 'h',
      status: 'in_progress',
      createdAt: 1000,
      updatedAt: 1000,
      expiresAt: 1500,
    });
    await store.putIfAbsent({
      key: 'new',
      requestHash: 'h',
      status: 'in_progress',
      createdAt: 1000,
      updatedAt: 1000,
      expiresAt: 9000,
    });
    now = 2000;
    expect(await store.deleteExpired()).toBe(1);
    expect(await store.get('new')).toMatchObject({ key: 'new' });
  });
});

describe.skipIf(!redis)('RedisIdempotencyStore beyond the contract', () => {
  it('keeps an expired record for the retain window, then Redis drops it', async () => {
    const store = openRedis(Date.now);
    const { client, prefix } = redisOf.get(store) as { client: Redis; prefix: string };
    const now = Date.now();
    await store.putIfAbsent({
      key: 'ttl',
      requestHash: 'h',
      status: 'in_progress',
      createdAt: now,
      updatedAt: now,
      expiresAt: now + 60_000,
    });
    const ttl = await client.pttl(`${prefix}ttl`);
    expect(ttl).toBeGreaterThan(60_000);
    expect(ttl).toBeLessThanOrEqual(120_000);
    expect(() => new RedisIdempotencyStore({ redis: client, retainExpiredMs: -1 })).toThrow(
      expect.objectContaining({ reason: 'field:retainExpiredMs' }),
    );
  });

  it('turns a killed connection into CONNECTION_LOST without leaking the URL', async () => {
    const client = new Redis(redis as string, {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
      retryStrategy: () => null,
    });
    cleanup.push(async () => client.disconnect());
    await client.connect();
    const store = new RedisIdempotencyStore({ redis: client, prefix: `${redisPrefix}kill:` });
    await store.get('k');
    const id = await client.client('ID');
    const killer = new Redis(redis as string);
    await killer.client('KILL', 'ID', String(id));
    await killer.quit();
    const err = await store.get('k').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'PLUMEGO_ERR_DATA_CONNECTION_LOST' });
    expect(JSON.stringify(err) + String((err as Error).cause)).not.toContain(new URL(redis as string).host);
  });
});
