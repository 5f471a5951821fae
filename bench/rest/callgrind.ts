// Server CPU per request in instructions, whatever the load on the machine: each case's server
// (server.ts) runs under `valgrind --tool=callgrind`, this process drives keep-alive requests (not
// counted), and the counters are dumped after a warm-up and then after every window of N requests;
// each window over N is the cost of one request, start-up and warm-up excluded. Needs PostgreSQL, like
// run.ts. Kernel time (socket syscalls) and the database's own work are not counted.
// Usage: node --conditions=source --import tsx bench/rest/callgrind.ts [--cases raw,rest] [-n 1000]
//        [--warmup 3000] [--connections 10] [--windows 4]
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ALL_CASES, type BenchCase } from './cases.ts';
import { BENCH_PG_URL, BENCH_SCHEMA, seed } from './seed.ts';

const here = dirname(fileURLToPath(import.meta.url));
const { values: args } = parseArgs({
  options: {
    cases: { type: 'string', default: 'raw,rest' },
    n: { type: 'string', short: 'n', default: '1000' },
    warmup: { type: 'string', default: '3000' },
    connections: { type: 'string', default: '10' },
    windows: { type: 'string', default: '4' },
  },
});
const N = Number(args.n);
const cases = args.cases.split(',').map((id) => {
  const c = ALL_CASES.find((x) => x.id === id);
  if (!c) throw new Error(`unknown case ${id}; one of ${ALL_CASES.map((x) => x.id).join(', ')}`);
  return c;
});

/** Keep-alive socket with one request in flight; responses are framed by content-length. */
class Client {
  buf: Buffer = Buffer.alloc(0);
  onResponse: (status: string) => void = () => {};
  constructor(readonly socket: Socket) {
    socket.on('data', (d: Buffer) => {
      this.buf = this.buf.length === 0 ? d : Buffer.concat([this.buf, d]);
      for (;;) {
        const end = this.buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = this.buf.subarray(0, end).toString('latin1');
        const m = /\r\ncontent-length: *(\d+)/i.exec(head);
        if (!m) throw new Error(`response without content-length:\n${head}`);
        const len = end + 4 + Number(m[1]);
        if (this.buf.length < len) return;
        this.buf = this.buf.subarray(len);
        this.onResponse(head.slice(9, 12));
      }
    });
  }
}

function drive(clients: readonly Client[], request: Buffer, total: number): Promise<Record<string, number>> {
  let sent = 0;
  let done = 0;
  const statuses = new Map<string, number>();
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

/** Dumps the counters (which zeroes them) and returns the instructions since the previous dump. */
function dump(child: ChildProcess, dir: string): number {
  const count = (): string[] => readdirSync(dir).filter((f) => f.startsWith('cg.out.'));
  const before = count().length;
  execFileSync('callgrind_control', ['-d', String(child.pid)], { stdio: 'ignore' });
  const files = count();
  if (files.length === before) throw new Error('callgrind wrote no dump');
  const last = files.sort((a, b) => Number(a.split('.').pop()) - Number(b.split('.').pop())).at(-1)!;
  const m = /^(?:summary|totals): (\d+)/m.exec(readFileSync(join(dir, last), 'utf8'));
  if (!m) throw new Error(`no totals in ${last}`);
  return Number(m[1]);
}

async function measure(c: BenchCase): Promise<number[]> {
  const dir = mkdtempSync(join(tmpdir(), 'plumego-rest-cg-'));
  const port = 40000 + Math.floor(Math.random() * 1000);
  const child = spawn(
    'valgrind',
    [
      '--tool=callgrind',
      '--dump-instr=no',
      `--callgrind-out-file=${join(dir, 'cg.out')}`,
      process.execPath,
      '--conditions=source',
      '--import',
      'tsx',
      join(here, 'server.ts'),
    ],
    {
      env: {
        ...process.env,
        BENCH_MODE: c.mode,
        BENCH_PORT: String(port),
        BENCH_PG_URL,
        BENCH_SCHEMA,
        NODE_ENV: 'production',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  try {
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`server ${c.mode} did not start:\n${stderr}`)), 600_000);
      child.stdout!.on('data', (d: Buffer) => {
        if (/ready \d+/.test(d.toString())) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code) => reject(new Error(`server ${c.mode} exited with ${code}:\n${stderr}`)));
    });
    const request = Buffer.from(
      `GET ${c.path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: keep-alive\r\nX-Tenant-Id: t1\r\n\r\n`,
    );
    const clients = await Promise.all(
      Array.from(
        { length: Number(args.connections) },
        () =>
          new Promise<Client>((resolve, reject) => {
            const socket = connect(port, '127.0.0.1', () => resolve(new Client(socket)));
            socket.once('error', reject);
          }),
      ),
    );
    const warm = await drive(clients, request, Number(args.warmup));
    if (Object.keys(warm).some((s) => s !== '200'))
      throw new Error(`${c.id}: warm-up answered ${JSON.stringify(warm)}`);
    dump(child, dir);
    const windows: number[] = [];
    for (let i = 0; i < Number(args.windows); i++) {
      const statuses = await drive(clients, request, N);
      if (statuses['200'] !== N) throw new Error(`${c.id}: window answered ${JSON.stringify(statuses)}`);
      windows.push(dump(child, dir) / N);
    }
    for (const cl of clients) cl.socket.destroy();
    return windows;
  } finally {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

const startLoad = loadavg();
await seed();
const medians = new Map<string, number>();
for (const c of cases) {
  const windows = await measure(c);
  const median = [...windows].sort((a, b) => a - b)[windows.length >> 1]!;
  medians.set(c.id, median);
  process.stdout.write(
    `${c.id.padEnd(12)} ${(median / 1000).toFixed(1)} k instructions/request (median; windows ${windows.map((w) => (w / 1000).toFixed(1)).join(' ')})${
      medians.has('raw') && c.id !== 'raw' ? `  ${(median / medians.get('raw')!).toFixed(3)}x raw` : ''
    }  ${c.label}\n`,
  );
}
process.stdout.write(
  `load average ${startLoad.map((l) => l.toFixed(2)).join(' ')} at the start, ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')} at the end (instruction counts do not depend on it)\n`,
);
