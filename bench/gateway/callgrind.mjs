// CPU cost per proxied request in instructions (valgrind callgrind), which unlike wall-clock and
// /proc CPU time does not move with the machine's load. Each proxy runs under callgrind in front of
// the same native upstream; after a warm-up (JIT settled) the counters are zeroed, a fixed number of
// requests is sent, and the dump's instruction count is divided by that number.
// Valgrind runs one thread at a time, so TurboFan jobs queued during the warm-up can starve and run
// inside the measured window (native runs finish them long before): an idle `--settle` pause lets them
// drain first. Threads are counted apart: "main" is the event loop (JS, scavenges), "all" adds V8's
// workers (concurrent marking, sweeping, any compile work that still leaked into the window).
// Usage: node bench/gateway/callgrind.mjs [--requests 2000] [--warmup 5000] [--settle 20] [--sync-jit] [--continuous] [--only plumego,http-proxy]
import { spawn, execFileSync } from 'node:child_process';
import { createServer as createNetServer } from 'node:net';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const { values: args } = parseArgs({
  options: {
    requests: { type: 'string', default: '2000' },
    warmup: { type: 'string', default: '5000' },
    connections: { type: 'string', default: '10' },
    settle: { type: 'string', default: '20' },
    only: { type: 'string', default: '' },
    // TurboFan compiles on the main thread during the warm-up instead of in a worker that valgrind may
    // starve past the settle pause; steady-state code is the same, only when it gets built moves.
    'sync-jit': { type: 'boolean', default: false },
    // One autocannon run over the same connections: counters zeroed when the warm-up's last answer
    // arrives and dumped after `--requests` more, so no fresh connections (cold per-connection code,
    // late TurboFan jobs) start inside the window. The 2 000-request window after a new autocannon run
    // otherwise held ~15 late TurboFan compiles (~75 k instructions per request).
    continuous: { type: 'boolean', default: false },
    // Extra V8 flags for every target (e.g. '--no-flush-bytecode'), space-separated.
    'v8-flags': { type: 'string', default: '' },
  },
});
const NODE_FLAGS = [
  ...(args['sync-jit'] ? ['--no-concurrent-recompilation'] : []),
  ...args['v8-flags'].split(' ').filter(Boolean),
];
const TS = ['--conditions=source', '--import', 'tsx'];
const TARGETS = [
  { id: 'plumego', args: [...TS, join(here, 'servers/plumego.ts')] },
  { id: 'fastify-http-proxy', args: [join(here, 'servers/fastify-http-proxy.mjs')] },
  { id: 'http-proxy', args: [join(here, 'servers/http-proxy.mjs')] },
].filter((t) => !args.only || args.only.split(',').includes(t.id));

