// CPU cost per relayed chunk, in instructions (valgrind callgrind), for each server mode of bench/ai/server.ts:
// the same processes as run.ts (fake upstream, server, client), only the server runs under callgrind, with
// instrumentation switched on after a warm-up so startup and JIT compilation are not counted. Instruction counts do
// not depend on the machine's load, so modes can be compared while other work runs; the latency bench cannot.
// Streams are few and spaced (--streams 10, --interval 200 ms) so the slowed-down server never falls behind and
// each upstream chunk still arrives in its own read, as it does in run.ts.
// Usage: node --conditions=source --import tsx bench/ai/cost.ts [--modes direct,relay,provider] [--chunks 40]
//   [--warmup 2] [--keep DIR]
// --warmup: unrecorded rounds before the measured one (default 2, as the recorded figures). run.ts relays 200 streams
// before its first recorded round, so `--warmup 20` (200 streams at the default 10 per round) matches its JIT state.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const here = dirname(fileURLToPath(import.meta.url));
const { values: args } = parseArgs({
  options: {
    modes: { type: 'string', default: 'direct,relay,provider' },
    streams: { type: 'string', default: '10' },
    chunks: { type: 'string', default: '40' },
    interval: { type: 'string', default: '200' },
    warmup: { type: 'string', default: '2' },
    // Keeps each mode's callgrind.out.<mode> here (for callgrind_annotate) instead of deleting it.
    keep: { type: 'string' },
  },
});
const streams = Number(args.streams);
const chunks = Number(args.chunks);

function start(
  mode: string,
  env: Record<string, string>,
  wrap: string[] = [],
): Promise<{ child: ChildProcess; port: number }> {
  const node = [process.execPath, '--conditions=source', '--import', 'tsx', join(here, 'server.ts')];
  const [cmd, ...argv] = [...wrap, ...node] as [string, ...string[]];
  const child = spawn(cmd, argv, {
    env: { ...process.env, BENCH_MODE: mode, BENCH_CHUNKS: String(chunks), BENCH_INTERVAL_MS: args.interval, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      const m = /ready (\d+)/.exec(d.toString());
      if (m) resolve({ child, port: Number(m[1]) });
    });
    child.once('exit', (code) => reject(new Error(`server ${mode} exited ${code}: ${err.slice(-2000)}`)));
  });
}

/** Runs `streams` concurrent streams to the end; returns the number of SSE text events received. */
async function drive(port: number): Promise<number> {
  let events = 0;
  await Promise.all(
    Array.from(
      { length: streams },
      () =>
        new Promise<void>((resolve, reject) => {
          const req = request({ host: '127.0.0.1', port, path: '/', agent: false }, (res) => {
            res.setEncoding('utf8');
            res.on('data', (chunk: string) => (events += chunk.split('event: text\n').length - 1));
            res.on('end', resolve);
          });
          req.on('error', reject);
          req.end();
        }),
    ),
  );
  return events;
}

async function measure(
  mode: string,
  upstream: string,
): Promise<{ mode: string; events: number; irPerChunk: number; mainThreadIrPerChunk: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'ai-cost-'));
  const out = join(dir, 'callgrind.out');
  const s = await start(mode, { BENCH_UPSTREAM: upstream }, [
    'valgrind',
    '--tool=callgrind',
    '--instr-atstart=no',
    // One file per thread: the event-loop thread (thread 1) is what every stream waits on; V8's compiler and
    // GC helper threads run beside it and vary from run to run.
    '--separate-threads=yes',
    `--callgrind-out-file=${out}`,
  ]);
  try {
    // Untimed rounds let V8 optimise the hot path, as it is in a long-running server.
    for (let i = 0; i < Number(args.warmup); i++) await drive(s.port);
    execFileSync('callgrind_control', ['-i', 'on', String(s.child.pid)], { stdio: 'ignore' });
    const events = await drive(s.port);
    execFileSync('callgrind_control', ['-i', 'off', String(s.child.pid)], { stdio: 'ignore' });
    const exited = new Promise((r) => s.child.once('exit', r));
    s.child.kill('SIGINT');
    await exited;
    let all = 0;
    let main = 0;
    for (const file of readdirSync(dir).filter((f) => f.startsWith('callgrind.out-'))) {
      const text = readFileSync(join(dir, file), 'utf8');
      const totals = /^totals: (\d+)/m.exec(text);
      if (!totals) throw new Error(`no callgrind totals for ${mode} in ${file}`);
      all += Number(totals[1]);
      if (/^thread: 1$/m.test(text)) main = Number(totals[1]);
      if (args.keep) copyFileSync(join(dir, file), join(args.keep, `${file}.${mode}`));
    }
    if (all === 0 || main === 0) throw new Error(`no callgrind output for ${mode}`);
    return {
      mode,
      events,
      irPerChunk: Math.round(all / events),
      mainThreadIrPerChunk: Math.round(main / events),
    };
  } finally {
    s.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const up = await start('upstream', {});
  try {
    const rows = [];
    for (const mode of args.modes.split(',')) {
      const row = await measure(mode, `http://127.0.0.1:${up.port}`);
      console.log(
        `${row.mode}: ${row.events} events, ${row.irPerChunk} instructions per relayed chunk (all threads), ` +
          `${row.mainThreadIrPerChunk} on the event-loop thread`,
      );
      rows.push(row);
    }
    console.log(JSON.stringify({ streams, chunks, intervalMs: Number(args.interval), rows }));
  } finally {
    up.child.kill();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
