import { describe, expect, it } from 'vitest';
import { createBulkhead } from './bulkhead.ts';
import { isResilienceError } from './errors.ts';
import { createRetry, getBackoffDelay, resolveRetryOptions, retry } from './retry.ts';
import { createTimeout } from './timeout.ts';
import { KeyedTokenBuckets, TokenBucket } from './token-bucket.ts';

const codeOf = (e: unknown): unknown => (isResilienceError(e) ? e.code : e);

describe('retry', () => {
  it('computes exponential delays capped at maxDelayMs', () => {
    const o = resolveRetryOptions({ initialDelayMs: 100, maxDelayMs: 1_000, jitter: 'none' });
    expect([1, 2, 3, 4, 5].map((a) => getBackoffDelay(a, o))).toEqual([100, 200, 400, 800, 1_000]);
  });

  it('keeps jittered delays inside their band', () => {
    const full = resolveRetryOptions({ initialDelayMs: 100, jitter: 'full', random: () => 0.999 });
    const fullLow = resolveRetryOptions({ initialDelayMs: 100, jitter: 'full', random: () => 0 });
    const equal = resolveRetryOptions({ initialDelayMs: 100, jitter: 'equal', random: () => 0 });
    expect(getBackoffDelay(3, full)).toBeCloseTo(399.6);
    expect(getBackoffDelay(3, fullLow)).toBe(0);
    expect(getBackoffDelay(3, equal)).toBe(200);
  });

  it('retries until success and reports each wait', async () => {
    const waits: number[] = [];
    const value = await retry(
      (attempt) => (attempt < 3 ? Promise.reject(new Error(`fail ${attempt}`)) : Promise.resolve(attempt)),
      { jitter: 'none', initialDelayMs: 10, sleep: async (ms) => void waits.push(ms) },
    );
    expect(value).toBe(3);
    expect(waits).toEqual([10, 20]);
  });

  it('rethrows the last error once attempts run out', async () => {
    let calls = 0;
    const run = createRetry({ maxAttempts: 4, sleep: async () => {} });
    await expect(run(() => Promise.reject(new Error(`fail ${++calls}`)))).rejects.toThrow('fail 4');
    expect(calls).toBe(4);
  });

  it('stops at once when shouldRetry says no', async () => {
    let calls = 0;
    const run = createRetry({ shouldRetry: (e) => !(e instanceof TypeError), sleep: async () => {} });
    await expect(
      run(() => {
        calls++;
        throw new TypeError('permanent');
      }),
    ).rejects.toThrow('permanent');
    expect(calls).toBe(1);
  });

  it('stops waiting when the signal aborts', async () => {
    const ac = new AbortController();
    const run = createRetry({
      initialDelayMs: 60_000,
      maxDelayMs: 60_000,
      jitter: 'none',
      onRetry: () => queueMicrotask(() => ac.abort(new Error('caller gave up'))),
    });
    await expect(run(() => Promise.reject(new Error('down')), ac.signal)).rejects.toThrow('caller gave up');
  });

  it('does not start another attempt once the signal has aborted', async () => {
    const ac = new AbortController();
    let calls = 0;
    const p = retry(
      () => {
        calls++;
        return Promise.reject(new Error('down'));
      },
      { sleep: async () => {} },
      ac.signal,
    );
    ac.abort();
    await expect(p).rejects.toThrow('down');
    expect(calls).toBe(1);
  });

  it('refuses bad options at factory time', () => {
    expect(() => createRetry({ maxAttempts: 0 })).toThrow('maxAttempts');
    expect(() => createRetry({ initialDelayMs: 10, maxDelayMs: 5 })).toThrow('maxDelayMs');
    expect(() => createRetry({ multiplier: 0.5 })).toThrow('multiplier');
    expect(() => createRetry({ jitter: 'bogus' as never })).toThrow('jitter');
  });
});

