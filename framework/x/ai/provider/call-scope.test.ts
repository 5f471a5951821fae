import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { openCallScope } from './call-scope.ts';
import { AI_PROVIDER_ERROR_CODES } from './errors.ts';

describe('openCallScope', () => {
  it("aborts its signal when the caller's signal fires, once, and says why", () => {
    const caller = new AbortController();
    const scope = openCallScope(caller.signal, 60_000, 30_000);
    const reasons: unknown[] = [];
    scope.signal.addEventListener('abort', () => reasons.push(scope.signal.reason));
    caller.abort();
    caller.signal.dispatchEvent(new Event('abort'));
    expect(scope.end).toBe('aborted');
    expect(reasons).toHaveLength(1);
    expect(reasons[0]).toMatchObject({ code: AI_PROVIDER_ERROR_CODES.aborted });
    scope.dispose();
    expect(getEventListeners(caller.signal, 'abort')).toHaveLength(0);
  });

  it("leaves no listener on the caller's signal after dispose, and a later abort of the caller changes nothing", () => {
    const caller = new AbortController();
    const scope = openCallScope(caller.signal, 60_000, 30_000);
    expect(getEventListeners(caller.signal, 'abort')).toHaveLength(1);
    scope.dispose();
    expect(getEventListeners(caller.signal, 'abort')).toHaveLength(0);
    caller.abort();
    expect(scope.signal.aborted).toBe(false);
    expect(scope.end).toBeUndefined();
  });

  it('starts aborted when the caller already aborted, without listening', () => {
    const caller = new AbortController();
    caller.abort();
    const scope = openCallScope(caller.signal, 60_000, 30_000);
    expect(scope.signal.aborted).toBe(true);
    expect(scope.end).toBe('aborted');
    expect(getEventListeners(caller.signal, 'abort')).toHaveLength(0);
    scope.dispose();
  });
});
