// x/ai benchmarks: (1) streaming relay latency — upstream chunk written → SSE event parsed by the client, at N
// concurrent streams, for a baseline server (direct res.write), relayStream alone, a baseline relay of the fake
// upstream (pipe: node:http in, res.write out) and the full path (AnthropicProvider reading the same upstream +
// relayStream); (2) token counting throughput on two corpora
// (bench/ai/corpus.ts); library against library: bench/ai/tokenizers.ts.
// Timestamps are process.hrtime (CLOCK_MONOTONIC, shared by all processes on the machine).
// Added rows (bench/ai/README.md): "(unaligned)" — the same end-to-end measure with each stream's chunk timer
// started at a random offset; "(in-process overhead)" — inside the relay process, upstream body chunk reaching
// JS → res.write of its SSE frame (server-side hrtime), aligned streams. Added diagnostic columns on the end-to-end
// rows (same samples, split by each stream's text event index): p50 of each stream's first event, and p99 of its
// events from the 4th and from the 11th on — the first events are the ones that meet the set-up of the round's other
// streams, and with 200 set-ups taking longer than 3 chunk intervals that backlog reaches past the 3rd event.
// Usage: node --conditions=source --import tsx bench/ai/run.ts [--streams 200] [--rounds 3] [--chunks 50]
//   [--modes direct,relay,pipe,provider] [--unaligned-modes direct,relay,pipe,provider]
//   [--overhead-modes pipe,provider] [--latency-only]   (an empty list skips that scenario)
// Writes bench/ai/results/<stamp>.json, latest.json and latest.md. Run under /tmp/plumego-bench.lock.
import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createOpenAIProvider } from 'plumego/x/ai/provider';
import { estimateTokens } from 'plumego/x/ai/session';
import { repoCorpus, syntheticCorpus } from './corpus.ts';

const here = dirname(fileURLToPath(import.meta.url));
const { values: args } = parseArgs({
  options: {
    streams: { type: 'string', default: '200' },
    rounds: { type: 'string', default: '3' },
    chunks: { type: 'string', default: '50' },
    modes: { type: 'string', default: 'direct,relay,pipe,provider' },
    'unaligned-modes': { type: 'string', default: 'direct,relay,pipe,provider' },
    'overhead-modes': { type: 'string', default: 'pipe,provider' },
    'latency-only': { type: 'boolean', default: false },
    // Prints the tables without writing bench/ai/results (smoke runs).
    'no-write': { type: 'boolean', default: false },
  },
});
const streams = Number(args.streams);
const rounds = Number(args.rounds);
const chunks = Number(args.chunks);

function start(mode: string, env: Record<string, string> = {}): Promise<{ child: ChildProcess; port: number }> {
  // BENCH_NODE_ARGS: extra node flags for the server processes (e.g. `--cpu-prof --cpu-prof-dir=DIR`).
  const extra = (process.env['BENCH_NODE_ARGS'] ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...extra, '--conditions=source', '--import', 'tsx', join(here, 'server.ts')], {
    env: { ...process.env, BENCH_MODE: mode, BENCH_CHUNKS: String(chunks), ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      const m = /ready (\d+)/.exec(d.toString());
      if (m) resolve({ child, port: Number(m[1]) });
    });
    child.once('exit', (code) => reject(new Error(`server ${mode} exited ${code}`)));
  });
}

/** A round's samples (µs): all of them, and (diagnostic) split by the event's index within its stream. */
interface Samples {
  all: number[];
  /** Each stream's first text event. */
  first: number[];
  /** Each stream's text events from the 4th on. */
  later: number[];
  /** Each stream's text events from the 11th on: past the round's set-up backlog (bench/ai/README.md). */
  late: number[];
}
const samplesOf = (): Samples => ({ all: [], first: [], later: [], late: [] });

/**
 * Opens one SSE stream and records, per text event, now − the timestamp the upstream put in it (µs). The data
 * handler only stamps and keeps the chunk; frames are parsed after the stream ends. Parsing in the handler
 * would delay the handlers of the other sockets read in the same turn of this process's loop, adding the
 * load generator's own per-chunk cost to every later stream's sample.
 */
function readStream(port: number, out: Samples): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/', agent: false }, (res) => {
      res.setEncoding('utf8');
      const stamps: bigint[] = [];
      const chunks: string[] = [];
      res.on('data', (chunk: string) => {
        stamps.push(process.hrtime.bigint());
        chunks.push(chunk);
      });
      res.on('end', () => {
        let buf = '';
        let index = 0;
        for (let i = 0; i < chunks.length; i++) {
          buf += chunks[i]!;
          let cut: number;
          while ((cut = buf.indexOf('\n\n')) >= 0) {
            const frame = buf.slice(0, cut);
            buf = buf.slice(cut + 2);
            const m = /^event: text\ndata: (.*)$/m.exec(frame);
            // A frame completed by chunk i reached the client when chunk i did.
            if (!m) continue;
            const us = Number(stamps[i]! - BigInt((JSON.parse(m[1]!) as { text: string }).text)) / 1000;
            out.all.push(us);
            if (index === 0) out.first.push(us);
            else if (index >= 3) out.later.push(us);
            if (index >= 10) out.late.push(us);
            index++;
          }
        }
        resolve();
      });
    });
    req.on('error', reject);
    req.end();
  });
}