describe('timeout', () => {
  it('passes a result through when fn beats the deadline', async () => {
    await expect(createTimeout(10_000).execute(async () => 'fast')).resolves.toBe('fast');
  });

  it('rejects with RESILIENCE_TIMEOUT and aborts the signal handed to fn', async () => {
    let seen: AbortSignal | undefined;
    const t = createTimeout(5);
    const error = await t
      .execute((signal) => {
        seen = signal;
        return new Promise(() => {});
      })
      .catch((e: unknown) => e);
    expect(codeOf(error)).toBe('RESILIENCE_TIMEOUT');
    expect(seen?.aborted).toBe(true);
  });

  it('leaves the signal alive after fn returns, so a body read can follow', async () => {
    let seen: AbortSignal | undefined;
    await createTimeout(10_000).execute(async (signal) => {
      seen = signal;
      return 'headers';
    });
    expect(seen?.aborted).toBe(false);
  });

  it('passes a caller abort through unchanged', async () => {
    const ac = new AbortController();
    const p = createTimeout(10_000).execute(
      (signal) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('stopped')))),
      ac.signal,
    );
    ac.abort();
    const error = await p.catch((e: unknown) => e);
    expect(codeOf(error)).not.toBe('RESILIENCE_TIMEOUT');
  });

  it('refuses a non-positive duration', () => {
    expect(() => createTimeout(0)).toThrow('ms');
  });
});

describe('bulkhead', () => {
  it('runs up to limit, queues up to queue, and rejects the rest with BULKHEAD_FULL', async () => {
    const b = createBulkhead({ limit: 1, queue: 1 });
    const releases: Array<() => void> = [];
    const hold = (): Promise<string> => new Promise((r) => releases.push(() => r('done')));
    const first = b.execute(hold);
    const second = b.execute(hold);
    expect(b.executionSlots).toBe(0);
    expect(b.queueSlots).toBe(0);
    expect(codeOf(await b.execute(hold).catch((e: unknown) => e))).toBe('BULKHEAD_FULL');
    releases[0]?.();
    await expect(first).resolves.toBe('done');
    await new Promise((r) => setImmediate(r));
    releases[1]?.();
    await expect(second).resolves.toBe('done');
    expect(b.executionSlots).toBe(1);
  });

  it('refuses a zero limit', () => {
    expect(() => createBulkhead({ limit: 0 })).toThrow('limit');
  });
});

describe('token bucket', () => {
  it('allows a burst, then refills at the configured rate', () => {
    let t = 0;
    const b = new TokenBucket({ ratePerSecond: 2, burst: 3, now: () => t });
    expect([1, 2, 3].map(() => b.take().allowed)).toEqual([true, true, true]);
    const denied = b.take();
    expect(denied).toEqual({ allowed: false, remaining: 0, retryAfterMs: 500 });
    t = 500;
    expect(b.take().allowed).toBe(true);
    t = 100_000;
    expect(b.remaining()).toBe(3);
  });

  it('does not mint tokens when the clock steps backwards', () => {
    let t = 10_000;
    const b = new TokenBucket({ ratePerSecond: 1, burst: 1, now: () => t });
    b.take();
    t = 0;
    expect(b.take().allowed).toBe(false);
  });

  it('updates the rate in place', () => {
    let t = 0;
    const b = new TokenBucket({ ratePerSecond: 1, burst: 10, now: () => t });
    for (let i = 0; i < 10; i++) b.take();
    b.updateRate(10, 5);
    t = 1_000;
    expect(b.remaining()).toBe(5);
  });

  it('keeps one bucket per key and evicts the least recently used beyond maxKeys', () => {
    const k = new KeyedTokenBuckets({ ratePerSecond: 1, burst: 1, maxKeys: 2, now: () => 0 });
    expect(k.take('a').allowed).toBe(true);
    expect(k.take('a').allowed).toBe(false);
    expect(k.take('b').allowed).toBe(true);
    expect(k.take('a').allowed).toBe(false);
    k.take('c');
    expect(k.size).toBe(2);
    // "b" was least recently used, so it was evicted and starts full again.
    expect(k.take('b').allowed).toBe(true);
  });

  it('refuses bad options and an empty key', () => {
    expect(() => new TokenBucket({ ratePerSecond: 0, burst: 1 })).toThrow('ratePerSecond');
    expect(() => new TokenBucket({ ratePerSecond: 1, burst: 0 })).toThrow('burst');
    expect(() => new KeyedTokenBuckets({ ratePerSecond: 1, burst: 1, maxKeys: 0 })).toThrow('maxKeys');
    expect(() => new KeyedTokenBuckets({ ratePerSecond: 1, burst: 1 }).take('')).toThrow('key');
    expect(() => new TokenBucket({ ratePerSecond: 1, burst: 2 }).take(3)).toThrow('n');
  });
});
