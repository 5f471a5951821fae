import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { collectHistory, HISTORY_HEADER, sampleEvenly, validateHistory } from './history.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const git = (root: string, ...args: string[]): string =>
  execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', '-c', 'commit.gpgsign=false', ...args], {
    cwd: root,
    encoding: 'utf8',
  });

function commit(root: string, files: Record<string, string>, message: string, date: string): void {
  for (const [path, body] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), body);
  }
  git(root, 'add', '-A');
  execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-q', '-m', message], {
    cwd: root,
    env: { ...process.env, GIT_COMMITTER_DATE: date, GIT_AUTHOR_DATE: date },
  });
}

const manifest = (name: string, status: string, entries: string[]): string =>
  `name: ${name}\npath: src/${name}\nstatus: ${status}\npublic_entrypoints: [${entries.join(', ')}]\n`;

function makeRepo(): string {
  const root = mkdtempSync(join(tmpdir(), 'plumego-history-'));
  dirs.push(root);
  git(root, 'init', '-q', '-b', 'main');
  commit(root, { 'README.md': 'x\n' }, 'start', '2026-01-01T10:00:00Z');
  commit(
    root,
    {
      'src/a/module.yaml': manifest('a', 'experimental', ['one']),
      'test/fixtures/z/module.yaml': manifest('z', 'ga', []),
    },
    'a',
    '2026-01-02T10:00:00Z',
  );
  commit(
    root,
    {
      'src/a/module.yaml': manifest('a', 'beta', ['one', 'two']),
      'src/b/module.yaml': manifest('b', 'experimental', []),
      'specs/boundary-baseline.yaml': 'entries:\n  - rule: x\n    file: y\n    to: z\n',
    },
    'b',
    '2026-01-03T10:00:00Z',
  );
  return root;
}

describe('history for the site charts', () => {
  it('reads tiers, baseline size and public API size at each commit, oldest first, ignoring fixture manifests', () => {
    const root = makeRepo();
    const h = collectHistory(root);
    expect(h.available).toBe(true);
    expect(h.points.map((p) => [p.modules, p.tiers, p.baseline, p.api])).toEqual([
      [0, {}, null, {}],
      [1, { experimental: 1 }, null, { a: 1 }],
      [2, { beta: 1, experimental: 1 }, 1, { a: 2, b: 0 }],
    ]);
    expect(h.points.map((p) => p.date.slice(0, 10))).toEqual(['2026-01-01', '2026-01-02', '2026-01-03']);
    expect(validateHistory(h)).toEqual([]);
  });

  it('reuses points it already has by commit id, and samples evenly keeping the newest', () => {
    const root = makeRepo();
    const first = collectHistory(root);
    const marked = { ...first, points: first.points.map((p, i) => (i === 1 ? { ...p, baseline: 99 } : p)) };
    expect(collectHistory(root, { previous: marked }).points[1]!.baseline).toBe(99);
    expect(collectHistory(root, { samples: 2 }).points.map((p) => p.sha)).toEqual([
      first.points[0]!.sha,
      first.points[2]!.sha,
    ]);
    expect(sampleEvenly([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 4)).toEqual([1, 4, 7, 10]);
    expect(sampleEvenly([1, 2], 5)).toEqual([1, 2]);
    expect(sampleEvenly([1, 2, 3], 1)).toEqual([3]);
  });

  it('says why when there is no history: outside git, and in a shallow clone', () => {
    const plain = mkdtempSync(join(tmpdir(), 'plumego-history-none-'));
    dirs.push(plain);
    expect(collectHistory(plain)).toEqual({
      $comment: HISTORY_HEADER,
      available: false,
      reason: 'not a git repository',
      points: [],
    });
    const root = makeRepo();
    const shallow = mkdtempSync(join(tmpdir(), 'plumego-history-shallow-'));
    dirs.push(shallow);
    execFileSync('git', ['clone', '-q', '--depth', '1', `file://${root}`, shallow]);
    const h = collectHistory(shallow);
    expect(h.available).toBe(false);
    expect(h.reason).toMatch(/shallow clone/);
    expect(validateHistory(h)).toEqual([]);
  });

  it('finds what is wrong with a malformed history file', () => {
    expect(validateHistory(null)).toEqual(['not an object']);
    expect(validateHistory({ $comment: HISTORY_HEADER, available: false, points: [] })).toEqual([
      'an unavailable history must say why',
    ]);
    const bad = {
      $comment: 'x',
      available: true,
      reason: null,
      points: [{ sha: 'abc', date: 'never', modules: 3, tiers: { beta: 1 }, baseline: -1, api: { a: 1.5 } }],
    };
    expect(validateHistory(bad)).toEqual([
      'missing the generated header',
      'points[0].sha is not a commit id',
      'points[0].date is not a date',
      'points[0].modules is not the sum of its tiers',
      'points[0].baseline is not a count or null',
      'points[0].api has a size that is not a whole number',
    ]);
  });
});