const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

interface LatencyRow {
  mode: string;
  round: number;
  samples: number;
  p50Us: number;
  p99Us: number;
  maxUs: number;
  /** Diagnostic (end-to-end rows only): p50 of each stream's first event; p99 of its events from the 4th on. */
  firstP50Us?: number;
  laterP99Us?: number;
  /** Diagnostic: p99 of each stream's events from the 11th on. */
  lateP99Us?: number;
}

async function latency(mode: string, port: number): Promise<LatencyRow[]> {
  const rows: LatencyRow[] = [];
  // One unrecorded round first, the same for every mode: the first streams of a fresh process run V8's
  // unoptimised code and would otherwise fill round 1's tail with compilation, not relaying.
  await Promise.all(Array.from({ length: streams }, () => readStream(port, samplesOf())));
  for (let round = 1; round <= rounds; round++) {
    const out = samplesOf();
    await Promise.all(Array.from({ length: streams }, () => readStream(port, out)));
    const samples = out.all.sort((a, b) => a - b);
    const first = out.first.sort((a, b) => a - b);
    const later = out.later.sort((a, b) => a - b);
    const late = out.late.sort((a, b) => a - b);
    rows.push({
      mode,
      round,
      samples: samples.length,
      p50Us: Math.round(pct(samples, 50)),
      p99Us: Math.round(pct(samples, 99)),
      maxUs: Math.round(samples.at(-1)!),
      firstP50Us: Math.round(pct(first, 50)),
      laterP99Us: Math.round(pct(later, 99)),
      lateP99Us: Math.round(pct(late, 99)),
    });
  }
  return rows;
}

function getJson(port: number, path: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve(JSON.parse(body)));
    });
    req.on('error', reject);
    req.end();
  });
}

/** The same rounds as `latency`, but the row is the server's own in-process measure (BENCH_OVERHEAD=1). */
async function inProcess(mode: string, port: number): Promise<LatencyRow[]> {
  const rows: LatencyRow[] = [];
  await Promise.all(Array.from({ length: streams }, () => readStream(port, samplesOf())));
  await getJson(port, '/__overhead');
  for (let round = 1; round <= rounds; round++) {
    await Promise.all(Array.from({ length: streams }, () => readStream(port, samplesOf())));
    const r = (await getJson(port, '/__overhead')) as Omit<LatencyRow, 'mode' | 'round'>;
    rows.push({ mode, round, samples: r.samples, p50Us: r.p50Us, p99Us: r.p99Us, maxUs: r.maxUs });
  }
  return rows;
}

interface TokenRow {
  corpus: string;
  counter: string;
  tokens: number;
  msPerMb: number;
  mbPerSecond: number;
  mbPer100ms: number;
}

/**
 * Best of `rounds` per counter and corpus, through the provider as a user calls it. Warm: the first call fills the
 * tokenizer's piece memo, so these rows are not the cold figure the target is judged on (bench/ai/tokenizers.ts).
 */
async function tokenCounting(): Promise<TokenRow[]> {
  const openai = createOpenAIProvider({ apiKey: 'bench' });
  await openai.countTokens({ model: 'gpt-4o', messages: [{ role: 'user', content: 'warm up' }] });
  await openai.countTokens({ model: 'gpt-4', messages: [{ role: 'user', content: 'warm up' }] });
  const out: TokenRow[] = [];
  for (const [corpus, text] of [
    ['synthetic', syntheticCorpus()],
    ['repo', repoCorpus()],
  ] as const) {
    const bytes = Buffer.byteLength(text);
    const messages = [{ role: 'user' as const, content: text }];
    for (const [counter, fn] of [
      [
        'x/ai/tokenizer o200k (OpenAIProvider.countTokens, warm)',
        () => openai.countTokens({ model: 'gpt-4o', messages }),
      ],
      [
        'x/ai/tokenizer cl100k (OpenAIProvider.countTokens, warm)',
        () => openai.countTokens({ model: 'gpt-4', messages }),
      ],
      ['estimateTokens (x/ai/session)', async () => estimateTokens(messages)],
    ] as const) {
      await fn();
      const times: number[] = [];
      let tokens = 0;
      for (let i = 0; i < rounds; i++) {
        const t0 = process.hrtime.bigint();
        tokens = await fn();
        times.push(Number(process.hrtime.bigint() - t0) / 1e6);
      }
      const best = Math.min(...times);
      const mib = bytes / (1024 * 1024);
      out.push({
        corpus,
        counter,
        tokens,
        msPerMb: Math.round((best / mib) * 10) / 10,
        mbPerSecond: Math.round((mib / best) * 1000 * 10) / 10,
        mbPer100ms: Math.round((bytes / 1e6) * (100 / best) * 100) / 100,
      });
    }
  }
  return out;
}

