// Server CPU per request in instructions, whatever the load on the machine: each case's server
// (server.ts) runs under `valgrind --tool=callgrind`, this process drives keep-alive requests (not
// counted), and the counters are dumped after a warm-up and then after every window of N requests;
// each window over N is the cost of one request, start-up and warm-up excluded. Needs PostgreSQL, like
// run.ts. Kernel time (socket syscalls) and the database's own work are not counted.
// Usage: node --conditions=source --import tsx bench/rest/callgrind.ts [--cases raw,rest] [-n 1000]
//        [--warmup 3000] [--connections 10] [--windows 4]
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { connectClients, drive, dumpInstructions, waitReady } from '../callgrind-http.ts';
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
    await waitReady(child, /ready \d+/, 600_000, `server ${c.mode}`);
    const request = Buffer.from(
      `GET ${c.path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: keep-alive\r\nX-Tenant-Id: t1\r\n\r\n`,
    );
    const clients = await connectClients(port, Number(args.connections));
    const warm = await drive(clients, request, Number(args.warmup));
    if (Object.keys(warm).some((s) => s !== '200'))
      throw new Error(`${c.id}: warm-up answered ${JSON.stringify(warm)}`);
    dumpInstructions(child, dir);
    const windows: number[] = [];
    for (let i = 0; i < Number(args.windows); i++) {
      const statuses = await drive(clients, request, N);
      if (statuses['200'] !== N) throw new Error(`${c.id}: window answered ${JSON.stringify(statuses)}`);
      windows.push(dumpInstructions(child, dir) / N);
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
