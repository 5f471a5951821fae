import { describe, expect, it } from 'vitest';
import { summarisePartial } from './partial.ts';

const tested = (status: string, line: number, replacement?: string): string =>
  JSON.stringify({
    status,
    fileName: '/repo/tools/x/a.ts',
    mutatorName: 'ConditionalExpression',
    location: { start: { line, column: 1 }, end: { line, column: 9 } },
    ...(replacement === undefined ? {} : { replacement }),
  });

describe('a stopped mutation run', () => {
  it('counts the mutants tested so far against the plan, and lists the survivors with their place', () => {
    const events = new Map([
      ['00000-onDryRunCompleted.json', '{}'],
      ['00001-onMutationTestingPlanReady.json', JSON.stringify({ mutantPlans: [1, 2, 3, 4, 5, 6] })],
      ['00002-onMutantTested.json', tested('Killed', 3)],
      ['00003-onMutantTested.json', tested('Survived', 7, 'true  &&\n  x')],
      ['00004-onMutantTested.json', tested('Timeout', 9)],
      ['00005-onMutantTested.json', tested('NoCoverage', 11)],
      ['00006-onMutantTested.json', tested('CompileError', 12)],
    ]);
    const run = summarisePartial(events, '/repo');
    expect(run).toEqual({
      planned: 6,
      tested: 5,
      counts: { killed: 1, timeout: 1, survived: 1, noCoverage: 1, invalid: 1 },
      score: 50,
      survivors: [
        'tools/x/a.ts:7 ConditionalExpression → true && x',
        'tools/x/a.ts:11 ConditionalExpression (no coverage)',
      ],
    });
  });

  it('skips files that are not JSON or not a tested mutant, and knows no plan before its event', () => {
    const events = new Map([
      ['00002-onMutantTested.json', '{ half'],
      ['00003-onMutantTested.json', JSON.stringify({ status: 'Killed' })],
      ['00004-onMutantTested.json', 'null'],
      ['00005-onMutantTested.json', tested('Killed', 1)],
      ['00001-onMutationTestingPlanReady.json', JSON.stringify({ mutantPlans: 'many' })],
      ['notes.txt', tested('Survived', 2)],
    ]);
    expect(summarisePartial(events, '/repo')).toMatchObject({ planned: 0, tested: 1, score: 100, survivors: [] });
    expect(summarisePartial(new Map(), '/repo')).toMatchObject({ planned: 0, tested: 0, score: 100 });
  });

  it('takes the result of a later re-test of the same mutant, matched by file, position, mutator and replacement', () => {
    const events = new Map([
      ['00001-onMutationTestingPlanReady.json', JSON.stringify({ mutantPlans: [1, 2, 3] })],
      ['00002-onMutantTested.json', tested('Survived', 7, 'true')],
      ['00003-onMutantTested.json', tested('Survived', 7, 'false')],
      ['00004-onMutantTested.json', tested('NoCoverage', 9)],
    ]);
    const retest = new Map([
      ['00001-onMutantTested.json', tested('Killed', 7, 'true')],
      ['00002-onMutantTested.json', tested('Killed', 8, 'false')],
      ['00003-onMutantTested.json', tested('Timeout', 9)],
    ]);
    expect(summarisePartial(events, '/repo', retest)).toMatchObject({
      planned: 3,
      tested: 3,
      counts: { killed: 1, timeout: 1, survived: 1, noCoverage: 0 },
      survivors: ['tools/x/a.ts:7 ConditionalExpression → false'],
    });
  });
});
