import { describe, it, expect } from 'vitest';
import { RateLimiter, resolveRateLimiterOptions } from './limiter.ts';

function clock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => { now += ms; } };
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
    expect(() => limiter.allow('123456789')).toThrow(expect.objectContaining({ code: 'PLUMEGO_ERR_ABUSE_INVALID_KEY' }));
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
      expect(() => resolveRateLimiterOptions(bad)).toThrow(expect.objectContaining({ code: 'PLUMEGO_ERR_ABUSE_INVALID_OPTIONS' }));
    }
  });

  it('does not keep the process alive', async () => {
    const { spawnSync } = await import('node:child_process');
    const script = `import('${new URL('./limiter.ts', import.meta.url).pathname}').then(m => { new m.RateLimiter({ sweepIntervalMs: 10 }); console.log('done'); })`;
    const result = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { encoding: 'utf8', timeout: 15_000 });
    expect(result.status).toBe(0);
    expect(result.stdout.trim()).toBe('done');
  });
});
