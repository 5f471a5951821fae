// CPU cost per request in instructions, independent of machine load: runs one server of run.mjs
// under `valgrind --tool=callgrind`, drives keep-alive requests from this process (not counted)
// over sockets that stay open, and dumps the counters after a warm-up and after each window of N
// requests: a window's count over N is the cost of one request, garbage collection included
// (start-up, JIT warm-up and connection set-up fall outside the windows). The median window is
// the steady-state figure; the mean also spreads the rare major GC.
// Usage: node bench/http/callgrind.mjs [--server plumego-bare] [--path /users/42] [-n 2000]
//        [--warmup 4000] [--connections 50] [--windows 6] [--header 'Origin: http://a.example']
// Servers: node-raw, plumego-bare, plumego-stack, plumego-full (see run.mjs).
import { spawn, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

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
    // in the dumps can be named from /tmp/perf-<pid>.map (see callgrind-annotate.mjs).
    keep: { type: 'string' },
  },
});
const TS = ['--conditions=source', '--import', 'tsx'];
const SERVERS = {
  'node-raw': { args: [join(here, 'servers/node-raw.mjs')] },
  'plumego-bare': { args: [...TS, join(here, 'servers/plumego.ts')] },
  'plumego-stack': { args: [...TS, join(here, 'servers/plumego.ts')], env: { BENCH_STACK: 'canonical' } },
  'plumego-full': { args: [...TS, join(here, 'servers/plumego.ts')], env: { BENCH_STACK: 'full' } },
  // No sockets: the framework's own work per request (inproc-driver.ts), far quicker under valgrind.
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
      ...(server.env ?? {}),
      PORT: String(PORT),
      NODE_ENV: 'production',
      BENCH_PATH: args.path,
      WARMUP: args.warmup,
    },
    stdio: [server.inproc ? 'pipe' : 'ignore', 'pipe', 'pipe'],
  },
);
let stderr = '';
child.stderr.on('data', (d) => (stderr += d));
await new Promise((resolve, reject) => {
  const timer = setTimeout(() => reject(new Error(`server did not start:\n${stderr}`)), 900_000);
  child.stdout.on('data', (d) => {
    if (String(d).includes('READY')) {
      clearTimeout(timer);
      resolve();
    }
  });
  child.on('exit', (code) => reject(new Error(`server exited with ${code}:\n${stderr}`)));
});

const request = Buffer.from(
  [`GET ${args.path} HTTP/1.1`, `Host: 127.0.0.1:${PORT}`, 'Connection: keep-alive', ...args.header].join('\r\n') +
    '\r\n\r\n',
);

/** Keep-alive sockets, one request in flight on each; they stay open across windows. */
class Client {
  constructor(socket) {
    this.socket = socket;
    this.buf = Buffer.alloc(0);
    this.onResponse = undefined;
    socket.on('data', (d) => {
      this.buf = this.buf.length === 0 ? d : Buffer.concat([this.buf, d]);
      for (;;) {
        const end = this.buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = this.buf.subarray(0, end).toString('latin1');
        const m = /\r\ncontent-length: *(\d+)/i.exec(head);
        let len;
        if (m) len = end + 4 + Number(m[1]);
        else if (/\r\ntransfer-encoding: *chunked/i.test(head)) {
          // The servers answer in one chunk; the body ends at the zero-length chunk.
          const last = this.buf.indexOf('\r\n0\r\n\r\n', end + 2);
          if (last < 0) return;
          len = last + 7;
        } else throw new Error(`response without framing:\n${head}`);
        if (this.buf.length < len) return;
        this.buf = this.buf.subarray(len);
        this.onResponse(head.slice(9, 12));
      }
    });
  }
}
const clients = server.inproc
  ? []
  : await Promise.all(
      Array.from(
        { length: Number(args.connections) },
        () =>
          new Promise((resolve, reject) => {
            const socket = connect(PORT, '127.0.0.1', () => resolve(new Client(socket)));
            socket.once('error', reject);
          }),
      ),
    );

let doneLine = () => {};
if (server.inproc) child.stdout.on('data', (d) => String(d).includes('DONE') && doneLine());

/** Sends `total` requests spread over the open sockets; resolves with the count per status. */
function drive(total, warmup = false) {
  if (server.inproc) {
    // The driver warmed up before READY; `run` lines are its windows.
    if (warmup) return Promise.resolve({ inproc: 'warmed up before READY' });
    return new Promise((resolve) => {
      doneLine = () => resolve({ inproc: total });
      child.stdin.write(`run ${total}\n`);
    });
  }
  let sent = 0;
  let done = 0;
  const statuses = new Map();
  return new Promise((resolve) => {
    for (const c of clients) {
      c.onResponse = (status) => {
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        if (++done === total) resolve(Object.fromEntries(statuses));
        else if (sent < total) {
          sent++;
          c.socket.write(request);
        }
      };
      if (sent < total) {
        sent++;
        c.socket.write(request);
      }
    }
  });
}

const dumps = () => readdirSync(out).filter((f) => f.startsWith('cg.out.')).length;
function dump() {
  const before = dumps();
  execFileSync('callgrind_control', ['-d', String(child.pid)], { stdio: 'ignore' });
  const file = readdirSync(out)
    .filter((f) => f.startsWith('cg.out.'))
    .sort((a, b) => Number(a.split('.').pop()) - Number(b.split('.').pop()))
    .at(-1);
  if (dumps() === before) throw new Error('callgrind wrote no dump');
  const text = readFileSync(join(out, file), 'utf8');
  const m = /^(?:summary|totals): (\d+)/m.exec(text);
  if (!m) throw new Error(`no totals in ${file}`);
  return Number(m[1]);
}

try {
  const warm = await drive(Number(args.warmup), true);
  dump();
  const windows = [];
  let statuses;
  for (let i = 0; i < Number(args.windows); i++) {
    statuses = await drive(N);
    windows.push(dump() / N);
  }
  const sorted = [...windows].sort((a, b) => a - b);
  const median = sorted[sorted.length >> 1];
  const mean = windows.reduce((s, x) => s + x, 0) / windows.length;
  console.error(`statuses per window: ${JSON.stringify(statuses)} (warm-up ${JSON.stringify(warm)})`);
  console.log(
    `${args.server} ${args.path}: windows ${windows.map((x) => Math.round(x)).join(' ')}; ` +
      `median ${Math.round(median)}, mean ${Math.round(mean)} instructions/request`,
  );
} finally {
  child.kill('SIGKILL');
  if (args.keep) console.error(`dumps kept in ${out}; perf map /tmp/perf-${child.pid}.map`);
  else rmSync(out, { recursive: true, force: true });
}
