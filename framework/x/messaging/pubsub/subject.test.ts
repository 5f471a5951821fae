import { describe, expect, it } from 'vitest';
import { assertPattern, assertSubject, compilePattern } from './subject.ts';

const cases: Array<{ title: string; pattern: string; subject: string; expected: boolean }> = [
  { title: 'exact match', pattern: 'a.b', subject: 'a.b', expected: true },
  { title: 'exact mismatch', pattern: 'a.b', subject: 'a.c', expected: false },
  { title: '* matches one token', pattern: 'a.*', subject: 'a.b', expected: true },
  { title: '* does not match two tokens', pattern: 'a.*', subject: 'a.b.c', expected: false },
  { title: '* does not match zero tokens', pattern: 'a.*', subject: 'a', expected: false },
  { title: '* in the middle', pattern: 'a.*.c', subject: 'a.x.c', expected: true },
  { title: '> matches one token', pattern: 'a.>', subject: 'a.b', expected: true },
  { title: '> matches many tokens', pattern: 'a.>', subject: 'a.b.c.d', expected: true },
  { title: '> does not match zero tokens', pattern: 'a.>', subject: 'a', expected: false },
  { title: '> alone matches everything', pattern: '>', subject: 'x.y', expected: true },
  { title: 'prefix is not a token match', pattern: 'ab.*', subject: 'abc.d', expected: false },
];

describe('subject patterns', () => {
  for (const c of cases) {
    it(c.title, () => expect(compilePattern(assertPattern(c.pattern))(assertSubject(c.subject))).toBe(c.expected));
  }

  it('rejects malformed subjects and patterns without echoing them', () => {
    for (const bad of ['', '.', 'a.', '.a', 'a b', 'a/b', 'a.*', 'é', 'x'.repeat(256), 42, null]) {
      expect(() => assertSubject(bad)).toThrow(expect.objectContaining({ code: 'PUBSUB_INVALID_SUBJECT' }));
    }
    for (const bad of ['a.>.b', '>.a', 'a*', 'a.#', '', undefined]) {
      expect(() => assertPattern(bad)).toThrow(expect.objectContaining({ code: 'PUBSUB_INVALID_SUBJECT' }));
    }
    try {
      assertSubject('secret token');
    } catch (e) {
      expect((e as Error).message).not.toContain('secret');
    }
  });
});
