// The two 1 MiB corpora the token-counting benchmarks use (run.ts and tokenizers.ts).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const MIB = 1024 * 1024;

/** The 16-word repetition bench/ai/run.ts has always used: kind to tokenizers that cache merges. */
export function syntheticCorpus(): string {
  const words = [
    'the',
    'quick',
    'brown',
    'fox',
    'jumps',
    'over',
    'lazy',
    'dog',
    'Plumego',
    'streams',
    'tokens,',
    'über',
    '42',
    'naïve',
    'JSON.',
    '\n',
  ];
  let text = '';
  for (let i = 0; text.length < MIB; i++) text += `${words[(i * 7) % words.length]} `;
  return text.slice(0, MIB);
}

// The repository corpus is read from this commit, not the working tree: the first MiB of framework/ is files
// other work keeps editing (framework/api.md, contract/, core/), and a corpus that changes with them would make
// runs at different times incomparable. This commit's text is the one measured on 2026-12-07 from 11:50 on.
export const REPO_CORPUS_COMMIT = '180f8b7';
/** sha256 prefix of the repository corpus; repoCorpus() refuses to return anything else. */
export const REPO_CORPUS_SHA256 = 'aae0f794e169';

/**
 * The first MiB of the repository's Markdown and TypeScript under framework/ at REPO_CORPUS_COMMIT, by path:
 * prose, code, tables, some non-ASCII. Needs the git history (a checkout of this repository).
 */
export function repoCorpus(): string {
  const git = (...args: string[]): string =>
    execFileSync('git', ['-C', root, ...args], { encoding: 'utf8', maxBuffer: 64 * MIB });
  const files = git('ls-tree', '-r', '--name-only', REPO_CORPUS_COMMIT, 'framework/')
    .split('\n')
    .filter(
      (path) => /\.(md|ts)$/.test(path) && !path.split('/').some((p) => p === 'node_modules' || p.startsWith('.')),
    )
    .sort((a, b) => (a < b ? -1 : 1));
  let text = '';
  for (const path of files) {
    text += git('show', `${REPO_CORPUS_COMMIT}:${path}`);
    if (text.length >= MIB) break;
  }
  text = text.slice(0, MIB);
  const sha = createHash('sha256').update(text).digest('hex').slice(0, 12);
  if (sha !== REPO_CORPUS_SHA256)
    throw new Error(`repository corpus is ${sha}, expected ${REPO_CORPUS_SHA256}: the corpus must not change`);
  return text;
}
