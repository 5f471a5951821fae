import { describe, it, expect } from 'vitest';
import { RateLimiter, resolveRateLimiterOptions } from './limiter.ts';

function clock(start = 1_000_000) {
  let now = start;
  return {
    now: () => now,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

describe('RateLimiter', () => {
  it('allows a burst, then denies with a retry hint, then refills', () => {
    const c = clock();
    const limiter = new RateLimiter({ rate: 2, burst: 3, now: c.now });
    const results = [1, 2, 3, 4].map(() => limiter.allow('ip:1'));
    expect(results.map((r) => r.allowed)).toEqual([true, true, true, false]);
    expect(results[2]?.remaining).toBe(0);
    expect(results[3]?.retryAfterMs).toBe(500);
    c.advance(500);
    expect(limiter.allow('ip:1').allowed).toBe(true);
    expect(limiter.allow('ip:2').allowed).toBe(true);
    limiter.stop();
  });

  it('refuses empty and over-long keys', () => {
    const limiter = new RateLimiter({ maxKeyLength: 8 });
    expect(() => limiter.allow('')).toThrow(expect.objectContaining({ code: 'PLUMEGO_ERR_ABUSE_INVALID_KEY' }));
    expect(() => limiter.allow('123456789')).toThrow(
      expect.objectContaining({ code: 'PLUMEGO_ERR_ABUSE_INVALID_KEY' }),
    );
    limiter.stop();
  });

  it('denies new keys once maxKeys is reached instead of evicting', () => {
    const limiter = new RateLimiter({ maxKeys: 2 });
    expect(limiter.allow('a').allowed).toBe(true);
    expect(limiter.allow('b').allowed).toBe(true);
    expect(limiter.allow('c').allowed).toBe(false);
    expect(limiter.allow('a').allowed).toBe(true);
    limiter.stop();
  });

  it('sweeps idle buckets across shards', () => {
    const c = clock();
    const limiter = new RateLimiter({ idleTimeoutMs: 1000, shards: 4, now: c.now });
    for (let i = 0; i < 20; i++) limiter.allow(`k${i}`);
    c.advance(500);
    limiter.allow('k0');
    c.advance(600);
    expect(limiter.sweep()).toBe(19);
    expect(limiter.getStats()).toMatchObject({ keys: 1, swept: 19, allowed: 21 });
    limiter.stop();
  });

  it('fails at construction on bad options', () => {
    for (const bad of [{ rate: 0 }, { burst: 1.5 }, { shards: -1 }, { rate: Number.NaN }]) {
      expect(() => resolveRateLimiterOptions(bad)).toThrow(
        expect.objectContaining({ code: 'PLUMEGO_ERR_ABUSE_INVALID_OPTIONS' }),
      );
    }
  });

  it('does not keep the process alive', async () => {
    const { spawnSync } = await import('node:child_process');
    const script = `import('${new URL('./limiter.ts', import.meta.url).pathname}').then(m => { new m.RateLimiter({ sweepIntervalMs: 10 }); console.log('done'); })`;
    const result = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], {
      encoding: 'utf8',
      timeout: 15_000,
    });
    expect(result.status).toBe(0);
    expect(result.stdout.trim()).toBe('done');
  });
});

describe('RateLimiter arithmetic', () => {
  it('reports remaining tokens, reset time and retry hints from the bucket', () => {
    const c = clock(10_000);
    const limiter = new RateLimiter({ rate: 4, burst: 2, now: c.now });
    expect(limiter.allow('k')).toEqual({ allowed: true, limit: 2, remaining: 1, resetAt: 10_250, retryAfterMs: 0 });
    expect(limiter.allow('k')).toEqual({ allowed: true, limit: 2, remaining: 0, resetAt: 10_500, retryAfterMs: 0 });
    expect(limiter.allow('k')).toEqual({ allowed: false, limit: 2, remaining: 0, resetAt: 10_500, retryAfterMs: 250 });
    c.advance(125);
    // Half a token back: still denied, and the hint is the other half.
    expect(limiter.allow('k')).toEqual({ allowed: false, limit: 2, remaining: 0, resetAt: 10_500, retryAfterMs: 125 });
    c.advance(10_000);
    // Refill stops at the burst.
    expect(limiter.allow('k')).toMatchObject({ allowed: true, remaining: 1 });
    expect(limiter.getStats()).toEqual({ keys: 1, allowed: 3, denied: 2, swept: 0 });
    limiter.stop();
  });

  it('ignores a clock that steps backwards and keeps a bucket of exactly one token usable', () => {
    const c = clock(50_000);
    const limiter = new RateLimiter({ rate: 1, burst: 1, now: c.now });
    expect(limiter.allow('k').allowed).toBe(true);
    c.advance(-5_000);
    expect(limiter.allow('k')).toMatchObject({ allowed: false, retryAfterMs: 1000 });
    c.advance(6_000);
    expect(limiter.allow('k').allowed).toBe(true);
    limiter.stop();
  });

  it('denies a fresh key over maxKeys with a one-token hint, counting it as denied', () => {
    const c = clock(1_000);
    const limiter = new RateLimiter({ rate: 8, maxKeys: 1, now: c.now });
    limiter.allow('a');
    expect(limiter.allow('b')).toEqual({ allowed: false, limit: 200, remaining: 0, resetAt: 1_125, retryAfterMs: 125 });
    expect(limiter.getStats()).toMatchObject({ keys: 1, denied: 1, allowed: 1 });
    limiter.stop();
  });

  it('keeps a key up to maxKeyLength, and sweeps a bucket idle exactly idleTimeoutMs but not one just younger', () => {
    const c = clock();
    const limiter = new RateLimiter({ maxKeyLength: 3, idleTimeoutMs: 1000, now: c.now });
    expect(limiter.allow('abc').allowed).toBe(true);
    c.advance(999);
    expect(limiter.sweep()).toBe(0);
    c.advance(1);
    expect(limiter.sweep()).toBe(1);
    expect(limiter.getStats()).toMatchObject({ keys: 0, swept: 1 });
    // A swept key starts with a full bucket again.
    expect(limiter.allow('abc')).toMatchObject({ allowed: true, remaining: 199 });
    limiter.stop();
  });

  it('fills defaults and names the bad field', () => {
    expect(resolveRateLimiterOptions()).toMatchObject({
      rate: 100,
      burst: 200,
      maxKeys: 100_000,
      shards: 16,
      sweepIntervalMs: 60_000,
      idleTimeoutMs: 300_000,
      maxKeyLength: 512,
    });
    expect(resolveRateLimiterOptions({ rate: 0.5 }).rate).toBe(0.5);
    for (const field of ['burst', 'maxKeys', 'shards', 'sweepIntervalMs', 'idleTimeoutMs', 'maxKeyLength']) {
      expect(() => resolveRateLimiterOptions({ [field]: 2.5 })).toThrow(expect.objectContaining({ field }));
      expect(() => resolveRateLimiterOptions({ [field]: 0 })).toThrow(expect.objectContaining({ field }));
    }
    expect(() => resolveRateLimiterOptions({ rate: Number.POSITIVE_INFINITY })).toThrow(
      expect.objectContaining({ field: 'rate' }),
    );
  });
});
