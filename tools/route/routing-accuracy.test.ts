import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { evaluateRouting, formatEvaluation, readRoutingCases, RoutingCasesError } from './routing-accuracy.ts';
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

describe('readRoutingCases: a case file that cannot be evaluated is a located RoutingCasesError', () => {
  const dir = mkdtempSync(join(tmpdir(), 'plumego-cases-'));
  const write = (name: string, text: string): string => {
    const file = join(dir, name);
    writeFileSync(file, text);
    return file;
  };
  // The error's class, problem and located message, in one matcher.
  const located = (problem: RoutingCasesError['problem'], message: RegExp | string): unknown =>
    expect.objectContaining({ name: 'RoutingCasesError', problem, message: expect.stringMatching(message) });

  it('records where each case was read from', () => {
    const file = write(
      'ok.yaml',
      'cases:\n  - { part: p, ask: a, expect: router }\n  - { part: p, ask: b, expect: core }\n',
    );
    expect(readRoutingCases(file).map((c) => c.source)).toEqual([
      { file, line: 2 },
      { file, line: 3 },
    ]);
  });

  it.each([
    ['a missing file', () => join(dir, 'nope.yaml'), 'unreadable', /nope\.yaml: cannot read the case file \(ENOENT\)/],
    [
      'unbalanced flow YAML',
      () =>
        write('bad.yaml', 'cases:\n  - { part: p, ask: a, expect: router }\n  - { part: p, ask: b, expect: [core }\n'),
      'invalid-yaml',
      /bad\.yaml:3:\d+: malformed YAML: /,
    ],
    [
      'no cases list',
      () => write('list.yaml', '- { part: p, ask: a, expect: router }\n'),
      'bad-case',
      /list\.yaml:1:1: expected a "cases" list/,
    ],
    [
      'an alias with no anchor',
      () => write('alias.yaml', 'cases:\n  - { part: p, ask: a, expect: router }\n  - *nothing\n'),
      'invalid-yaml',
      /alias\.yaml:3:\d+: malformed YAML: alias \*nothing names no anchor/,
    ],
    [
      'a case without expect',
      () => write('short.yaml', 'cases:\n  - { part: p, ask: a, expect: router }\n  - { part: p, ask: b }\n'),
      'bad-case',
      /short\.yaml:3:5: case 2 needs a non-empty string for expect/,
    ],
    [
      'an empty ask and a numeric part',
      () => write('empty.yaml', "cases:\n  - { part: 3, ask: '  ', expect: router }\n"),
      'bad-case',
      /empty\.yaml:2:5: case 1 needs a non-empty string for part, ask/,
    ],
  ])('%s', (_title, file, problem, message) => {
    const path = file();
    expect(() => readRoutingCases(path)).toThrow(RoutingCasesError);
    expect(() => readRoutingCases(path)).toThrow(located(problem as RoutingCasesError['problem'], message));
  });

  it('names the file and line of every case that expects an unknown module', () => {
    const file = write(
      'unknown.yaml',
      'cases:\n  - { part: p, ask: a, expect: router }\n  - { part: p, ask: b, expect: x/nosuch }\n',
    );
    expect(() => evaluateRouting(createFixturePlane(), readRoutingCases(file))).toThrow(
      located('unknown-module', `${file}:3: expects "x/nosuch", which is neither a module nor a task area`),
    );
  });

  it('points at the position of a case built in code', () => {
    expect(() => evaluateRouting(createFixturePlane(), [{ part: 'p', ask: 'a', expect: 'nosuch' }])).toThrow(
      located('unknown-module', /^case 1: expects "nosuch", which is neither a module nor a task area$/),
    );
  });
});
