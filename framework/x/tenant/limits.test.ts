import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { isTenantError } from './errors.ts';
import { createApp } from 'plumego/core';
import { createTenantChain } from './chain.ts';
import { InMemoryTenantConfigs } from './config.ts';
import type { QuotaStore, RateLimitStore, TenantLimitsStore } from './limits.ts';
import { MemoryQuotaStore, MemoryRateLimitStore, MemoryTenantLimitsStore } from './memory-limits.ts';
import {
  RedisQuotaStore,
  RedisRateLimitStore,
  RedisTenantLimitsStore,
  type RedisScriptClient,
} from './redis-limits.ts';
import { MemoryRevocationStore, RedisRevocationStore, type RevocationStore } from './revocation.ts';

const services = inject('services');

/** One suite, run against the in-process stores and the Redis ones: both must answer alike. */
function limitConformance(
  name: string,
  make: () => { quota: QuotaStore; rate: RateLimitStore; limits: TenantLimitsStore; revocation: RevocationStore },
) {
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

    it('combined: a request refused by the rate limit burns no quota; a quota refusal keeps its token', async () => {
      const { limits } = make();
      const k = key();
      const both = { rateLimit: { ratePerSecond: 1, burst: 2 }, quota: { limit: 3, windowMs: 3_600_000 } };
      const t = 3_600_000 * 10;
      const first = await limits.check(k, both, t);
      expect(first.rateLimit).toMatchObject({ allowed: true, limit: 2, remaining: 1 });
      expect(first.quota).toMatchObject({ allowed: true, limit: 3, remaining: 2 });
      await limits.check(k, both, t);
      const refused = await limits.check(k, both, t);
      expect(refused.rateLimit).toMatchObject({ allowed: false, remaining: 0, retryAfterMs: 1000 });
      expect(refused.quota).toBeUndefined();
      // Three rate refusals later the quota still has its third request.
      await limits.check(k, both, t);
      const third = await limits.check(k, both, t + 1000);
      expect(third.quota).toMatchObject({ allowed: true, remaining: 0 });
      const over = await limits.check(k, both, t + 2000);
      expect(over.rateLimit?.allowed).toBe(true);
      expect(over.quota).toMatchObject({ allowed: false, retryAfterMs: 3_600_000 - 2000 });
      // The quota refusal took the token: the bucket refilled by one since t + 1000, and that one is gone.
      expect((await limits.check(k, both, t + 2000)).rateLimit?.allowed).toBe(false);
    });

    it('combined: agrees with the separate stores, sliding windows included, and answers only what is configured', async () => {
      const { limits, quota, rate } = make();
      const [a, b] = [key(), key()];
      const w = 10_000;
      const cfg = {
        rateLimit: { ratePerSecond: 1000, burst: 50 },
        quota: { limit: 4, windowMs: w, window: 'sliding' as const },
      };
      for (const at of [
        50 * w + 9000,
        50 * w + 9000,
        50 * w + 9000,
        50 * w + 9000,
        51 * w + 1000,
        51 * w + 7600,
        51 * w + 7600,
      ]) {
        const together = await limits.check(a, cfg, at);
        const apart = {
          rateLimit: await rate.take(b, 1000, 50, at),
          quota: await quota.consume(b, 4, w, 'sliding', at),
        };
        expect(together).toEqual(apart);
      }
      expect(await limits.check(key(), {}, 0)).toEqual({});
      expect(Object.keys(await limits.check(key(), { quota: { limit: 1, windowMs: 1000 } }, 0))).toEqual(['quota']);
      expect(Object.keys(await limits.check(key(), { rateLimit: { ratePerSecond: 1, burst: 1 } }, 0))).toEqual([
        'rateLimit',
      ]);
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

limitConformance('memory', () => ({
  quota: new MemoryQuotaStore(),
  rate: new MemoryRateLimitStore(),
  limits: new MemoryTenantLimitsStore(),
  revocation: new MemoryRevocationStore(),
}));

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
    limits: new RedisTenantLimitsStore({ client: redis, prefix }),
    revocation: new RedisRevocationStore({ client: redis, prefix }),
  }));

  it('two instances share one quota: 20 concurrent requests over two clients take exactly the limit', async () => {
    const other = new Redis(services.redis!);
    try {
      const a = new RedisQuotaStore({ client: redis, prefix });
      const b = new RedisQuotaStore({ client: other, prefix });
      const k = `shared-${randomUUID()}`;
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).consume(k, 7, 60_000, 'fixed', 120_000)),
      );
      expect(results.filter((d) => d.allowed)).toHaveLength(7);
    } finally {
      other.disconnect();
    }
  });

  it('combined: 40 concurrent requests over two clients take exactly the quota, then exactly the burst', async () => {
    const other = new Redis(services.redis!);
    try {
      const a = new RedisTenantLimitsStore({ client: redis, prefix });
      const b = new RedisTenantLimitsStore({ client: other, prefix });
      const run = (k: string, cfg: Parameters<TenantLimitsStore['check']>[1]) =>
        Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).check(k, cfg, 120_000)));
      const byQuota = await run(`cq-${randomUUID()}`, {
        rateLimit: { ratePerSecond: 1, burst: 1000 },
        quota: { limit: 7, windowMs: 60_000 },
      });
      expect(byQuota.filter((d) => d.quota?.allowed)).toHaveLength(7);
      expect(byQuota.every((d) => d.rateLimit?.allowed)).toBe(true);
      const byRate = await run(`cr-${randomUUID()}`, {
        rateLimit: { ratePerSecond: 1, burst: 5 },
        quota: { limit: 1000, windowMs: 60_000 },
      });
      expect(byRate.filter((d) => d.rateLimit?.allowed)).toHaveLength(5);
      // Only the five let through were counted against the quota.
      expect(
        byRate
          .filter((d) => d.quota !== undefined)
          .map((d) => d.quota!.remaining)
          .sort((x, y) => y - x),
      ).toEqual([999, 998, 997, 996, 995]);
    } finally {
      other.disconnect();
    }
  });

  it('combined: one Redis command per request through the whole tenant chain (counted by MONITOR), two with the separate stores', async () => {
    const tag = `rt-${randomUUID()}`;
    const monitorConn = new Redis(services.redis!);
    const monitor = await monitorConn.monitor();
    const seen: string[][] = [];
    monitor.on('monitor', (_time: string, args: string[], source: string) => {
      // Commands a script runs show up as source "lua"; only what the client sent is a round trip.
      if (source !== 'lua' && args.some((a) => a.includes(tag))) seen.push(args);
    });
    const marker = `${prefix}${tag}:marker`;
    const drain = async () => {
      await redis.get(marker);
      for (let i = 0; i < 200 && !seen.some((a) => a.includes(marker)); i++) await new Promise((r) => setTimeout(r, 5));
      const got = seen.filter((a) => !a.includes(marker));
      seen.length = 0;
      return got;
    };
    try {
      const tenants = new InMemoryTenantConfigs([
        {
          id: 'acme',
          quota: { limit: 100, windowMs: 60_000, window: 'sliding' },
          rateLimit: { ratePerSecond: 100, burst: 100 },
        },
      ]);
      const p = `${prefix}${tag}:`;
      const combined = createApp();
      combined.use(
        ...createTenantChain({ tenants, limitsStore: new RedisTenantLimitsStore({ client: redis, prefix: p }) }),
      );
      combined.addRoute('GET', '/x', (w) => w.end('ok'));
      const separate = createApp();
      separate.use(
        ...createTenantChain({
          tenants,
          quotaStore: new RedisQuotaStore({ client: redis, prefix: `${p}s:` }),
          rateLimitStore: new RedisRateLimitStore({ client: redis, prefix: `${p}s:` }),
        }),
      );
      separate.addRoute('GET', '/x', (w) => w.end('ok'));
      const h = { headers: { 'x-tenant-id': 'acme' } };
      await combined.request('/x', h); // loads the script (EVALSHA → NOSCRIPT → EVAL) once
      await separate.request('/x', h);
      await drain();
      for (let i = 0; i < 5; i++) {
        const res = await combined.request('/x', h);
        expect(res.status).toBe(200);
        expect(res.headers['x-ratelimit-remaining']).toBeDefined();
        expect(res.headers['x-quota-remaining']).toBeDefined();
      }
      const one = await drain();
      expect(one).toHaveLength(5);
      expect(one.every((a) => a[0]?.toLowerCase() === 'evalsha')).toBe(true);
      for (let i = 0; i < 5; i++) await separate.request('/x', h);
      expect(await drain()).toHaveLength(10);
    } finally {
      monitorConn.disconnect();
    }
  });

  it('combined: shares its counters with the separate stores (same keys), so instances can be switched one at a time', async () => {
    const k = `mix-${randomUUID()}`;
    const combined = new RedisTenantLimitsStore({ client: redis, prefix });
    const quota = new RedisQuotaStore({ client: redis, prefix });
    expect((await quota.consume(k, 2, 60_000, 'fixed', 60_000)).allowed).toBe(true);
    expect((await combined.check(k, { quota: { limit: 2, windowMs: 60_000 } }, 60_000)).quota).toMatchObject({
      allowed: true,
      remaining: 0,
    });
    expect((await quota.consume(k, 2, 60_000, 'fixed', 60_000)).allowed).toBe(false);
  });

  it('combined: counts exactly one script call per check with a counting client, and fails closed when Redis does', async () => {
    let calls = 0;
    const counting: RedisScriptClient = {
      evalsha: (...a) => (calls++, redis.evalsha(...(a as [string, number, ...string[]]))),
      eval: (...a) => (calls++, redis.eval(...(a as [string, number, ...string[]]))),
    };
    const store = new RedisTenantLimitsStore({ client: counting, prefix });
    const cfg = { rateLimit: { ratePerSecond: 10, burst: 10 }, quota: { limit: 10, windowMs: 60_000 } };
    await store.check(`warm-${randomUUID()}`, cfg, 0);
    calls = 0;
    for (let i = 0; i < 8; i++) await store.check(`n-${randomUUID()}`, cfg, 0);
    expect(calls).toBe(8);
    const broken = new RedisTenantLimitsStore({
      client: {
        evalsha: () => Promise.reject(new Error('READONLY at redis://:pw@h')),
        eval: () => Promise.reject(new Error('x')),
      },
      prefix,
    });
    const err = await Promise.resolve(broken.check('x', cfg, 0)).catch((e: unknown) => e);
    expect(isTenantError(err) && err.code).toBe('TENANT_STATE_UNAVAILABLE');
  });

  it('reloads its script after SCRIPT FLUSH and reports an unreachable server as a typed error without its URL', async () => {
    const store = new RedisQuotaStore({ client: redis, prefix });
    await redis.script('FLUSH');
    expect((await store.consume(`flush-${randomUUID()}`, 1, 1000, 'fixed', 0)).allowed).toBe(true);
    const dead = new Redis('redis://:hunter2@127.0.0.1:1', {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
      enableOfflineQueue: false,
    });
    const err = await new RedisQuotaStore({ client: dead, prefix })
      .consume('x', 1, 1000, 'fixed', 0)
      .catch((e: unknown) => e);
    expect(isTenantError(err) && err.code).toBe('TENANT_STATE_UNAVAILABLE');
    expect(String((err as Error).message)).not.toContain('hunter2');
    dead.disconnect();
  });
});
