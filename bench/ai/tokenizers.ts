// Token counting side by side on the same corpora: this repository's x/ai/tokenizer against the libraries, with
// a check that every candidate produces the same tokens as js-tiktoken (the reference port of OpenAI's tiktoken)
// and that every count equals js-tiktoken's `encode(text).length`. Library candidates are loaded through
// `--resolve-from DIR` (default: this repository), so ones not installed here can be measured from a scratch
// install (`npm install gpt-tokenizer tiktoken js-tiktoken ai-tokenizer` in DIR) without adding them.
// Corpora (bench/ai/corpus.ts, fixed): `synthetic` (the 16-word repetition bench/ai/run.ts has always used) and
// `repo` (the first MiB of this repository's Markdown and TypeScript at a pinned commit).
//
// Cold and warm: a counter that memoises pieces (x/ai/tokenizer's piece → count memo, gpt-tokenizer's merge
// cache) is faster on text it has seen. A **cold** round starts with an empty memo - a new x/ai/tokenizer with
// its own memo, gpt-tokenizer's `clearMergeCache()` - and is what the target is judged on; a **warm**
// round counts the same text again without clearing. Loading the ranks (once per process) is in neither.
// Usage: node --conditions=source --import tsx bench/ai/tokenizers.ts [--rounds 5] [--resolve-from DIR]
// Run under /tmp/plumego-bench.lock. Prints a Markdown table; --json FILE also writes the rows.
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadTokenizer } from 'plumego/x/ai/tokenizer';
import { repoCorpus, syntheticCorpus } from './corpus.ts';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    'resolve-from': { type: 'string', default: root },
    json: { type: 'string' },
    only: { type: 'string' }, // comma-separated candidate name prefixes
  },
});
const rounds = Number(args.rounds);
const load = createRequire(join(args['resolve-from']!, 'package.json'));
const MIB = 1024 * 1024;

type Encoding = 'o200k_base' | 'cl100k_base';
interface Counter {
  /** The tokens, for the equality check (not timed). */
  encode(text: string): ArrayLike<number>;
  /** The timed operation: the library's cheapest way to a count. */
  count(text: string): number;
  /** Empties the counter's memo so the next count is cold; undefined when it keeps none that can be emptied. */
  reset?: () => Promise<void> | void;
}
interface Candidate {
  name: string;
  /** What `count` is, for the table. */
  op: string;
  make: (encoding: Encoding) => Promise<Counter>;
}

