import { describe, expect, it } from 'vitest';
import type { ApiEntry } from './model.ts';
import { getSnapshotMarker, getSnapshotPath, parseSnapshot, renderSnapshot } from './snapshot.ts';

const entries: ApiEntry[] = [
  {
    name: 'createRouter',
    kinds: ['function'],
    lines: ['function createRouter(options?: RouterOptions): Router'],
    file: 'framework/router/router.ts',
    line: 3,
  },
  { name: 'Router', kinds: ['class'], lines: ['class Router', '  get(path: string, h: Handler): this'] },
  {
    name: 'Method',
    kinds: ['const', 'type'],
    lines: ["const Method: readonly ['GET', 'POST']", "type Method = 'GET' | 'POST'"],
  },
];
const subject = { module: 'router', specifier: 'plumego/router', entry: 'framework/router/index.ts', entries };

describe('renderSnapshot', () => {
  it('starts with the generated marker and sorts entries by code point', () => {
    const text = renderSnapshot(subject);
    expect(text.split('\n')[0]).toBe(getSnapshotMarker('framework/router/index.ts'));
    const headings = text.split('\n').filter((l) => l.startsWith('## '));
    expect(headings).toEqual(['## Method (const, type)', '## Router (class)', '## createRouter (function)']);
  });

  it('is deterministic and never carries source positions', () => {
    const shuffled = { ...subject, entries: [...entries].reverse() };
    expect(renderSnapshot(shuffled)).toBe(renderSnapshot(subject));
    expect(renderSnapshot(subject)).not.toContain('router.ts');
  });

  it('counts kinds in the summary line', () => {
    expect(renderSnapshot(subject)).toContain(
      '3 exports of `framework/router/index.ts` (1 class, 1 const, 1 function, 1 type)',
    );
  });

  it('puts the facade snapshot at the library root', () => {
    expect(getSnapshotPath('framework')).toBe('framework/api.md');
    expect(getSnapshotPath('framework/x/tenant')).toBe('framework/x/tenant/api.md');
  });
});

describe('parseSnapshot', () => {
  it('reads back what renderSnapshot wrote', () => {
    const parsed = parseSnapshot(renderSnapshot(subject));
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.entries.map((e) => [e.name, e.kinds, e.lines])).toEqual(
      [...entries].sort((a, b) => (a.name < b.name ? -1 : 1)).map((e) => [e.name, e.kinds, e.lines]),
    );
    expect(parsed.entries[0]!.line).toBeGreaterThan(1);
  });

  const broken: { title: string; edit: (t: string) => string; line: number | 'any'; message: RegExp }[] = [
    { title: 'a missing marker', edit: (t) => t.split('\n').slice(1).join('\n'), line: 1, message: /marker/ },
    {
      title: 'prose added between sections',
      edit: (t) => t.replace('## Router (class)', 'I changed this.\n\n## Router (class)'),
      line: 'any',
      message: /expected an "## <export> \(<kind>\)" heading/,
    },
    {
      title: 'a heading without its block',
      edit: (t) => t.replace('```ts\nclass Router', 'class Router'),
      line: 'any',
      message: /expected a ```ts block after the heading of Router/,
    },
    { title: 'an unclosed block', edit: (t) => t.replace(/```\n$/, ''), line: 'any', message: /never closed/ },
    {
      title: 'a duplicated section',
      edit: (t) => `${t}\n## Router (class)\n\n\`\`\`ts\nclass Router\n\`\`\`\n`,
      line: 'any',
      message: /appears twice/,
    },
  ];
  for (const b of broken) {
    it(`rejects a hand edit: ${b.title}`, () => {
      const parsed = parseSnapshot(b.edit(renderSnapshot(subject)));
      expect(parsed.ok).toBe(false);
      if (parsed.ok) return;
      expect(parsed.message).toMatch(b.message);
      if (b.line !== 'any') expect(parsed.line).toBe(b.line);
      else expect(parsed.line).toBeGreaterThan(1);
    });
  }
});
