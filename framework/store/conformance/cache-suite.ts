import assert from 'node:assert/strict';
import type { Cache, CounterCache } from '../cache/cache.ts';
import { captureRejection, codeOf, type ConformanceHarness } from './harness.ts';

/** One cache implementation under test. */
export interface CacheConformanceTarget {
  /** Shown in the suite title. */
  name: string;
  /** An empty cache (its own namespace) with the default TTL of 10 minutes and 256-character keys. */
  open(): Promise<Cache & Partial<CounterCache>> | (Cache & Partial<CounterCache>);
  /** Whether the cache implements `CounterCache`. Default: true; false skips the counter case. */
  counters?: boolean;
}

async function assertCode(promise: Promise<unknown>, code: string): Promise<void> {
  assert.equal(codeOf(await captureRejection(promise)), code);
}

/** Polls `check` until it is true or `withinMs` passes; a TTL is real time on a server. */
async function eventually(check: () => Promise<boolean>, withinMs = 3000): Promise<boolean> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * The behaviour every `Cache` + `CounterCache` shares: explicit misses, `null` and falsy values as
 * real values, TTLs (default, explicit, 0 = forever), key limits, counters that start at 0 and
 * refuse non-integers, `clear`, and a closed state.
 */
export function describeCacheConformance(t: ConformanceHarness, target: CacheConformanceTarget): void {
  const { describe, it } = t;
  const use = async (fn: (cache: Cache & CounterCache) => Promise<void>): Promise<void> => {
    const cache = (await target.open()) as Cache & CounterCache;
    try {
      await fn(cache);
    } finally {
      await cache.close();
    }
  };

  describe(`${target.name} cache conformance`, () => {
    it('reports a miss explicitly', () =>
      use(async (cache) => {
        await assertCode(cache.get('absent'), 'PLUMEGO_ERR_CACHE_NOT_FOUND');
        assert.equal(await cache.find('absent'), undefined);
        assert.equal(await cache.has('absent'), false);
      }));

    it('keeps null, falsy and structured values apart from a miss', () =>
      use(async (cache) => {
        const values: Array<[string, unknown]> = [
          ['null', null],
          ['zero', 0],
          ['empty', ''],
          ['false', false],
          ['doc', { a: [1, 'two', { three: true }], n: null }],
        ];
        for (const [key, value] of values) await cache.set(key, value);
        for (const [key, value] of values) {
          assert.deepEqual(await cache.find(key), { value });
          assert.deepEqual(await cache.get(key), value);
          assert.equal(await cache.has(key), true);
        }
        await assertCode(cache.set('undefined', undefined), 'PLUMEGO_ERR_CACHE_INVALID_VALUE');
      }));

    it('expires entries after an explicit TTL and keeps TTL 0 forever', () =>
      use(async (cache) => {
        await cache.set('short', 'v', 30);
        await cache.set('forever', 'v', 0);
        await cache.set('default', 'v');
        assert.equal(await eventually(async () => !(await cache.has('short'))), true);
        await assertCode(cache.get('short'), 'PLUMEGO_ERR_CACHE_NOT_FOUND');
        assert.equal(await cache.has('forever'), true);
        assert.equal(await cache.has('default'), true);
        await assertCode(cache.set('bad', 'v', -1), 'PLUMEGO_ERR_CACHE_INVALID_VALUE');
      }));

    it('overwrites, deletes (a missing key too) and clears', () =>
      use(async (cache) => {
        await cache.set('k', 1);
        await cache.set('k', 2);
        assert.equal(await cache.get('k'), 2);
        await cache.delete('k');
        await cache.delete('never-set');
        assert.equal(await cache.has('k'), false);
        await cache.set('a', 1);
        await cache.set('b', 2);
        await cache.clear();
        assert.equal(await cache.has('a'), false);
        assert.equal(await cache.has('b'), false);
      }));

    it('validates keys', () =>
      use(async (cache) => {
        await assertCode(cache.get(''), 'PLUMEGO_ERR_CACHE_INVALID_KEY');
        await assertCode(cache.set(42 as unknown as string, 'v'), 'PLUMEGO_ERR_CACHE_INVALID_KEY');
        await assertCode(cache.set('k'.repeat(257), 'v'), 'PLUMEGO_ERR_CACHE_KEY_TOO_LONG');
        await cache.set('k'.repeat(256), 'v');
        await cache.set('spaces and ünïcode: *?[]', 'v');
        assert.equal(await cache.get('spaces and ünïcode: *?[]'), 'v');
      }));

    const counting = target.counters ?? true;
    (counting ? it : it.skip)(
      counting
        ? 'counts from 0 and refuses non-integers'
        : 'counts from 0 and refuses non-integers (skipped: not a CounterCache)',
      () =>
        use(async (cache) => {
          assert.equal(await cache.incr('n'), 1);
          assert.equal(await cache.incr('n', 5), 6);
          assert.equal(await cache.decr('n', 2), 4);
          assert.equal(await cache.decr('fresh'), -1);
          assert.equal(await cache.get('n'), 4);
          await cache.set('text', 'abc');
          await assertCode(cache.incr('text'), 'PLUMEGO_ERR_CACHE_NOT_INTEGER');
          await assertCode(cache.incr('n', 1.5), 'PLUMEGO_ERR_CACHE_NOT_INTEGER');
          await cache.incr('ttl', 1, 30);
          assert.equal(await eventually(async () => !(await cache.has('ttl'))), true);
        }),
    );

    it('fails every call after close and closes twice without error', async () => {
      const cache = (await target.open()) as Cache & CounterCache;
      await cache.set('k', 'v');
      await cache.close();
      await cache.close();
      const calls = [
        cache.get('k'),
        cache.find('k'),
        cache.set('k', 'v'),
        cache.delete('k'),
        cache.has('k'),
        cache.clear(),
      ];
      if (counting) calls.push(cache.incr('n'));
      for (const call of calls) {
        await assertCode(call, 'PLUMEGO_ERR_CACHE_CLOSED');
      }
    });
  });
}
