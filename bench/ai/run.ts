// x/ai benchmarks: (1) streaming relay latency — upstream chunk written → SSE event parsed by the client, at N
// concurrent streams, for a baseline server (direct res.write), relayStream alone, and the full path
// (Anthropic SDK parsing a fake upstream + relayStream); (2) token counting throughput.
// Timestamps are process.hrtime (CLOCK_MONOTONIC, shared by all processes on the machine).
// Usage: node --conditions=source --import tsx bench/ai/run.ts [--streams 200] [--rounds 3] [--chunks 50]
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

const here = dirname(fileURLToPath(import.meta.url));
const { values: args } = parseArgs({ options: { streams: { type: 'string', default: '200' }, rounds: { type: 'string', default: '3' }, chunks: { type: 'string', default: '50' } } });
const streams = Number(args.streams);
const rounds = Number(args.rounds);
const chunks = Number(args.chunks);

function start(mode: string, env: Record<string, string> = {}): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', join(here, 'server.ts')], {
    env: { ...process.env, BENCH_MODE: mode, BENCH_CHUNKS: String(chunks), ...env }, stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      const m = /ready (\d+)/.exec(d.toString());
      if (m) resolve({ child, port: Number(m[1]) });
    });
    child.once('exit', (code) => reject(new Error(`server ${mode} exited ${code}`)));
  });
}

/** Opens one SSE stream and records, per text event, now − the timestamp the upstream put in it (µs). */
function readStream(port: number, out: number[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/', agent: false }, (res) => {
      res.setEncoding('utf8');
      let buf = '';
      res.on('data', (chunk: string) => {
        const at = process.hrtime.bigint();
        buf += chunk;
        let cut: number;
        while ((cut = buf.indexOf('\n\n')) >= 0) {
          const frame = buf.slice(0, cut);
          buf = buf.slice(cut + 2);
          const m = /^event: text\ndata: (.*)$/m.exec(frame);
          if (m) out.push(Number(at - BigInt((JSON.parse(m[1]!) as { text: string }).text)) / 1000);
        }
      });
      res.on('end', resolve);
    });
    req.on('error', reject);
    req.end();
  });
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

interface LatencyRow { mode: string; round: number; samples: number; p50Us: number; p99Us: number; maxUs: number }

async function latency(mode: string, port: number): Promise<LatencyRow[]> {
  const rows: LatencyRow[] = [];
  for (let round = 1; round <= rounds; round++) {
    const samples: number[] = [];
    await Promise.all(Array.from({ length: streams }, () => readStream(port, samples)));
    samples.sort((a, b) => a - b);
    rows.push({ mode, round, samples: samples.length, p50Us: Math.round(pct(samples, 50)), p99Us: Math.round(pct(samples, 99)), maxUs: Math.round(samples.at(-1)!) });
  }
  return rows;
}

async function tokenCounting(): Promise<{ counter: string; mbPerSecond: number; msPerMb: number; tokens: number }[]> {
  const words = ['the', 'quick', 'brown', 'fox', 'jumps', 'over', 'lazy', 'dog', 'Plumego', 'streams', 'tokens,', 'über', '42', 'naïve', 'JSON.', '\n'];
  let text = '';
  for (let i = 0; text.length < 1024 * 1024; i++) text += `${words[(i * 7) % words.length]} `;
  text = text.slice(0, 1024 * 1024);
  const mb = Buffer.byteLength(text) / (1024 * 1024);
  const openai = createOpenAIProvider({ apiKey: 'bench' });
  const messages = [{ role: 'user' as const, content: text }];
  await openai.countTokens({ model: 'gpt-4o', messages: [{ role: 'user', content: 'warm up' }] });
  const out = [];
  for (const [counter, fn] of [
    ['tiktoken o200k (OpenAIProvider.countTokens)', () => openai.countTokens({ model: 'gpt-4o', messages })],
    ['tiktoken cl100k (OpenAIProvider.countTokens)', () => openai.countTokens({ model: 'gpt-4', messages })],
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
    out.push({ counter, tokens, msPerMb: Math.round((best / mb) * 10) / 10, mbPerSecond: Math.round((mb / best) * 1000 * 10) / 10 });
  }
  return out;
}

async function main(): Promise<void> {
  const load = loadavg();
  const up = await start('upstream');
  const results: LatencyRow[] = [];
  for (const mode of ['direct', 'relay', 'provider']) {
    const s = await start(mode, { BENCH_UPSTREAM: `http://127.0.0.1:${up.port}` });
    results.push(...(await latency(mode, s.port)));
    s.child.kill();
  }
  up.child.kill();
  const tokens = await tokenCounting();
  const report = { at: new Date().toISOString(), node: process.version, cpus: cpus().length, cpuModel: cpus()[0]?.model, loadavgBefore: load, loadavgAfter: loadavg(), streams, chunks, rounds, latency: results, tokens };
  const dir = join(here, 'results');
  mkdirSync(dir, { recursive: true });
  const stamp = report.at.replace(/[:.]/g, '-');
  writeFileSync(join(dir, `${stamp}.json`), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(join(dir, 'latest.json'), `${JSON.stringify(report, null, 2)}\n`);
  const md = [
    `# x/ai benchmarks — ${report.at}`,
    '',
    `Node ${report.node}, ${report.cpus} × ${report.cpuModel}, load average before ${load.map((l) => l.toFixed(2)).join(' ')}. ${streams} concurrent streams × ${chunks} chunks, ${rounds} rounds.`,
    '',
    '| mode | round | samples | p50 µs | p99 µs | max µs |',
    '|---|---|---|---|---|---|',
    ...results.map((r) => `| ${r.mode} | ${r.round} | ${r.samples} | ${r.p50Us} | ${r.p99Us} | ${r.maxUs} |`),
    '',
    '| token counter (1 MiB) | tokens | ms per MiB | MiB/s |',
    '|---|---|---|---|',
    ...tokens.map((t) => `| ${t.counter} | ${t.tokens} | ${t.msPerMb} | ${t.mbPerSecond} |`),
    '',
  ].join('\n');
  writeFileSync(join(dir, 'latest.md'), md);
  console.log(md);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
