// MemoryCache at its limits: a memory budget met exactly, the TTL refusal reason, the sweep timer,
// and integer checks that fail for the right reason.
import { describe, expect, it } from 'vitest';
import { MemoryCache } from './memory-cache.ts';

const length = (v: unknown): number => String(v).length;

describe('MemoryCache memory budget', () => {
  it('accepts an entry exactly the size of the budget and keeps entries that fill it exactly', async () => {
    const cache = new MemoryCache<string>({ maxMemoryBytes: 10, sizeOf: length });
    await cache.set('k', 'v'.repeat(9)); // 1 + 9
    expect(await cache.has('k')).toBe(true);
    await expect(cache.set('k', 'v'.repeat(10))).rejects.toMatchObject({ code: 'PLUMEGO_ERR_CACHE_FULL' });
    await cache.set('a', 'aaaa'); // 5, evicts k
    await cache.set('b', 'bbbb'); // 5: exactly 10 in all
    expect([await cache.has('a'), await cache.has('b')]).toEqual([true, true]);
    expect(cache.getStats()).toMatchObject({ entries: 2, bytes: 10, evictions: 1 });
    await cache.set('c', 'c'); // 2 more: the oldest goes
    expect([await cache.has('a'), await cache.has('b'), await cache.has('c')]).toEqual([false, true, true]);
    await cache.close();
  });
});

describe('MemoryCache TTL and sweeping', () => {
  it('names the TTL when refusing a negative one', async () => {
    const cache = new MemoryCache();
    await expect(cache.set('k', 1, -1)).rejects.toMatchObject({
      code: 'PLUMEGO_ERR_CACHE_INVALID_VALUE',
      reason: 'ttl',
    });
    await cache.close();
  });

  it('drops expired entries on its timer without being read', async () => {
    const clock = { t: 1_000 };
    const cache = new MemoryCache({ sweepIntervalMs: 5, now: () => clock.t });
    await cache.set('k', 1, 10);
    clock.t += 10;
    for (let i = 0; i < 400 && cache.getStats().entries > 0; i++) await new Promise((r) => setTimeout(r, 5));
    expect(cache.getStats()).toMatchObject({ entries: 0, bytes: 0 });
    await cache.close();
  });
});

describe('MemoryCache counters', () => {
  it('refuses a fractional delta or a fractional stored value as not an integer (not as an overflow)', async () => {
    const cache = new MemoryCache();
    const reasonOf = (p: Promise<unknown>) =>
      p.then(
        () => 'resolved',
        (e: { code?: string; reason?: string }) => `${e.code} ${e.reason ?? '-'}`,
      );
    expect(await reasonOf(cache.incr('n', 1.5))).toBe('PLUMEGO_ERR_CACHE_NOT_INTEGER -');
    await cache.set('f', 1.5);
    expect(await reasonOf(cache.incr('f'))).toBe('PLUMEGO_ERR_CACHE_NOT_INTEGER -');
    await cache.set('s', 'text');
    expect(await reasonOf(cache.incr('s'))).toBe('PLUMEGO_ERR_CACHE_NOT_INTEGER -');
    await cache.set('max', Number.MAX_SAFE_INTEGER);
    expect(await reasonOf(cache.incr('max'))).toBe('PLUMEGO_ERR_CACHE_NOT_INTEGER overflow');
    await cache.close();
  });
});
