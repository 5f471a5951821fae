/**
 * The only git I/O of gate selection: which files changed since a base, and whether a changed
 * manifest's public_entrypoints differ from the base version. Everything after this is pure.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { ChangeSet } from './classify.ts';
import { matchGlob } from './glob.ts';

export type GitProblem = 'no-git' | 'no-commits' | 'bad-base' | 'git-failed';

/** Git is missing, the directory is not a repository, or the base does not exist: exit code 2. */
export class GitError extends Error {
  override readonly name = 'GitError';
  readonly problem: GitProblem;
  readonly hint: string;
  constructor(problem: GitProblem, message: string, hint: string) {
    super(message);
    this.problem = problem;
    this.hint = hint;
  }
}

type Git = (args: readonly string[]) => string;

const createGit =
  (root: string): Git =>
  (args) =>
    execFileSync('git', args, {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 64 * 1024 * 1024,
    });

const lines = (out: string): string[] =>
  out
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);

function assertRepository(git: Git, root: string): void {
  try {
    git(['rev-parse', '--is-inside-work-tree']);
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new GitError(
      'no-git',
      missing ? 'git is not installed or not on PATH' : `${root} is not inside a git repository`,
      missing
        ? 'Install git, or run plumego gates where git is available.'
        : 'Run plumego gates inside the repository checkout (or pass --root).',
    );
  }
}

function resolveBase(git: Git, base: string): string {
  try {
    return git(['rev-parse', '--verify', '--quiet', `${base}^{commit}`]).trim();
  } catch {
    throw new GitError(
      'bad-base',
      `--base '${base}' is not a commit in this repository`,
      'Pass an existing branch, tag or commit (for example --base origin/main after git fetch), or omit --base to gate uncommitted changes.',
    );
  }
}

/** Sorted public_entrypoints of a manifest text; undefined when the text is absent or unparseable. */
const getEntrypoints = (text: string | undefined): string | undefined => {
  if (text === undefined) return undefined;
  try {
    // Loaded here only: `plumego check` imports this module, and most of its runs never read a diff.
    const { parse } = createRequire(import.meta.url)('yaml') as typeof import('yaml');
    const list = (parse(text) as { public_entrypoints?: unknown } | null)?.public_entrypoints;
    return JSON.stringify(Array.isArray(list) ? [...list].map(String).sort() : null);
  } catch {
    return undefined;
  }
};

/** A manifest that cannot be read on either side cannot prove its surface unchanged, so it counts as changed. */
const entrypointsDiffer = (before: string | undefined, after: string | undefined): boolean => {
  const a = getEntrypoints(before);
  const b = getEntrypoints(after);
  return a === undefined || b === undefined || a !== b;
};

/**
 * Changed files between `base` and the working tree: `git diff base...HEAD` (what the branch
 * committed since it forked) plus uncommitted and untracked files. Without a base, only the latter.
 */
export function readChangeSet(root: string, base?: string): ChangeSet {
  const git = createGit(root);
  assertRepository(git, root);
  let head: string;
  try {
    head = git(['rev-parse', '--verify', '--quiet', 'HEAD^{commit}']).trim();
  } catch {
    throw new GitError(
      'no-commits',
      'the repository has no commits yet, so there is nothing to compare with',
      'Make a first commit, then run plumego gates.',
    );
  }
  const from = base === undefined ? head : git(['merge-base', resolveBase(git, base), head]).trim();
  try {
    const files = new Set([
      ...(from === head ? [] : lines(git(['diff', '--name-only', '--no-renames', '--relative', `${from}...${head}`]))),
      ...lines(git(['diff', '--name-only', '--no-renames', '--relative', 'HEAD'])),
      ...lines(git(['ls-files', '--others', '--exclude-standard'])),
    ]);
    // Manifests are YAML the loader has not seen at the base revision, so the two versions are compared here.
    const entrypointChanges = [...files]
      .filter((f) => matchGlob('**/module.yaml', f))
      .filter((f) => {
        let before: string | undefined;
        try {
          before = git(['show', `${from}:./${f}`]);
        } catch {
          before = undefined;
        }
        const path = join(root, f);
        const after = existsSync(path) ? readFileSync(path, 'utf8') : undefined;
        return entrypointsDiffer(before, after);
      });
    return { files: [...files].sort(), entrypointChanges };
  } catch (error) {
    if (error instanceof GitError) throw error;
    throw new GitError(
      'git-failed',
      `git failed: ${((error as { stderr?: string }).stderr ?? (error as Error).message).trim()}`,
      'Check that the repository is not in the middle of a merge or rebase.',
    );
  }
}
