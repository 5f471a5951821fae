import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { PostgresRunLock, RedisRunLock } from './lock.ts';
import { Scheduler } from './scheduler.ts';

const url = inject('services').redis;

describe.skipIf(url === null)('RedisRunLock across replicas', () => {
  const redis = url === null ? undefined : new Redis(url);
  const prefix = `plumego-test:sched:${randomBytes(5).toString('hex')}`;
  afterAll(async () => {
    if (redis === undefined) return;
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });

  it('gives each key to exactly one caller until it expires', async () => {
    const lock = new RedisRunLock(redis!, prefix);
    const results = await Promise.all(Array.from({ length: 5 }, () => lock.claim('k1', 200)));
    expect(results.filter(Boolean)).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 250));
    expect(await lock.claim('k1', 200)).toBe(true);
  });

  it('three replicas on one schedule run each occurrence once', async () => {
    const ran: Array<[number, number]> = [];
    const replicas = [0, 1, 2].map((n) => {
      const s = new Scheduler({ lock: new RedisRunLock(redis!, prefix), lockTtlMs: 5000 });
      s.add({
        id: 'sync',
        schedule: { everyMs: 50 },
        handler: (c) => {
          ran.push([n, c.scheduledAt]);
        },
      });
      return s;
    });
    await Promise.all(replicas.map((s) => s.start()));
    await new Promise((r) => setTimeout(r, 450));
    await Promise.all(replicas.map((s) => s.stop()));
    const occurrences = ran.map(([, at]) => at);
    expect(occurrences.length).toBeGreaterThanOrEqual(4);
    expect(new Set(occurrences).size).toBe(occurrences.length);
    const skipped = replicas.reduce((sum, s) => sum + s.list()[0]!.skipped, 0);
    expect(skipped).toBeGreaterThanOrEqual(occurrences.length); // the losers saw the same occurrences
  });
});

const pgUrl = inject('services').postgres;

describe.skipIf(pgUrl === null)('PostgresRunLock across replicas', () => {
  const table = `plumego_sched_${randomBytes(4).toString('hex')}`;
  let pool: Pool | undefined;
  beforeAll(() => {
    pool = new Pool({ connectionString: pgUrl!, max: 6 });
  });
  afterAll(async () => {
    if (pool === undefined) return;
    await pool.query(`DROP TABLE IF EXISTS ${table}`);
    await pool.end();
  });

  it('gives each key to exactly one of many concurrent callers, again after expiry, and prunes', async () => {
    const lock = new PostgresRunLock(pool!, table);
    const results = await Promise.all(Array.from({ length: 6 }, () => lock.claim('job:1000', 150)));
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await lock.claim('job:2000', 150)).toBe(true);
    await new Promise((r) => setTimeout(r, 250));
    expect(await lock.claim('job:1000', 150)).toBe(true);
    await new Promise((r) => setTimeout(r, 250));
    expect(await lock.prune()).toBe(2);
    expect(() => new PostgresRunLock(pool!, 'bad; drop table x')).toThrow(TypeError);
  });

  it('three replicas sharing PostgreSQL run each occurrence once', async () => {
    const ran: number[] = [];
    const replicas = [0, 1, 2].map(() => {
      const s = new Scheduler({ lock: new PostgresRunLock(pool!, table), lockTtlMs: 5000 });
      s.add({
        id: 'pg-sync',
        schedule: { everyMs: 100 },
        handler: (c) => {
          ran.push(c.scheduledAt);
        },
      });
      return s;
    });
    await Promise.all(replicas.map((s) => s.start()));
    await new Promise((r) => setTimeout(r, 650));
    await Promise.all(replicas.map((s) => s.stop()));
    expect(ran.length).toBeGreaterThanOrEqual(3);
    expect(new Set(ran).size).toBe(ran.length);
  });
});