// Special-token strings in user text count as text everywhere (each library's default is to throw). The reference,
// js-tiktoken, comes first: every later row is compared with it.
const candidates: Candidate[] = [
  {
    name: 'js-tiktoken 1.x',
    op: 'encode().length',
    make: async (encoding) => {
      const { Tiktoken } = load('js-tiktoken/lite') as {
        Tiktoken: new (ranks: unknown) => { encode: (t: string, a: string[], d: string[]) => number[] };
      };
      const ranks = load(`js-tiktoken/ranks/${encoding}`) as { default?: unknown };
      const enc = new Tiktoken(ranks.default ?? ranks);
      // No memo: every round is cold.
      return { encode: (text) => enc.encode(text, [], []), count: (text) => enc.encode(text, [], []).length };
    },
  },
  {
    name: 'x/ai/tokenizer (this repository)',
    op: 'count',
    make: async (encoding) => {
      const model = encoding === 'o200k_base' ? 'gpt-4o' : 'gpt-4';
      // A tokenizer with its own memo of the default shared size; reset swaps in a new, empty one.
      let t = await loadTokenizer(model, { countCacheSize: 16_384 });
      return {
        encode: (text) => t.encode(text),
        count: (text) => t.count(text),
        reset: async () => {
          t = await loadTokenizer(model, { countCacheSize: 16_384 });
        },
      };
    },
  },
  {
    name: 'gpt-tokenizer (before: x/ai/tokenizer and the provider used it)',
    op: 'countTokens',
    make: async (encoding) => {
      const mod = load(`gpt-tokenizer/encoding/${encoding}`) as {
        encode: (t: string, o?: unknown) => number[];
        countTokens: (t: string, o?: unknown) => number;
        clearMergeCache: () => void;
      };
      const asText = { allowedSpecial: new Set(), disallowedSpecial: new Set() };
      return {
        encode: (text) => mod.encode(text, asText),
        count: (text) => mod.countTokens(text, asText),
        reset: () => mod.clearMergeCache(),
      };
    },
  },
  {
    name: 'ai-tokenizer',
    op: 'encode().length',
    make: async (encoding) => {
      const { Tokenizer } = load('ai-tokenizer') as {
        Tokenizer: new (e: unknown) => { encode: (t: string, a: string[], d: string[]) => number[] };
      };
      const enc = new Tokenizer(load(`ai-tokenizer/encoding/${encoding}`));
      // Its merge cache cannot be emptied from outside: warm rows only.
      return { encode: (text) => enc.encode(text, [], []), count: (text) => enc.encode(text, [], []).length };
    },
  },
  {
    name: 'tiktoken (WASM)',
    op: 'encode().length',
    make: async (encoding) => {
      const { get_encoding } = load('tiktoken') as {
        get_encoding: (e: string) => { encode: (t: string, a?: unknown, d?: unknown) => Uint32Array };
      };
      const enc = get_encoding(encoding);
      // tiktoken's Rust core keeps no memo: every round is cold.
      return { encode: (text) => enc.encode(text, [], []), count: (text) => enc.encode(text, [], []).length };
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
  op: string;
  tokens: number;
  sameTokens: boolean | 'reference';
  countEqual: boolean;
  /** Median ms per MiB with an empty memo each round; null where the memo cannot be emptied. */
  coldMedianMsPerMiB: number | null;
  warmMedianMsPerMiB: number;
  /** The target is decimal: ≥ 1 MB (10^6 bytes) per 100 ms. Cold when there is a cold figure. */
  coldMbPer100ms: number | null;
  warmMbPer100ms: number;
  /** Time to the first usable counter (ranks loaded and indexed); near 0 after the first corpus. */
  loadMs: number;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const round1 = (x: number): number => Math.round(x * 10) / 10;
const round2 = (x: number): number => Math.round(x * 100) / 100;

async function main(): Promise<void> {
  const before = loadavg();
  const corpora = { synthetic: syntheticCorpus(), repo: repoCorpus() };
  const only = args.only?.split(',');
  const rows: Row[] = [];
  for (const [corpusName, text] of Object.entries(corpora)) {
    const bytes = Buffer.byteLength(text);
    const mib = bytes / MIB;
    for (const encoding of ['o200k_base', 'cl100k_base'] as const) {
      let reference: { hash: string; length: number } | undefined;
      for (const c of candidates) {
        if (only && c !== candidates[0] && !only.some((o) => c.name.startsWith(o))) continue;
        let counter: Counter;
        const loadStart = process.hrtime.bigint();
        try {
          counter = await c.make(encoding);
        } catch (error) {
          console.error(
            `${c.name}: not loadable from ${args['resolve-from']} (${(error as Error).message.split('\n')[0]})`,
          );
          continue;
        }
        // Loading the ranks happens once per process and encoding: the first corpus's row shows it.
        const loadMs = Number(process.hrtime.bigint() - loadStart) / 1e6;
        counter.count('warm up the JIT: 1 2 3 über');
        const tokens = counter.encode(text);
        const hash = digest(tokens);
        const isReference = c === candidates[0];
        if (isReference) reference = { hash, length: tokens.length };
        const cold: number[] = [];
        const warm: number[] = [];
        let counted = 0;
        if (counter.reset) {
          for (let i = 0; i < rounds; i++) {
            await counter.reset();
            const t0 = process.hrtime.bigint();
            counted = counter.count(text);
            cold.push(Number(process.hrtime.bigint() - t0) / 1e6);
          }
        }
        counter.count(text);
        for (let i = 0; i < rounds; i++) {
          const t0 = process.hrtime.bigint();
          counted = counter.count(text);
          warm.push(Number(process.hrtime.bigint() - t0) / 1e6);
        }
        // No memo at all: a warm round is a cold one.
        const coldMs = counter.reset ? median(cold) : c.name.startsWith('ai-tokenizer') ? null : median(warm);
        const warmMs = median(warm);
        rows.push({
          corpus: corpusName,
          encoding,
          candidate: c.name,
          op: c.op,
          tokens: tokens.length,
          sameTokens: isReference ? 'reference' : hash === reference?.hash,
          countEqual: counted === (reference?.length ?? tokens.length),
          coldMedianMsPerMiB: coldMs === null ? null : round1(coldMs / mib),
          warmMedianMsPerMiB: round1(warmMs / mib),
          coldMbPer100ms: coldMs === null ? null : round2((bytes / 1e6) * (100 / coldMs)),
          warmMbPer100ms: round2((bytes / 1e6) * (100 / warmMs)),
          loadMs: Math.round(loadMs),
        });
      }
    }
  }
  const md = [
    `Load average before ${before.map((l) => l.toFixed(2)).join(' ')}, after ${loadavg()
      .map((l) => l.toFixed(2))
      .join(
        ' ',
      )}; ${rounds} cold and ${rounds} warm rounds per row, medians; corpora 1 MiB of characters each (repo sha256 ${createHash('sha256').update(corpora.repo).digest('hex').slice(0, 12)}).`,
    '',
    '| corpus | encoding | counter | timed | tokens | same tokens as js-tiktoken | count = js-tiktoken | cold ms/MiB | cold MB per 100 ms | warm ms/MiB | warm MB per 100 ms | load ms |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.corpus} | ${r.encoding} | ${r.candidate} | ${r.op} | ${r.tokens} | ${r.sameTokens} | ${r.countEqual} | ${r.coldMedianMsPerMiB ?? '—'} | ${r.coldMbPer100ms ?? '—'} | ${r.warmMedianMsPerMiB} | ${r.warmMbPer100ms} | ${r.loadMs} |`,
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

await main();
