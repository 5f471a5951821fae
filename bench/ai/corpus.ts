// The two 1 MiB corpora the token-counting benchmarks use (run.ts and tokenizers.ts).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
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

/** The first MiB of this repository's Markdown and TypeScript under framework/, by path: prose, code, tables, some non-ASCII. */
export function repoCorpus(): string {
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      if (name === 'node_modules' || name.startsWith('.')) continue;
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (/\.(md|ts)$/.test(name)) files.push(path);
    }
  };
  walk(join(root, 'framework'));
  let text = '';
  for (const f of files.sort((a, b) => (relative(root, a) < relative(root, b) ? -1 : 1))) {
    text += readFileSync(f, 'utf8');
    if (text.length >= MIB) break;
  }
  return text.slice(0, MIB);
}
