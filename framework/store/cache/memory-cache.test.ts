import { describe, it, expect } from 'vitest';
import { getDefaultSize, MemoryCache, resolveMemoryCacheOptions } from './memory-cache.ts';

function clock() {
  let now = 1_000_000;
  return {
    now: () => now,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

describe('MemoryCache', () => {
  it('stores, finds and treats null and empty values as real values', async () => {
    const cache = new MemoryCache<unknown>();
    await cache.set('a', null);
    await cache.set('b', '');
    expect(await cache.find('a')).toEqual({ value: null });
    expect(await cache.get('b')).toBe('');
    expect(await cache.find('missing')).toBeUndefined();
    await expect(cache.get('missing')).rejects.toMatchObject({ code: 'PLUMEGO_ERR_CACHE_NOT_FOUND' });
    await cache.close();
  });

  it('expires entries by TTL, with 0 meaning never', async () => {
    const c = clock();
    const cache = new MemoryCache<string>({ now: c.now, defaultTtlMs: 1000 });
    await cache.set('short', 'x');
    await cache.set('forever', 'y', 0);
    await cache.set('long', 'z', 5000);
    c.advance(1000);
    expect(await cache.has('short')).toBe(false);
    expect(await cache.has('forever')).toBe(true);
    c.advance(10_000);
    expect(cache.sweep()).toBe(1);
    expect(cache.getStats()).toMatchObject({ entries: 1, expirations: 2 });
    await cache.close();
  });

  it('evicts the least recently used entry beyond maxEntries', async () => {
    const cache = new MemoryCache<number>({ maxEntries: 2 });
    await cache.set('a', 1);
    await cache.set('b', 2);
    await cache.get('a');
    await cache.set('c', 3);
    expect(await cache.has('b')).toBe(false);
    expect(await cache.has('a')).toBe(true);
    expect(cache.getStats().evictions).toBe(1);
    await cache.close();
  });

  it('keeps within the memory budget and refuses one entry larger than it', async () => {
    const cache = new MemoryCache<string>({ maxMemoryBytes: 100 });
    await cache.set('k1', 'x'.repeat(40));
    await cache.set('k2', 'x'.repeat(40));
    await cache.set('k3', 'x'.repeat(40));
    expect(cache.getStats().bytes).toBeLessThanOrEqual(100);
    expect(await cache.has('k1')).toBe(false);
    await expect(cache.set('big', 'x'.repeat(200))).rejects.toMatchObject({ code: 'PLUMEGO_ERR_CACHE_FULL' });
    await cache.close();
  });

  it('refuses keys that are too long or empty, without echoing them', async () => {
    const cache = new MemoryCache({ maxKeyLength: 16 });
    const long = 'k'.repeat(17);
    const err = await cache.set(long, 1).catch((e: Error) => e);
    expect(err).toMatchObject({ code: 'PLUMEGO_ERR_CACHE_KEY_TOO_LONG' });
    expect((err as Error).message).not.toContain(long);
    await expect(cache.get('')).rejects.toMatchObject({ code: 'PLUMEGO_ERR_CACHE_INVALID_KEY' });
    await expect(cache.set('u', undefined)).rejects.toMatchObject({ code: 'PLUMEGO_ERR_CACHE_INVALID_VALUE' });
    await cache.close();
  });

  it('counts with incr/decr, refusing non-integers', async () => {
    const cache = new MemoryCache<unknown>();
    expect(await cache.incr('n')).toBe(1);
    expect(await cache.incr('n', 5)).toBe(6);
    expect(await cache.decr('n', 2)).toBe(4);
    await cache.set('s', 'text');
    await expect(cache.incr('s')).rejects.toMatchObject({ code: 'PLUMEGO_ERR_CACHE_NOT_INTEGER' });
    await expect(cache.incr('n', 0.5)).rejects.toMatchObject({ code: 'PLUMEGO_ERR_CACHE_NOT_INTEGER' });
    await cache.close();
  });

  it('counts hits and misses, deletes missing keys quietly, and fails every call after close', async () => {
    const cache = new MemoryCache<number>();
    await cache.set('a', 1);
    await cache.find('a');
    await cache.find('b');
    await cache.delete('nope');
    await cache.delete('a');
    expect(cache.getStats()).toMatchObject({ hits: 1, misses: 1, deletes: 1, sets: 1, entries: 0 });
    await cache.close();
    for (const call of [
      () => cache.get('a'),
      () => cache.set('a', 1),
      () => cache.has('a'),
      () => cache.clear(),
      () => cache.incr('a'),
    ]) {
      await expect(call()).rejects.toMatchObject({ code: 'PLUMEGO_ERR_CACHE_CLOSED' });
    }
  });

  it('refuses bad options at construction', () => {
    for (const bad of [
      { maxEntries: 0 },
      { maxKeyLength: -1 },
      { defaultTtlMs: 1.5 },
      { sweepIntervalMs: Number.NaN },
    ]) {
      expect(() => resolveMemoryCacheOptions(bad)).toThrow(
        expect.objectContaining({ code: 'PLUMEGO_ERR_CACHE_INVALID_OPTIONS' }),
      );
    }
  });
});

describe('MemoryCache accounting', () => {
  it('counts bytes as value size plus key length, replaces without double counting, and frees on delete, expiry and clear', async () => {
    let now = 1_000;
    const cache = new MemoryCache<string>({ now: () => now, defaultTtlMs: 0 });
    await cache.set('ab', 'xyz');
    expect(cache.getStats()).toMatchObject({ entries: 1, bytes: 5, sets: 1 });
    await cache.set('ab', 'x');
    expect(cache.getStats()).toMatchObject({ entries: 1, bytes: 3, sets: 2 });
    await cache.set('cd', 'é', 10);
    expect(cache.getStats().bytes).toBe(3 + 4);
    now += 10;
    expect(await cache.has('cd')).toBe(false);
    expect(cache.getStats()).toMatchObject({ entries: 1, bytes: 3, expirations: 1 });
    await cache.delete('ab');
    await cache.delete('ab');
    expect(cache.getStats()).toMatchObject({ entries: 0, bytes: 0, deletes: 1 });
    await cache.set('ef', 'v');
    await cache.clear();
    expect(cache.getStats()).toMatchObject({ entries: 0, bytes: 0 });
    await cache.close();
  });

  it('uses the default TTL, keeps an entry until its expiry instant, and sweeps only expired ones', async () => {
    let now = 0;
    const cache = new MemoryCache<number>({ now: () => now, defaultTtlMs: 100 });
    await cache.set('a', 1);
    await cache.set('b', 2, 0);
    await cache.set('c', 3, 50);
    now = 99;
    expect(await cache.has('a')).toBe(true);
    expect(cache.sweep()).toBe(1);
    now = 100;
    expect(cache.sweep()).toBe(1);
    expect([await cache.has('a'), await cache.has('b')]).toEqual([false, true]);
    expect(cache.getStats().expirations).toBe(2);
    await expect(cache.set('d', 1, -1)).rejects.toMatchObject({ code: 'PLUMEGO_ERR_CACHE_INVALID_VALUE' });
    await expect(cache.set('d', 1, Number.POSITIVE_INFINITY)).rejects.toMatchObject({
      code: 'PLUMEGO_ERR_CACHE_INVALID_VALUE',
    });
    await expect(cache.set('d', undefined as unknown as number)).rejects.toMatchObject({
      code: 'PLUMEGO_ERR_CACHE_INVALID_VALUE',
    });
    await cache.close();
  });

  it('a hit makes an entry the most recent, so the other one is evicted', async () => {
    const cache = new MemoryCache<number>({ maxEntries: 2 });
    await cache.set('a', 1);
    await cache.set('b', 2);
    expect(await cache.get('a')).toBe(1);
    await cache.set('c', 3);
    expect([await cache.has('a'), await cache.has('b'), await cache.has('c')]).toEqual([true, false, true]);
    expect(cache.getStats()).toMatchObject({ evictions: 1, hits: 1 });
    await expect(cache.get('b')).rejects.toMatchObject({ code: 'PLUMEGO_ERR_CACHE_NOT_FOUND' });
    expect(cache.getStats().misses).toBe(1);
    await cache.close();
  });

  it("keeps a counter's expiry unless a TTL is given, starts a missing one at the delta, and refuses overflow", async () => {
    let now = 0;
    const cache = new MemoryCache<number>({ now: () => now, defaultTtlMs: 100 });
    expect(await cache.incr('n', 5)).toBe(5);
    now = 60;
    expect(await cache.incr('n')).toBe(6);
    now = 100;
    expect(await cache.has('n')).toBe(false);
    expect(await cache.decr('m', 3, 1000)).toBe(-3);
    now = 150;
    expect(await cache.incr('m', 1, 10)).toBe(-2);
    now = 160;
    expect(await cache.has('m')).toBe(false);
    await cache.set('big', Number.MAX_SAFE_INTEGER);
    await expect(cache.incr('big')).rejects.toMatchObject({
      code: 'PLUMEGO_ERR_CACHE_NOT_INTEGER',
      reason: 'overflow',
    });
    await cache.set('frac', 1.5);
    await expect(cache.incr('frac')).rejects.toMatchObject({ code: 'PLUMEGO_ERR_CACHE_NOT_INTEGER' });
    await cache.close();
  });

  it('sizes strings by UTF-8 bytes, byte arrays by length, other values by their JSON, and unserialisable ones at 1 KiB', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    expect([
      getDefaultSize('é'),
      getDefaultSize(new Uint8Array(7)),
      getDefaultSize({ a: 1 }),
      getDefaultSize(undefined),
      getDefaultSize(cyclic),
    ]).toEqual([2, 7, 7, 0, 1024]);
  });

  it('accepts zero for the memory budget and default TTL, and refuses zero elsewhere', () => {
    expect(resolveMemoryCacheOptions({ maxMemoryBytes: 0, defaultTtlMs: 0 })).toMatchObject({
      maxMemoryBytes: 0,
      defaultTtlMs: 0,
      maxEntries: 10_000,
      maxKeyLength: 256,
      sweepIntervalMs: 300_000,
    });
    for (const bad of [{ maxKeyLength: 0 }, { sweepIntervalMs: 0 }, { maxMemoryBytes: -1 }, { defaultTtlMs: -1 }]) {
      expect(() => resolveMemoryCacheOptions(bad)).toThrow(
        expect.objectContaining({ code: 'PLUMEGO_ERR_CACHE_INVALID_OPTIONS' }),
      );
    }
  });
});
