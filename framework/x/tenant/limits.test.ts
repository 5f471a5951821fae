import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { isTenantError } from './errors.ts';
import type { QuotaStore, RateLimitStore } from './limits.ts';
import { MemoryQuotaStore, MemoryRateLimitStore } from './memory-limits.ts';
import { RedisQuotaStore, RedisRateLimitStore } from './redis-limits.ts';
import { MemoryRevocationStore, RedisRevocationStore, type RevocationStore } from './revocation.ts';

const services = inject('services');

/** One suite, run against the in-process stores and the Redis ones: both must answer alike. */
function limitConformance(name: string, make: () => { quota: QuotaStore; rate: RateLimitStore; revocation: RevocationStore }) {
  describe(`${name} limit stores`, () => {
    const key = () => `t-${randomUUID()}`;

    it('fixed window: allows the limit, refuses the next with the time to the window end, resets after', async () => {
      const { quota } = make();
      const k = key();
      const t0 = 10_000 * 1000 + 2500; // 2.5 s into a 10 s window
      const got = [];
      for (let i = 0; i < 4; i++) got.push(await quota.consume(k, 3, 10_000, 'fixed', t0));
      expect(got.map((d) => d.allowed)).toEqual([true, true, true, false]);
      expect(got.map((d) => d.remaining)).toEqual([2, 1, 0, 0]);
      expect(got[3]!.retryAfterMs).toBe(7500);
      expect(got[3]!.resetAt).toBe(10_000 * 1001);
      expect((await quota.consume(k, 3, 10_000, 'fixed', 10_000 * 1001)).allowed).toBe(true);
    });

    it('fixed window: refused requests are not counted', async () => {
      const { quota } = make();
      const k = key();
      for (let i = 0; i < 10; i++) await quota.consume(k, 1, 1000, 'fixed', 5000);
      const next = await quota.consume(k, 1, 1000, 'fixed', 6000);
      expect(next).toMatchObject({ allowed: true, remaining: 0 });
    });

    it('sliding window: the previous window still weighs on the start of the next', async () => {
      const { quota } = make();
      const k = key();
      const w = 10_000;
      for (let i = 0; i < 4; i++) expect((await quota.consume(k, 4, w, 'sliding', 50 * w + 9000)).allowed).toBe(true);
      // 10% into the next window, 90% of the previous 4 still counts: 3.6 + 1 > 4.
      const early = await quota.consume(k, 4, w, 'sliding', 51 * w + 1000);
      expect(early.allowed).toBe(false);
      expect(early.retryAfterMs).toBeGreaterThan(0);
      expect(early.retryAfterMs).toBeLessThanOrEqual(9000);
      // Past 75%, 4 × 0.25 = 1 → one more fits.
      expect((await quota.consume(k, 4, w, 'sliding', 51 * w + 7600)).allowed).toBe(true);
    });

    it('token bucket: spends the burst, then refills at the rate', async () => {
      const { rate } = make();
      const k = key();
      const t = 1_000_000;
      const a = await rate.take(k, 2, 3, t);
      expect(a).toMatchObject({ allowed: true, limit: 3, remaining: 2 });
      await rate.take(k, 2, 3, t);
      await rate.take(k, 2, 3, t);
      const d = await rate.take(k, 2, 3, t);
      expect(d.allowed).toBe(false);
      expect(d.retryAfterMs).toBe(500);
      expect((await rate.take(k, 2, 3, t + 500)).allowed).toBe(true);
      expect((await rate.take(k, 2, 3, t + 500)).allowed).toBe(false);
      expect((await rate.take(k, 2, 3, t + 10_000)).remaining).toBe(2);
    });

    it('keys never share counters', async () => {
      const { quota } = make();
      const [a, b] = [key(), key()];
      expect((await quota.consume(a, 1, 1000, 'fixed', 0)).allowed).toBe(true);
      expect((await quota.consume(b, 1, 1000, 'fixed', 0)).allowed).toBe(true);
      expect((await quota.consume(a, 1, 1000, 'fixed', 0)).allowed).toBe(false);
    });

    it('revocation: a revoked token id and an older subject version are dead', async () => {
      const { revocation } = make();
      const jti = key();
      expect(await revocation.isRevoked(jti)).toBe(false);
      await revocation.revoke(jti, Date.now() + 60_000);
      expect(await revocation.isRevoked(jti)).toBe(true);
      await revocation.revoke(`${jti}-expired`, Date.now() - 1);
      expect(await revocation.isRevoked(`${jti}-expired`)).toBe(false);
      const subject = key();
      expect(await revocation.subjectVersion(subject)).toBe(0);
      expect(await revocation.bumpSubjectVersion(subject)).toBe(1);
      expect(await revocation.bumpSubjectVersion(subject)).toBe(2);
      expect(await revocation.subjectVersion(subject)).toBe(2);
    });
  });
}

limitConformance('memory', () => ({ quota: new MemoryQuotaStore(), rate: new MemoryRateLimitStore(), revocation: new MemoryRevocationStore() }));

describe.skipIf(!services.redis)('Redis', () => {
  let redis: Redis;
  const prefix = `plumego-test:${randomUUID()}:`;
  beforeAll(() => {
    redis = new Redis(services.redis!, { lazyConnect: false, maxRetriesPerRequest: 1 });
  });
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  });

  limitConformance('redis', () => ({
    quota: new RedisQuotaStore({ client: redis, prefix }),
    rate: new RedisRateLimitStore({ client: redis, prefix }),
    revocation: new RedisRevocationStore({ client: redis, prefix }),
  }));

  it('two instances share one quota: 20 concurrent requests over two clients take exactly the limit', async () => {
    const other = new Redis(services.redis!);
    try {
      const a = new RedisQuotaStore({ client: redis, prefix });
      const b = new RedisQuotaStore({ client: other, prefix });
      const k = `shared-${randomUUID()}`;
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).consume(k, 7, 60_000, 'fixed', 120_000)));
      expect(results.filter((d) => d.allowed)).toHaveLength(7);
    } finally {
      other.disconnect();
    }
  });

  it('reloads its script after SCRIPT FLUSH and reports an unreachable server as a typed error without its URL', async () => {
    const store = new RedisQuotaStore({ client: redis, prefix });
    await redis.script('FLUSH');
    expect((await store.consume(`flush-${randomUUID()}`, 1, 1000, 'fixed', 0)).allowed).toBe(true);
    const dead = new Redis('redis://:hunter2@127.0.0.1:1', { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
    const err = await new RedisQuotaStore({ client: dead, prefix }).consume('x', 1, 1000, 'fixed', 0).catch((e: unknown) => e);
    expect(isTenantError(err) && err.code).toBe('TENANT_STATE_UNAVAILABLE');
    expect(String((err as Error).message)).not.toContain('hunter2');
    dead.disconnect();
  });
});
