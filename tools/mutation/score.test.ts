import { describe, expect, it } from 'vitest';
import { countStatuses, mutationScore } from './score.ts';
import { findTargets, MUTATION_TARGETS } from './targets.ts';

describe('mutation scores', () => {
  it('counts killed and timed-out mutants as detected, survivors and uncovered ones as not, errors as neither', () => {
    const c = countStatuses([
      'Killed',
      'Killed',
      'Timeout',
      'Survived',
      'NoCoverage',
      'CompileError',
      'RuntimeError',
      'Ignored',
    ]);
    expect(c).toEqual({ killed: 2, timeout: 1, survived: 1, noCoverage: 1, invalid: 3 });
    expect(mutationScore(c)).toBe(60);
    expect(mutationScore(countStatuses([]))).toBe(100);
    expect(mutationScore(countStatuses(['Survived']))).toBe(0);
  });

  it('names every target once and refuses an unknown one', () => {
    expect(new Set(MUTATION_TARGETS.map((t) => t.id)).size).toBe(MUTATION_TARGETS.length);
    expect(findTargets(['router']).map((t) => t.id)).toEqual(['router']);
    expect(() => findTargets(['nope'])).toThrow(/unknown mutation target 'nope'/);
    for (const t of MUTATION_TARGETS) {
      expect(
        t.tests.every((g) => g.endsWith('.test.ts')),
        t.id,
      ).toBe(true);
      expect(t.threshold).toBeGreaterThanOrEqual(75);
    }
  });
});
