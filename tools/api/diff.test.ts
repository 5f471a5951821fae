import { describe, expect, it } from 'vitest';
import { diffApi, type DiffableEntry } from './diff.ts';

const fn = (name: string, ...lines: string[]): DiffableEntry => ({
  name,
  kinds: ['function'],
  lines: lines.length ? lines : [`function ${name}(): void`],
});
const iface = (name: string, ...members: string[]): DiffableEntry => ({
  name,
  kinds: ['interface'],
  lines: [`interface ${name}`, ...members.map((m) => `  ${m}`)],
});
const cls = (name: string, ...members: string[]): DiffableEntry => ({
  name,
  kinds: ['class'],
  lines: [`class ${name}`, ...members.map((m) => `  ${m}`)],
});

const cases: {
  title: string;
  before: DiffableEntry[];
  after: DiffableEntry[];
  expected: [string, string, string][];
  level: string;
}[] = [
  { title: 'identical surfaces', before: [fn('a')], after: [fn('a')], expected: [], level: 'none' },
  {
    title: 'an added export is minor',
    before: [fn('a')],
    after: [fn('a'), fn('b')],
    expected: [['b', 'added', 'minor']],
    level: 'minor',
  },
  {
    title: 'a removed export is breaking',
    before: [fn('a'), fn('b')],
    after: [fn('a')],
    expected: [['b', 'removed', 'breaking']],
    level: 'breaking',
  },
  {
    title: 'a rewritten signature is breaking',
    before: [fn('a', 'function a(x: string): void')],
    after: [fn('a', 'function a(x: number): void')],
    expected: [['a', 'changed', 'breaking']],
    level: 'breaking',
  },
  {
    title: 'a new overload is minor',
    before: [fn('a', 'function a(x: string): void')],
    after: [fn('a', 'function a(x: string): void', 'function a(x: number): void')],
    expected: [['a', 'extended', 'minor']],
    level: 'minor',
  },
  {
    title: 'a new class member is minor',
    before: [cls('C', 'get(): string')],
    after: [cls('C', 'get(): string', 'set(v: string): void')],
    expected: [['C', 'extended', 'minor']],
    level: 'minor',
  },
  {
    title: 'a new optional interface member is minor',
    before: [iface('O', 'a: string')],
    after: [iface('O', 'a: string', 'readonly b?: number')],
    expected: [['O', 'extended', 'minor']],
    level: 'minor',
  },
  {
    title: 'a new required interface member is breaking',
    before: [iface('O', 'a: string')],
    after: [iface('O', 'a: string', 'b: number')],
    expected: [['O', 'changed', 'breaking']],
    level: 'breaking',
  },
  {
    title: 'a changed kind is breaking',
    before: [fn('a')],
    after: [{ name: 'a', kinds: ['const'], lines: ['const a: () => void'] }],
    expected: [['a', 'changed', 'breaking']],
    level: 'breaking',
  },
  {
    title: 'changes are sorted by name',
    before: [fn('z'), fn('m')],
    after: [fn('a'), fn('m')],
    expected: [
      ['a', 'added', 'minor'],
      ['z', 'removed', 'breaking'],
    ],
    level: 'breaking',
  },
];

describe('diffApi', () => {
  for (const c of cases) {
    it(c.title, () => {
      const diff = diffApi(c.before, c.after);
      expect(diff.changes.map((x) => [x.name, x.change, x.severity])).toEqual(c.expected);
      expect(diff.level).toBe(c.level);
    });
  }

  it('reports the lines that disappeared and appeared', () => {
    const diff = diffApi([fn('a', 'function a(x: string): void')], [fn('a', 'function a(x: number): void')]);
    expect(diff.changes[0]).toMatchObject({
      before: ['function a(x: string): void'],
      after: ['function a(x: number): void'],
    });
  });
});
