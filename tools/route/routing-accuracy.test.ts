import { describe, expect, it } from 'vitest';
import { evaluateRouting, formatEvaluation } from './routing-accuracy.ts';
import { createFixturePlane } from './testing/fixture-plane.ts';

describe('formatEvaluation', () => {
  const plane = createFixturePlane();
  const e = evaluateRouting(plane, [
    { part: 'p', ask: 'match path parameters in a route', expect: 'router' },
    { part: 'p', ask: 'match path parameters in a route pattern', expect: 'x/frontend' },
  ]);

  it('lists each miss with what the router answered', () => {
    expect([e.all.total, e.all.top1]).toEqual([2, 1]);
    const text = formatEvaluation(e);
    expect(text).toContain('misses (expected → got top-3):');
    expect(text).toContain('"match path parameters in a route pattern" → expected x/frontend, got router');
  });

  it('prints the counts only when asked, so a held-out part can be scored without seeing its misses', () => {
    const text = formatEvaluation(e, { misses: false });
    expect(text).toContain('top-1  50.0% (1)');
    expect(text).not.toContain('misses');
    expect(text).not.toContain('route pattern');
  });
});