async function main(): Promise<void> {
  const load = loadavg();
  const list = (v: string) => v.split(',').filter(Boolean);
  const up = await start('upstream');
  const results: LatencyRow[] = [];
  for (const mode of list(args.modes)) {
    const s = await start(mode, { BENCH_UPSTREAM: `http://127.0.0.1:${up.port}` });
    results.push(...(await latency(mode, s.port)));
    s.child.kill();
  }
  const unaligned: LatencyRow[] = [];
  const randomUp = await start('upstream', { BENCH_PHASE: 'random' });
  for (const mode of list(args['unaligned-modes'])) {
    const s = await start(mode, { BENCH_UPSTREAM: `http://127.0.0.1:${randomUp.port}`, BENCH_PHASE: 'random' });
    unaligned.push(...(await latency(`${mode} (unaligned)`, s.port)));
    s.child.kill();
  }
  randomUp.child.kill();
  const overhead: LatencyRow[] = [];
  for (const mode of list(args['overhead-modes'])) {
    const s = await start(mode, { BENCH_UPSTREAM: `http://127.0.0.1:${up.port}`, BENCH_OVERHEAD: '1' });
    overhead.push(...(await inProcess(`${mode} (in-process overhead)`, s.port)));
    s.child.kill();
  }
  up.child.kill();
  const tokens = args['latency-only'] ? [] : await tokenCounting();
  const report = {
    at: new Date().toISOString(),
    node: process.version,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    loadavgBefore: load,
    loadavgAfter: loadavg(),
    streams,
    chunks,
    rounds,
    latency: results,
    unaligned,
    overhead,
    tokens,
  };
  const dir = join(here, 'results');
  const stamp = report.at.replace(/[:.]/g, '-');
  if (!args['no-write']) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `${stamp}.json`), `${JSON.stringify(report, null, 2)}\n`);
    writeFileSync(join(dir, 'latest.json'), `${JSON.stringify(report, null, 2)}\n`);
  }
  const diagHead = 'first event p50 µs | p99 µs from 4th event | p99 µs from 11th event';
  const diagRule = '---|---|---|';
  const diag = (r: LatencyRow) => `${r.firstP50Us ?? ''} | ${r.laterP99Us ?? ''} | ${r.lateP99Us ?? ''}`;
  const row = (r: LatencyRow) =>
    `| ${r.mode} | ${r.round} | ${r.samples} | ${r.p50Us} | ${r.p99Us} | ${r.maxUs} | ${diag(r)} |`;
  const md = [
    `# x/ai benchmarks — ${report.at}`,
    '',
    `Node ${report.node}, ${report.cpus} × ${report.cpuModel}, load average before ${load.map((l) => l.toFixed(2)).join(' ')}. ${streams} concurrent streams × ${chunks} chunks, ${rounds} rounds.`,
    '',
    'The last three columns are an added diagnostic over the same samples (bench/ai/README.md, "Where the provider tail',
    'comes from"): p50 of each stream\'s first text event, and p99 of its events from the 4th and from the 11th on.',
    '',
    `| mode | round | samples | p50 µs | p99 µs | max µs | ${diagHead} |`,
    `|---|---|---|---|---|---|${diagRule}`,
    ...results.map(row),
    '',
    ...(unaligned.length
      ? [
          'Added scenario — streams not phase-aligned (each stream starts its chunk timer at a random offset in the',
          'interval); same end-to-end measure (upstream write → client read):',
          '',
          `| mode | round | samples | p50 µs | p99 µs | max µs | ${diagHead} |`,
          `|---|---|---|---|---|---|${diagRule}`,
          ...unaligned.map(row),
          '',
        ]
      : []),
    ...(overhead.length
      ? [
          'Added instrument — measured inside the relay process (aligned streams): upstream body chunk reaching JS',
          '(IncomingMessage.push) → res.write of its SSE frame. Not end to end: excludes socket reads and writes, and',
          'the wait of a chunk read later in the same burst:',
          '',
          '| mode | round | samples | p50 µs | p99 µs | max µs |',
          '|---|---|---|---|---|---|',
          ...overhead.map((r) => `| ${r.mode} | ${r.round} | ${r.samples} | ${r.p50Us} | ${r.p99Us} | ${r.maxUs} |`),
          '',
        ]
      : []),
    '| corpus (1 MiB of chars) | token counter | tokens | ms per MiB | MiB/s | MB per 100 ms |',
    '|---|---|---|---|---|---|',
    ...tokens.map(
      (t) => `| ${t.corpus} | ${t.counter} | ${t.tokens} | ${t.msPerMb} | ${t.mbPerSecond} | ${t.mbPer100ms} |`,
    ),
    '',
  ].join('\n');
  if (!args['no-write']) writeFileSync(join(dir, 'latest.md'), md);
  console.log(md);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
