import { describe, expect, it } from 'vitest';
import { ConfigError } from '../control-plane/index.ts';
import { createRuleBook } from './rulebook.ts';
import { baseFiles, withFixture } from './testing/boundary-fixture.ts';

const rules = String(baseFiles()['specs/dependency-rules.yaml']);

describe('rule book from specs/dependency-rules.yaml', () => {
  it.each([
    [
      'a rule without selectors that the gate does not implement',
      rules.replace('  - id: unowned-file\n', '  - id: no-such-rule\n'),
      'PLUMEGO_ERR_UNKNOWN_RULE',
    ],
    [
      'an exception from an unknown module',
      rules.replace(
        'exceptions: []',
        "exceptions:\n  - { rule: default-deny, from: nowhere, to: router, reason: a typo here, owner: '@fixture/team' }",
      ),
      'PLUMEGO_ERR_UNKNOWN_MODULE',
    ],
  ])('%s is a located configuration error', (_title, text, code) =>
    withFixture({ ...baseFiles(), 'specs/dependency-rules.yaml': text }, async (plane) => {
      let error: unknown;
      try {
        createRuleBook(plane);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).code).toBe(code);
      expect((error as ConfigError).file).toBe('specs/dependency-rules.yaml');
      expect((error as ConfigError).line).toBeGreaterThan(0);
      expect((error as ConfigError).hint.length).toBeGreaterThan(10);
    }),
  );

  it('reads severity, rationale and fix of every semantic rule from the spec', () =>
    withFixture(baseFiles(), async (plane) => {
      const book = createRuleBook(plane);
      expect(book.get('maturity')?.rationale).toMatch(/lower|tier|churn/);
      expect(book.selectorRules.map((r) => r.rule.id)).toEqual([
        'stable-no-extension',
        'library-no-app-code',
        'no-bench-imports',
      ]);
      expect(book.rank('ga')).toBeGreaterThan(book.rank('beta'));
    }));
});
