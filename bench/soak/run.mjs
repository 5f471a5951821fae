// Soak: a reference service as its own process under mixed good and bad load for a while, its
// RSS sampled every second; the result file holds the samples and the least-squares slope.
// Not a test (not in npm test): run it by hand, under the bench lock, on a quiet machine.
// Usage: node bench/soak/run.mjs [--duration 60] [--service standard|production] [--connections 20]
// Writes bench/soak/results/<stamp>.json and latest.md.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '60' },
    service: { type: 'string', default: 'standard' },
    connections: { type: 'string', default: '20' },
    warmup: { type: 'string', default: '10' },
  },
});
const DURATION = Number(args.duration);
const WARMUP = Number(args.warmup);
const CONNECTIONS = Number(args.connections);
const WRITE_KEY = 'soak-write-key-0123456789';
const dataDir = mkdtempSync(join(tmpdir(), 'plumego-soak-'));

const SERVICES = {
  standard: {
    main: 'reference/standard-service/main.ts',
    env: { APP_ENV_FILE: '', APP_WRITE_KEY: WRITE_KEY, APP_MAX_BODY_BYTES: '4096', APP_LOG_LEVEL: 'warn' },
    good: [
      { method: 'GET', path: '/api/v1/items' },
      { method: 'GET', path: '/healthz' },
      // A write that reads and validates a JSON body without growing the store (the id is filled
      // in once the item exists; see prepare).
      {
        method: 'PUT',
        path: '/api/v1/items/{id}',
        headers: { 'content-type': 'application/json', 'x-write-key': WRITE_KEY },
        body: JSON.stringify({ name: 'soak item', price: 2 }),
      },
      { method: 'GET', path: '/api/v1/items/does-not-exist' },
    ],
    async prepare(base) {
      const res = await fetch(`${base}/api/v1/items`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-write-key': WRITE_KEY },
        body: JSON.stringify({ name: 'soak item', price: 1 }),
      });
      const id = (await res.json()).data.id;
      for (const g of this.good) g.path = g.path.replace('{id}', id);
    },
    post: '/api/v1/items',
  },
  production: {
    main: 'reference/production-service/main.ts',
    env: {
      APP_DATA_DIR: join(dataDir, 'prod'),
      APP_RATE_LIMIT_RPS: '1000000',
      APP_RATE_LIMIT_BURST: '1000000',
      APP_MAX_BODY_BYTES: '4096',
    },
    good: [
      { method: 'GET', path: '/api/v1/orders?limit=5' },
      { method: 'GET', path: '/healthz' },
      { method: 'GET', path: '/api/v1/orders/does-not-exist' },
    ],
    post: '/api/v1/auth/token',
  },
};
const svc = SERVICES[args.service];
if (!svc) throw new Error(`unknown service ${args.service}`);

