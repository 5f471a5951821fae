import { describe, expect, it, vi } from 'vitest';
import { isKnownHealthState, isReadyState } from './health.ts';
import { checkReadiness } from './readiness.ts';

describe('health states', () => {
  it('treats healthy and degraded as ready', () => {
    expect([isReadyState('healthy'), isReadyState('degraded'), isReadyState('unhealthy')]).toEqual([true, true, false]);
    expect([isKnownHealthState('healthy'), isKnownHealthState('ok'), isKnownHealthState(1)]).toEqual([
      true,
      false,
      false,
    ]);
  });
});

describe('checkReadiness', () => {
  it('is ready with no checkers', async () => {
    const { status } = await checkReadiness([]);
    expect(status.ready).toBe(true);
    expect(status.components).toEqual({});
  });

  it('aggregates sync, async, throwing and rejecting checkers', async () => {
    const { status, results } = await checkReadiness([
      { name: 'sync-ok', check: () => {} },
      { name: 'async-ok', check: async () => {} },
      {
        name: 'throws',
        check: () => {
          throw new Error('db down');
        },
      },
      { name: 'rejects', check: () => Promise.reject(new Error('cache down')) },
    ]);
    expect(status.ready).toBe(false);
    expect(status.components).toEqual({ 'sync-ok': true, 'async-ok': true, throws: false, rejects: false });
    expect(status.reason).toBe('unhealthy components: throws, rejects');
    expect(results.find((r) => r.name === 'throws')?.message).toBe('db down');
  });

  it('fails a checker that outlives the deadline and aborts its signal', async () => {
    let aborted = false;
    const { status } = await checkReadiness(
      [
        {
          name: 'slow',
          check: (signal) => new Promise<void>(() => signal.addEventListener('abort', () => (aborted = true))),
        },
      ],
      { timeoutMs: 20 },
    );
    expect(status.ready).toBe(false);
    expect(aborted).toBe(true);
  });
});

describe('checkReadiness edge cases', () => {
  it('fails a checker that throws nothing useful, and reports what a non-Error rejection carried', async () => {
    const { status, results } = await checkReadiness([
      {
        name: 'undefined',
        check: () => {
          throw undefined;
        },
      },
      { name: 'null', check: () => Promise.reject(null) },
      { name: 'string', check: () => Promise.reject('queue full') },
      { name: 'fine', check: () => {} },
    ]);
    expect(status).toMatchObject({
      ready: false,
      components: { undefined: false, null: false, string: false, fine: true },
    });
    expect(results.map((r) => [r.name, r.status, r.message])).toEqual([
      ['undefined', 'unhealthy', 'check failed'],
      ['null', 'unhealthy', 'check failed'],
      ['string', 'unhealthy', 'queue full'],
      ['fine', 'healthy', undefined],
    ]);
    expect(results.every((r) => r.enabled && typeof r.durationMs === 'number' && r.durationMs >= 0)).toBe(true);
  });

  it('measures each check within the time the whole run took', async () => {
    const before = performance.now();
    const { results } = await checkReadiness([{ name: 'a', check: async () => {} }]);
    const took = performance.now() - before;
    expect(results[0]!.durationMs).toBeGreaterThanOrEqual(0);
    expect(results[0]!.durationMs).toBeLessThanOrEqual(took);
  });

  it('is ready, without a reason, when every checker passes, and stamps times from the given clock', async () => {
    const at = new Date('2026-01-02T03:04:05.000Z');
    const { status, results } = await checkReadiness(
      [
        { name: 'a', check: () => {} },
        { name: 'b', check: async () => {} },
      ],
      { now: () => at },
    );
    expect(status).toEqual({ ready: true, timestamp: '2026-01-02T03:04:05.000Z', components: { a: true, b: true } });
    expect(results.map((r) => [r.name, r.status, r.timestamp])).toEqual([
      ['a', 'healthy', at.toISOString()],
      ['b', 'healthy', at.toISOString()],
    ]);
  });

  it('aborts the signal once the run is over, so a checker can stop work nobody waits for', async () => {
    let seen: AbortSignal | undefined;
    await checkReadiness([
      {
        name: 'a',
        check: (signal) => {
          seen = signal;
        },
      },
    ]);
    expect(seen?.aborted).toBe(true);
  });

  it('waits five seconds by default before failing a hanging checker', async () => {
    vi.useFakeTimers();
    try {
      let settled = false;
      const run = checkReadiness([{ name: 'hangs', check: () => new Promise<void>(() => {}) }]).then((r) => {
        settled = true;
        return r;
      });
      await vi.advanceTimersByTimeAsync(4_999);
      expect(settled).toBe(false);
      await vi.advanceTimersByTimeAsync(1);
      const { status, results } = await run;
      expect(status.ready).toBe(false);
      expect(results[0]!.message).toMatch(/5000/);
    } finally {
      vi.useRealTimers();
    }
  });

  it('a checker finishing before the deadline is healthy, even when another one times out', async () => {
    const { status } = await checkReadiness(
      [
        { name: 'quick', check: () => {} },
        { name: 'slow', check: () => new Promise<void>(() => {}) },
      ],
      { timeoutMs: 10 },
    );
    expect(status.components).toEqual({ quick: true, slow: false });
    expect(status.reason).toBe('unhealthy components: slow');
  });
});
