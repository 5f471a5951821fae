import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GitError, readChangeSet } from './read-diff.ts';

const dirs: string[] = [];
const makeDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'plumego-gates-'));
  dirs.push(dir);
  return dir;
};
const write = (root: string, file: string, text: string): void => {
  mkdirSync(join(root, file, '..'), { recursive: true });
  writeFileSync(join(root, file), text);
};
const git = (root: string, ...args: string[]): string =>
  execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', '-c', 'commit.gpgsign=false', ...args], {
    cwd: root,
    encoding: 'utf8',
  });

const manifest = (entrypoints: string[], summary = 'A module.'): string =>
  `name: x\nsummary: ${summary}\npublic_entrypoints: [${entrypoints.join(', ')}]\n`;

let repo: string;
beforeAll(() => {
  repo = makeDir();
  git(repo, 'init', '-q', '-b', 'main');
  write(repo, 'framework/a/index.ts', 'export const a = 1;\n');
  write(repo, 'framework/a/module.yaml', manifest(['a']));
  write(repo, 'framework/b/module.yaml', manifest(['b']));
  write(repo, 'README.md', '# repo\n');
  git(repo, 'add', '.');
  git(repo, 'commit', '-q', '-m', 'base');
  git(repo, 'checkout', '-q', '-b', 'feature');
  write(repo, 'framework/a/index.ts', 'export const a = 2;\n');
  git(repo, 'commit', '-q', '-am', 'feature work');
  // Uncommitted: a manifest whose entrypoints change, one whose prose changes, an untracked file.
  write(repo, 'framework/a/module.yaml', manifest(['a', 'c']));
  write(repo, 'framework/b/module.yaml', manifest(['b'], 'Reworded.'));
  write(repo, 'docs/new.md', 'new\n');
});
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('readChangeSet', () => {
  it('without --base: uncommitted and untracked files only', () => {
    expect(readChangeSet(repo).files).toEqual(['docs/new.md', 'framework/a/module.yaml', 'framework/b/module.yaml']);
  });

  it('with --base: also what the branch committed since it forked', () => {
    expect(readChangeSet(repo, 'main').files).toEqual([
      'docs/new.md',
      'framework/a/index.ts',
      'framework/a/module.yaml',
      'framework/b/module.yaml',
    ]);
  });

  it('reports manifests whose public_entrypoints changed, not those whose prose changed', () => {
    expect(readChangeSet(repo, 'main').entrypointChanges).toEqual(['framework/a/module.yaml']);
  });

  it('a --base that does not exist is a clear error', () => {
    const error = (() => {
      try {
        readChangeSet(repo, 'no-such-branch');
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(GitError);
    expect(error).toMatchObject({ problem: 'bad-base', message: expect.stringContaining("'no-such-branch'") });
  });

  it('a repository without commits is a clear error', () => {
    const empty = makeDir();
    git(empty, 'init', '-q');
    expect(() => readChangeSet(empty)).toThrow(expect.objectContaining({ problem: 'no-commits' }));
  });

  it('a directory that is not a repository is a clear error', () => {
    expect(() => readChangeSet(makeDir())).toThrow(expect.objectContaining({ problem: 'no-git' }));
  });

  it('a machine without git is a clear error', () => {
    const path = process.env['PATH'];
    process.env['PATH'] = makeDir();
    try {
      expect(() => readChangeSet(repo)).toThrow(
        expect.objectContaining({ problem: 'no-git', message: expect.stringContaining('not installed') }),
      );
    } finally {
      process.env['PATH'] = path;
    }
  });
});
