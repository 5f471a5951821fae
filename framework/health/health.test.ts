import { describe, expect, it } from 'vitest';
import { isKnownHealthState, isReadyState } from './health.ts';
import { checkReadiness } from './readiness.ts';

describe('health states', () => {
  it('treats healthy and degraded as ready', () => {
    expect([isReadyState('healthy'), isReadyState('degraded'), isReadyState('unhealthy')]).toEqual([true, true, false]);
    expect([isKnownHealthState('healthy'), isKnownHealthState('ok'), isKnownHealthState(1)]).toEqual([true, false, false]);
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
      { name: 'throws', check: () => { throw new Error('db down'); } },
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
      [{ name: 'slow', check: (signal) => new Promise<void>(() => signal.addEventListener('abort', () => (aborted = true))) }],
      { timeoutMs: 20 },
    );
    expect(status.ready).toBe(false);
    expect(aborted).toBe(true);
  });
});