function getFreePort() {
  return new Promise((resolve) => {
    const s = createNetServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function start(command, argv, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, argv, {
      cwd: root,
      env: { ...process.env, ...env, NODE_ENV: 'production' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    const timer = setTimeout(() => reject(new Error(`${argv.at(-1)} did not start\n${err}`)), 900_000);
    child.stdout.on('data', (d) => {
      if (String(d).includes('READY')) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.on('exit', (code) => reject(new Error(`${argv.at(-1)} exited with ${code}\n${err}`)));
  });
}

function send(url, amount) {
  return new Promise((resolve, reject) =>
    autocannon({ url, connections: Number(args.connections), amount, timeout: 60 }, (e, r) =>
      e ? reject(e) : resolve(r),
    ),
  );
}

/**
 * Main-thread instructions spent in V8's optimizing compiler (inclusive): non-zero means the JIT had not
 * settled when the window opened, and the count is not steady-state work; warm up longer.
 */
function getCompileInstructions(file) {
  const out = execFileSync('callgrind_annotate', ['--inclusive=yes', '--threshold=100', file], {
    encoding: 'utf8',
    maxBuffer: 256 * 2 ** 20,
  });
  const m = /^\s*([\d,]+) \([^)]*\)\s+\S*Compiler::CompileOptimized\(/m.exec(out);
  return m ? Number(m[1].replaceAll(',', '')) : 0;
}

/**
 * Warm-up and window in one autocannon run. callgrind_control runs synchronously, so no answer is
 * read while it works; answers to requests already in flight at the zero (≤ connections) are counted
 * while part of their work was not, and the same at the dump, so the error is at most a few tenths of
 * a percent and the same for every target.
 */
function sendContinuous(url, pid) {
  const warmup = Number(args.warmup);
  const requests = Number(args.requests);
  let seen = 0;
  let counted = 0;
  let errors = 0;
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url,
        connections: Number(args.connections),
        amount: warmup + requests + 10 * Number(args.connections),
        timeout: 60,
      },
      (e) => (e ? reject(e) : resolve({ '2xx': counted, errors, non2xx: 0 })),
    );
    instance.on('response', (_client, status) => {
      seen++;
      if (seen > warmup && seen <= warmup + requests) {
        if (status === 200) counted++;
        else errors++;
      }
      if (seen === warmup) execFileSync('callgrind_control', ['--zero', String(pid)]);
      if (seen === warmup + requests) {
        execFileSync('callgrind_control', ['--dump', String(pid)]);
        instance.stop();
      }
    });
  });
}

const upPort = await getFreePort();
const upstream = await start(process.execPath, [join(here, 'servers/upstream.mjs')], { PORT: String(upPort) });
const results = {};
try {
  for (const t of TARGETS) {
    const dir = mkdtempSync(join(tmpdir(), 'gw-callgrind-'));
    const port = await getFreePort();
    const child = await start(
      'valgrind',
      [
        '--tool=callgrind',
        '--smc-check=all-non-file',
        '--separate-threads=yes',
        `--callgrind-out-file=${join(dir, 'cg.out.%p')}`,
        process.execPath,
        ...NODE_FLAGS,
        ...t.args,
      ],
      { PORT: String(port), UPSTREAM: `http://127.0.0.1:${upPort}` },
    );
    try {
      const url = `http://127.0.0.1:${port}/json`;
      let res;
      if (args.continuous) res = await sendContinuous(url, child.pid);
      else {
        await send(url, Number(args.warmup));
        await new Promise((resolve) => setTimeout(resolve, Number(args.settle) * 1000));
        execFileSync('callgrind_control', ['--zero', String(child.pid)]);
        res = await send(url, Number(args.requests));
        execFileSync('callgrind_control', ['--dump', String(child.pid)]);
      }
      // With --separate-threads the dump files end in `.<part>-<thread>`; thread 01 is the main thread.
      const dumps = readdirSync(dir).filter((f) => /\.\d+-\d+$/.test(f));
      let all = 0;
      let main = 0;
      let compile = 0;
      for (const f of dumps) {
        const m = /^summary: (\d+)/m.exec(readFileSync(join(dir, f), 'utf8'));
        if (!m) continue;
        all += Number(m[1]);
        if (f.endsWith('-01')) {
          main += Number(m[1]);
          compile += getCompileInstructions(join(dir, f));
        }
      }
      const ok = res['2xx'];
      results[t.id] = {
        mainInstructionsPerRequest: Math.round(main / ok),
        mainCompileInstructionsPerRequest: Math.round(compile / ok),
        allInstructionsPerRequest: Math.round(all / ok),
        requests: ok,
        errors: res.errors + res.non2xx,
      };
      console.log(
        `${t.id.padEnd(20)} main ${(main / ok / 1000).toFixed(1)} k (of which TurboFan on the main thread ${(compile / ok / 1000).toFixed(1)} k), all threads ${(all / ok / 1000).toFixed(1)} k instructions/request (${ok} ok, ${res.errors + res.non2xx} errors; ${dir})`,
      );
    } finally {
      child.kill('SIGKILL');
    }
  }
} finally {
  upstream.kill('SIGKILL');
}
console.log(JSON.stringify(results));
