import { execFileSync } from 'node:child_process';
import { afterEach } from 'vitest';
import { validFixture, writeFixture, type FixtureFiles } from '../../control-plane/testing/fixture-repo.ts';
import { main } from '../main.ts';

export interface CliRun {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

/** Runs the CLI in-process with captured output, exactly as bin.mjs would. */
export async function runCli(cwd: string, ...argv: string[]): Promise<CliRun> {
  let out = '';
  let err = '';
  const code = await main(argv, {
    cwd,
    stdout: (t) => {
      out += t;
    },
    stderr: (t) => {
      err += t;
    },
  });
  return { code, out, err };
}

/** Runs git in a fixture repository with a throwaway identity. */
export const git = (root: string, ...args: string[]): string =>
  execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', '-c', 'commit.gpgsign=false', ...args], {
    cwd: root,
    encoding: 'utf8',
  });

/** Makes the fixture repository a git repository with everything in one commit on main. */
export function commitAll(root: string): void {
  git(root, 'init', '-q', '-b', 'main');
  git(root, 'add', '.');
  git(root, 'commit', '-q', '-m', 'base');
}

/**
 * Call once at the top of a test file: returns a factory of fixture repositories (the loader's
 * valid fixture, optionally changed first) that are deleted after each test.
 */
export function useFixtureRepos(): (mutate?: (files: FixtureFiles) => void) => string {
  let cleanups: (() => void)[] = [];
  afterEach(() => {
    cleanups.forEach((c) => c());
    cleanups = [];
  });
  return (mutate = () => {}) => {
    const files = validFixture();
    mutate(files);
    const { root, cleanup } = writeFixture(files);
    cleanups.push(cleanup);
    return root;
  };
}
