// CPU cost per request in instructions, independent of machine load: runs one server of run.mjs
// under `valgrind --tool=callgrind`, drives keep-alive requests from this process (not counted)
// over sockets that stay open, and dumps the counters after a warm-up and after each window of N
// requests: a window's count over N is the cost of one request, garbage collection included
// (start-up, JIT warm-up and connection set-up fall outside the windows). The median window is
// the steady-state figure; the mean also spreads the rare major GC.
// Usage: node --import tsx bench/http/callgrind.ts [--server plumego-bare] [--path /users/42] [-n 2000]
//        [--warmup 4000] [--connections 50] [--windows 6] [--header 'Origin: http://a.example']
// Servers: node-raw, plumego-bare, plumego-stack, plumego-full (see run.mjs), inproc-*.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { connectClients, drive, dumpInstructions, waitReady } from '../callgrind-http.ts';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const { values: args } = parseArgs({
  options: {
    server: { type: 'string', default: 'plumego-bare' },
    path: { type: 'string', default: '/users/42' },
    n: { type: 'string', short: 'n', default: '2000' },
    warmup: { type: 'string', default: '4000' },
    connections: { type: 'string', default: '50' },
    windows: { type: 'string', default: '6' },
    header: { type: 'string', multiple: true, default: [] },
    // Keeps the dumps in this folder and runs node with --perf-basic-prof, so JIT code addresses
    // in the dumps can be named from /tmp/perf-<pid>.map.
    keep: { type: 'string' },
  },
});
interface Server {
  readonly args: readonly string[];
  readonly env?: Record<string, string>;
  /** No sockets: the framework's own work per request (inproc-driver.ts), far quicker under valgrind. */
  readonly inproc?: true;
}
const TS = ['--conditions=source', '--import', 'tsx'];
const SERVERS: Record<string, Server> = {
  'node-raw': { args: [join(here, 'servers/node-raw.mjs')] },
  'plumego-bare': { args: [...TS, join(here, 'servers/plumego.ts')] },
  'plumego-stack': { args: [...TS, join(here, 'servers/plumego.ts')], env: { BENCH_STACK: 'canonical' } },
  'plumego-full': { args: [...TS, join(here, 'servers/plumego.ts')], env: { BENCH_STACK: 'full' } },
  'inproc-bare': { args: [...TS, join(here, 'inproc-driver.ts')], inproc: true },
  'inproc-stack': { args: [...TS, join(here, 'inproc-driver.ts')], inproc: true, env: { BENCH_STACK: 'canonical' } },
  'inproc-full': { args: [...TS, join(here, 'inproc-driver.ts')], inproc: true, env: { BENCH_STACK: 'full' } },
};
const server = SERVERS[args.server];
if (!server) throw new Error(`unknown server ${args.server}; one of ${Object.keys(SERVERS).join(', ')}`);
const N = Number(args.n);
const PORT = 39000 + Math.floor(Math.random() * 1000);
const out = args.keep ?? mkdtempSync(join(tmpdir(), 'plumego-cg-'));
mkdirSync(out, { recursive: true });

const child = spawn(
  'valgrind',
  [
    '--tool=callgrind',
    '--dump-instr=no',
    `--callgrind-out-file=${join(out, 'cg.out')}`,
    process.execPath,
    ...(args.keep ? ['--perf-basic-prof'] : []),
    ...server.args,
  ],
  {
    cwd: root,
    env: {
      ...process.env,
      ...server.env,
      PORT: String(PORT),
      NODE_ENV: 'production',
      BENCH_PATH: args.path,
      WARMUP: args.warmup,
    },
    stdio: [server.inproc ? 'pipe' : 'ignore', 'pipe', 'pipe'],
  },
);
await waitReady(child, /READY/, 900_000, args.server);

const request = Buffer.from(
  [`GET ${args.path} HTTP/1.1`, `Host: 127.0.0.1:${PORT}`, 'Connection: keep-alive', ...args.header].join('\r\n') +
    '\r\n\r\n',
);
const clients = server.inproc ? [] : await connectClients(PORT, Number(args.connections));

let doneLine = () => {};
if (server.inproc) child.stdout!.on('data', (d: Buffer) => String(d).includes('DONE') && doneLine());

/** One window: `total` requests over the sockets, or a `run` line to the in-process driver. */
function window(total: number, warmup = false): Promise<Record<string, number> | { inproc: unknown }> {
  if (!server!.inproc) return drive(clients, request, total);
  // The driver warmed up before READY; `run` lines are its windows.
  if (warmup) return Promise.resolve({ inproc: 'warmed up before READY' });
  return new Promise((resolve) => {
    doneLine = () => resolve({ inproc: total });
    child.stdin!.write(`run ${total}\n`);
  });
}

try {
  const warm = await window(Number(args.warmup), true);
  dumpInstructions(child, out);
  const windows: number[] = [];
  let statuses: unknown;
  for (let i = 0; i < Number(args.windows); i++) {
    statuses = await window(N);
    windows.push(dumpInstructions(child, out) / N);
  }
  const sorted = [...windows].sort((a, b) => a - b);
  const median = sorted[sorted.length >> 1]!;
  const mean = windows.reduce((s, x) => s + x, 0) / windows.length;
  console.error(`statuses per window: ${JSON.stringify(statuses)} (warm-up ${JSON.stringify(warm)})`);
  console.log(
    `${args.server} ${args.path}: windows ${windows.map((x) => Math.round(x)).join(' ')}; ` +
      `median ${Math.round(median)}, mean ${Math.round(mean)} instructions/request`,
  );
} finally {
  for (const c of clients) c.socket.destroy();
  child.kill('SIGKILL');
  if (args.keep) console.error(`dumps kept in ${out}; perf map /tmp/perf-${child.pid}.map`);
  else rmSync(out, { recursive: true, force: true });
}