/** A free loopback port (the service logs at warn level, so it cannot report its own). */
function freePort() {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

async function start() {
  const port = await freePort();
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', join(root, svc.main)], {
    cwd: root,
    env: { ...process.env, ...svc.env, APP_ADDR: `127.0.0.1:${port}`, NODE_ENV: 'production' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  let exited = false;
  child.once('exit', () => (exited = true));
  for (let i = 0; i < 200 && !exited; i++) {
    const up = await fetch(`http://127.0.0.1:${port}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (up) return { child, port };
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error('service did not start');
}

function rssKb(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : NaN;
}

// Bad traffic: malformed requests, over-limit bodies and clients that vanish mid-body.
const H = 'Host: soak\r\n';
const BAD = [
  'HELLO\r\n\r\n',
  `GET /%zz HTTP/1.1\r\n${H}Connection: close\r\n\r\n`,
  `GET /healthz HTTP/1.1\r\n${H}Host: other\r\n\r\n`,
  `POST ${svc.post} HTTP/1.1\r\n${H}Transfer-Encoding: xchunked\r\n\r\n`,
  `GET / HTTP/1.1\r\n${H}X-Big: ${'b'.repeat(20_000)}\r\n\r\n`,
  `POST ${svc.post} HTTP/1.1\r\n${H}Content-Type: application/json\r\nContent-Length: 9\r\nConnection: close\r\n\r\n{"a":tru`,
  `POST ${svc.post} HTTP/1.1\r\n${H}Content-Type: application/json\r\nContent-Length: 999999\r\nConnection: close\r\n\r\n`,
  `POST ${svc.post} HTTP/1.1\r\n${H}Content-Type: text/plain\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}`,
];
const counts = { bad: 0, disconnects: 0, badStatuses: {} };

function sendBad(port, i) {
  return new Promise((resolve) => {
    const vanish = i % 5 === 4;
    const s = connect(port, '127.0.0.1', () => {
      if (vanish) {
        // A client that goes away mid-body.
        s.write(`POST ${svc.post} HTTP/1.1\r\n${H}Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"a":`);
        setTimeout(() => s.destroy(), 5);
      } else s.end(BAD[i % BAD.length]);
    });
    let head = '';
    s.on('data', (d) => (head ||= d.toString('latin1', 0, 12)));
    s.on('error', () => undefined);
    s.on('close', () => {
      if (vanish) counts.disconnects++;
      else {
        counts.bad++;
        const status = head.slice(9, 12) || 'none';
        counts.badStatuses[status] = (counts.badStatuses[status] ?? 0) + 1;
      }
      resolve();
    });
  });
}

async function badLoop(port, until) {
  let i = 0;
  while (Date.now() < until) {
    await Promise.all(Array.from({ length: 4 }, () => sendBad(port, i++)));
  }
}

/** Least-squares slope of y over x. */
function slope(xs, ys) {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i] - mx) * (ys[i] - my);
    den += (xs[i] - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

const { child, port } = await start();
await svc.prepare?.(`http://127.0.0.1:${port}`);
const began = Date.now();
const until = began + DURATION * 1000;
const samples = [];
const sampler = setInterval(() => samples.push({ t: (Date.now() - began) / 1000, rssKb: rssKb(child.pid) }), 1000);
samples.push({ t: 0, rssKb: rssKb(child.pid) });

const good = new Promise((resolve, reject) => {
  autocannon(
    { url: `http://127.0.0.1:${port}`, connections: CONNECTIONS, duration: DURATION, requests: svc.good },
    (err, res) => (err ? reject(err) : resolve(res)),
  );
});
const [goodRes] = await Promise.all([good, badLoop(port, until)]);
clearInterval(sampler);
samples.push({ t: (Date.now() - began) / 1000, rssKb: rssKb(child.pid) });
const alive = child.exitCode === null;
const health = await fetch(`http://127.0.0.1:${port}/healthz`).then(
  (r) => r.status,
  () => 0,
);
child.kill('SIGTERM');
await new Promise((r) => child.once('exit', r));
rmSync(dataDir, { recursive: true, force: true });

const steady = samples.filter((s) => s.t >= WARMUP);
const slopeKbPerSec = slope(
  steady.map((s) => s.t),
  steady.map((s) => s.rssKb),
);
const result = {
  meta: {
    date: new Date().toISOString(),
    node: process.version,
    service: args.service,
    durationSec: DURATION,
    warmupSec: WARMUP,
    connections: CONNECTIONS,
    loadAverage: loadavg()
      .map((x) => x.toFixed(1))
      .join(' '),
  },
  good: {
    requests: goodRes.requests.total,
    reqPerSec: goodRes.requests.average,
    p99Ms: goodRes.latency.p99,
    non2xx: goodRes.non2xx,
    errors: goodRes.errors,
    statusCodes: goodRes.statusCodeStats,
  },
  bad: counts,
  alive,
  healthAfter: health,
  rss: {
    startKb: samples[0].rssKb,
    endKb: samples.at(-1).rssKb,
    maxKb: Math.max(...samples.map((s) => s.rssKb)),
    slopeKbPerSec,
    slopeMbPerHour: (slopeKbPerSec * 3600) / 1024,
    samples,
  },
};
const dir = join(here, 'results');
mkdirSync(dir, { recursive: true });
const stamp = result.meta.date.replace(/[:.]/g, '-');
writeFileSync(join(dir, `${stamp}.json`), JSON.stringify(result, null, 2) + '\n');
const md = `# Soak — ${result.meta.date}

${args.service}-service, Node ${result.meta.node}, ${DURATION} s (slope over t ≥ ${WARMUP} s), load average at the end ${result.meta.loadAverage}.

| | |
|---|---|
| good requests (autocannon -c ${CONNECTIONS}) | ${result.good.requests} (${Math.round(result.good.reqPerSec)} req/s, p99 ${result.good.p99Ms} ms, non-2xx ${result.good.non2xx}, errors ${result.good.errors}) |
| malformed / over-limit requests | ${counts.bad} (statuses ${JSON.stringify(counts.badStatuses)}) |
| clients vanishing mid-body | ${counts.disconnects} |
| alive afterwards / health | ${alive} / ${health} |
| RSS start → end (max) | ${(result.rss.startKb / 1024).toFixed(1)} → ${(result.rss.endKb / 1024).toFixed(1)} MB (${(result.rss.maxKb / 1024).toFixed(1)} MB) |
| RSS slope after warm-up | ${slopeKbPerSec.toFixed(1)} KB/s (${result.rss.slopeMbPerHour.toFixed(1)} MB/h) |

A slope near zero after warm-up means memory reached a plateau; a steady positive slope over a
longer run would point to a leak. One minute only bounds the slope coarsely: heap growth before the
first full GC looks like a slope too.
`;
writeFileSync(join(dir, 'latest.md'), md);
console.log(md);
