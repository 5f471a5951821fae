// Token-counting libraries side by side on the same corpora, with a check that every candidate produces the
// same tokens as js-tiktoken (the reference port of OpenAI's tiktoken). Candidates are loaded through
// `--resolve-from DIR` (default: this repository), so ones not installed here can be measured from a scratch
// install (`npm install gpt-tokenizer tiktoken js-tiktoken` in DIR) without adding them to the project.
// Corpora: `synthetic` (the 16-word repetition bench/ai/run.ts has always used) and `repo` (the first MiB of this
// repository's own Markdown and TypeScript, sorted by path: prose, code, tables and some non-ASCII).
// Usage: node --conditions=source --import tsx bench/ai/tokenizers.ts [--rounds 5] [--resolve-from DIR]
// Run under /tmp/plumego-bench.lock. Prints a Markdown table; --json FILE also writes the rows.
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { repoCorpus, syntheticCorpus } from './corpus.ts';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    'resolve-from': { type: 'string', default: root },
    json: { type: 'string' },
  },
});
const rounds = Number(args.rounds);
const load = createRequire(join(args['resolve-from']!, 'package.json'));
const MIB = 1024 * 1024;

type Encode = (text: string) => ArrayLike<number>;
interface Candidate {
  name: string;
  make: (encoding: 'o200k_base' | 'cl100k_base') => Encode | undefined;
}

// Special-token strings in user text count as text everywhere (each library's default is to throw).
const candidates: Candidate[] = [
  {
    name: 'js-tiktoken 1.x (current)',
    make: (encoding) => {
      const { Tiktoken } = load('js-tiktoken/lite') as {
        Tiktoken: new (ranks: unknown) => { encode: (t: string, a: string[], d: string[]) => number[] };
      };
      const ranks = load(`js-tiktoken/ranks/${encoding}`) as { default?: unknown };
      const enc = new Tiktoken(ranks.default ?? ranks);
      return (text) => enc.encode(text, [], []);
    },
  },
  {
    name: 'gpt-tokenizer',
    make: (encoding) => {
      const mod = load(`gpt-tokenizer/encoding/${encoding}`) as { encode: (t: string, o?: unknown) => number[] };
      return (text) => mod.encode(text, { disallowedSpecial: new Set() });
    },
  },
  {
    name: 'ai-tokenizer',
    make: (encoding) => {
      const { Tokenizer } = load('ai-tokenizer') as {
        Tokenizer: new (e: unknown) => { encode: (t: string, a: string[], d: string[]) => number[] };
      };
      const enc = new Tokenizer(load(`ai-tokenizer/encoding/${encoding}`));
      return (text) => enc.encode(text, [], []);
    },
  },
  {
    name: 'tiktoken (WASM)',
    make: (encoding) => {
      const { get_encoding } = load('tiktoken') as {
        get_encoding: (e: string) => { encode: (t: string, a?: unknown, d?: unknown) => Uint32Array };
      };
      const enc = get_encoding(encoding);
      return (text) => enc.encode(text, [], []);
    },
  },
];

function digest(tokens: ArrayLike<number>): string {
  return createHash('sha256')
    .update(Buffer.from(Uint32Array.from(tokens).buffer))
    .digest('hex')
    .slice(0, 16);
}

interface Row {
  corpus: string;
  encoding: string;
  candidate: string;
  tokens: number;
  sameTokens: boolean | 'reference';
  bestMsPerMiB: number;
  medianMsPerMiB: number;
  mbPer100ms: number;
}

function main(): void {
  const before = loadavg();
  const corpora = { synthetic: syntheticCorpus(), repo: repoCorpus() };
  const rows: Row[] = [];
  for (const [corpusName, text] of Object.entries(corpora)) {
    const mib = Buffer.byteLength(text) / MIB;
    for (const encoding of ['o200k_base', 'cl100k_base'] as const) {
      let reference: string | undefined;
      for (const c of candidates) {
        let encode: Encode | undefined;
        try {
          encode = c.make(encoding);
        } catch (error) {
          console.error(
            `${c.name}: not loadable from ${args['resolve-from']} (${(error as Error).message.split('\n')[0]})`,
          );
          continue;
        }
        if (!encode) continue;
        encode('warm up the caches and the JIT: 1 2 3 über');
        const first = encode(text);
        const hash = digest(first);
        reference ??= hash;
        const times: number[] = [];
        for (let i = 0; i < rounds; i++) {
          const t0 = process.hrtime.bigint();
          encode(text);
          times.push(Number(process.hrtime.bigint() - t0) / 1e6);
        }
        times.sort((a, b) => a - b);
        const best = times[0]!;
        const median = times[Math.floor(times.length / 2)]!;
        rows.push({
          corpus: corpusName,
          encoding,
          candidate: c.name,
          tokens: first.length,
          sameTokens: c === candidates[0] ? 'reference' : hash === reference,
          bestMsPerMiB: Math.round((best / mib) * 10) / 10,
          medianMsPerMiB: Math.round((median / mib) * 10) / 10,
          // The target is decimal: ≥ 1 MB (10^6 bytes) per 100 ms.
          mbPer100ms: Math.round((Buffer.byteLength(text) / 1e6) * (100 / median) * 100) / 100,
        });
      }
    }
  }
  const md = [
    `Load average before ${before.map((l) => l.toFixed(2)).join(' ')}, after ${loadavg()
      .map((l) => l.toFixed(2))
      .join(
        ' ',
      )}; ${rounds} rounds per row after one warm-up encode; corpora 1 MiB each (repo sha256 ${createHash('sha256').update(corpora.repo).digest('hex').slice(0, 12)}).`,
    '',
    '| corpus | encoding | library | tokens | same tokens as js-tiktoken | best ms/MiB | median ms/MiB | MB per 100 ms (median) |',
    '|---|---|---|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.corpus} | ${r.encoding} | ${r.candidate} | ${r.tokens} | ${r.sameTokens} | ${r.bestMsPerMiB} | ${r.medianMsPerMiB} | ${r.mbPer100ms} |`,
    ),
    '',
  ].join('\n');
  console.log(md);
  if (args.json)
    writeFileSync(
      args.json,
      `${JSON.stringify({ at: new Date().toISOString(), node: process.version, loadavgBefore: before, rounds, rows }, null, 2)}\n`,
    );
}

main();
