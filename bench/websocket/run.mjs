// WebSocket benchmark: plumego x/websocket (app + endpoint + hub) against a bare `ws` server.
// Usage: node bench/websocket/run.mjs [--rounds 2] [--duration 3] [--echo-clients 50] [--connections 10000]
// Cases per server (each in a fresh server process, forked with IPC; this process is the load generator):
//   echo       — echo-clients sockets each doing send→await echo for `duration` s: round trips/s and
//                server CPU µs per round trip (utime+stime from /proc)
//   memory     — server RSS and heap after GC with `connections` idle sockets, minus the empty server
//   broadcast  — `bursts` × `burstSize` 64-byte broadcasts to all idle sockets: deliveries/s until every
//                socket got every message
// Writes bench/websocket/results/<stamp>.json, latest.json and latest.md.
import { fork } from 'node:child_process';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { WebSocket } from 'ws';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '2' },
    duration: { type: 'string', default: '3' },
    'echo-clients': { type: 'string', default: '50' },
    connections: { type: 'string', default: '10000' },
    bursts: { type: 'string', default: '5' },
    'burst-size': { type: 'string', default: '10' },
  },
});
const ROUNDS = Number(args.rounds);
const DURATION = Number(args.duration);
const ECHO_CLIENTS = Number(args['echo-clients']);
const CONNECTIONS = Number(args.connections);
const BURSTS = Number(args.bursts);
const BURST_SIZE = Number(args['burst-size']);
const CLK_TCK = 100;
const SERVERS = [
  { id: 'ws', label: 'ws 8 (bare WebSocketServer)' },
  { id: 'plumego', label: 'plumego x/websocket (app + endpoint + hub)' },
];

function cpuTicks(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(f[11]) + Number(f[12]);
}

function startServer(id) {
  const child = fork(join(here, 'server.ts'), [], {
    cwd: root,
    execArgv: ['--expose-gc', '--conditions=source', '--import', 'tsx'],
    env: { ...process.env, BENCH_WS: id, NODE_ENV: 'production' },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const ask = (msg) =>
    new Promise((resolve) => {
      child.once('message', resolve);
      child.send(msg);
    });
  return new Promise((resolve, reject) => {
    child.once('message', (m) => (m.ready ? resolve({ child, port: m.port, ask }) : reject(new Error('bad hello'))));
    child.once('exit', (code) => reject(new Error(`server ${id} exited ${code}`)));
  });
}

function open(port, onMessage) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, {
      headers: { authorization: 'Bearer bench' },
      perMessageDeflate: false,
    });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
    if (onMessage) ws.on('message', onMessage);
  });
}

async function openMany(port, n, onMessage) {
  const out = [];
  for (let i = 0; i < n; i += 250) {
    const batch = [];
    for (let j = i; j < Math.min(n, i + 250); j++) batch.push(open(port, onMessage));
    out.push(...(await Promise.all(batch)));
  }
  return out;
}

async function closeAll(sockets) {
  await Promise.all(
    sockets.map(
      (ws) =>
        new Promise((r) => {
          if (ws.readyState === WebSocket.CLOSED) return r();
          ws.once('close', r);
          ws.terminate();
        }),
    ),
  );
}

async function echoCase(srv) {
  const payload = Buffer.alloc(32, 'e');
  let trips = 0;
  let running = true;
  const clients = await openMany(srv.port, ECHO_CLIENTS);
  // Warm-up second, then the measured window.
  const loop = (ws) =>
    new Promise((resolve) => {
      ws.on('message', () => {
        trips++;
        if (running) ws.send(payload, { binary: false });
        else resolve();
      });
      ws.send(payload, { binary: false });
    });
  const loops = clients.map(loop);
  await new Promise((r) => setTimeout(r, 1000));
  const t0 = performance.now();
  const c0 = cpuTicks(srv.child.pid);
  const n0 = trips;
  await new Promise((r) => setTimeout(r, DURATION * 1000));
  const n1 = trips;
  const c1 = cpuTicks(srv.child.pid);
  const t1 = performance.now();
  running = false;
  await Promise.all(loops);
  await closeAll(clients);
  const rt = n1 - n0;
  return {
    roundTripsPerSec: Math.round(rt / ((t1 - t0) / 1000)),
    serverCpuUsPerRoundTrip: Number(((((c1 - c0) / CLK_TCK) * 1e6) / rt).toFixed(2)),
  };
}

async function broadcastCase(srv) {
  const base = await srv.ask({ cmd: 'mem' });
  let received = 0;
  const t0 = performance.now();
  const sockets = await openMany(srv.port, CONNECTIONS, () => received++);
  const connectMs = performance.now() - t0;
  while ((await srv.ask({ cmd: 'count' })).connections < CONNECTIONS) await new Promise((r) => setTimeout(r, 20));
  const loaded = await srv.ask({ cmd: 'mem' });
  const perConn = (k) => Math.round((loaded[k] - base[k]) / CONNECTIONS);
  const memory = {
    rssBytesPerConnection: perConn('rss'),
    heapBytesPerConnection: perConn('heapUsed'),
    externalBytesPerConnection: perConn('external'),
  };
  const rates = [];
  const sendMs = [];
  for (let b = 0; b < BURSTS; b++) {
    received = 0;
    const expected = CONNECTIONS * BURST_SIZE;
    const start = performance.now();
    const reply = await srv.ask({ cmd: 'broadcast', count: BURST_SIZE, size: 64 });
    sendMs.push(reply.sendMs);
    while (received < expected) await new Promise((r) => setImmediate(r));
    rates.push(expected / ((performance.now() - start) / 1000));
  }
  rates.sort((a, b) => a - b);
  sendMs.sort((a, b) => a - b);
  await closeAll(sockets);
  return {
    connectSeconds: Number((connectMs / 1000).toFixed(2)),
    memory,
    deliveriesPerSec: Math.round(rates[Math.floor(rates.length / 2)]),
    broadcastsPerSec: Math.round(rates[Math.floor(rates.length / 2)] / CONNECTIONS),
    serverSendMsPerBroadcast: Number((sendMs[Math.floor(sendMs.length / 2)] / BURST_SIZE).toFixed(2)),
  };
}

const runs = [];
for (let round = 0; round < ROUNDS; round++) {
  const order = round % 2 === 0 ? SERVERS : [...SERVERS].reverse();
  for (const s of order) {
    const srv = await startServer(s.id);
    const load = loadavg()[0];
    const echo = await echoCase(srv);
    const broadcast = await broadcastCase(srv);
    srv.child.kill();
    runs.push({ round, server: s.id, loadAverage: Number(load.toFixed(2)), echo, broadcast });
    console.log(JSON.stringify(runs.at(-1)));
  }
}

const best = (id, pick, higher = true) => {
  const v = runs.filter((r) => r.server === id).map(pick);
  return higher ? Math.max(...v) : Math.min(...v);
};
const summary = {};
for (const s of SERVERS) {
  summary[s.id] = {
    label: s.label,
    roundTripsPerSec: best(s.id, (r) => r.echo.roundTripsPerSec),
    serverCpuUsPerRoundTrip: best(s.id, (r) => r.echo.serverCpuUsPerRoundTrip, false),
    deliveriesPerSec: best(s.id, (r) => r.broadcast.deliveriesPerSec),
    rssBytesPerConnection: best(s.id, (r) => r.broadcast.memory.rssBytesPerConnection, false),
    heapBytesPerConnection: best(s.id, (r) => r.broadcast.memory.heapBytesPerConnection, false),
  };
}
const p = summary.plumego;
const w = summary.ws;
const ratios = {
  echoRoundTrips: Number((p.roundTripsPerSec / w.roundTripsPerSec).toFixed(3)),
  echoCpuPerRoundTrip: Number((p.serverCpuUsPerRoundTrip / w.serverCpuUsPerRoundTrip).toFixed(3)),
  broadcastDeliveries: Number((p.deliveriesPerSec / w.deliveriesPerSec).toFixed(3)),
  extraRssBytesPerConnection: p.rssBytesPerConnection - w.rssBytesPerConnection,
  extraHeapBytesPerConnection: p.heapBytesPerConnection - w.heapBytesPerConnection,
};
const targets = {
  echoRoundTrips: { target: '>= 0.9x ws', met: ratios.echoRoundTrips >= 0.9 },
  memoryPerIdleConnection: { target: '<= 10 KB above ws (RSS)', met: ratios.extraRssBytesPerConnection <= 10_240 },
};
const result = {
  date: new Date().toISOString(),
  node: process.version,
  cpus: cpus().length,
  cpuModel: cpus()[0]?.model,
  settings: {
    rounds: ROUNDS,
    durationSeconds: DURATION,
    echoClients: ECHO_CLIENTS,
    connections: CONNECTIONS,
    bursts: BURSTS,
    burstSize: BURST_SIZE,
  },
  runs,
  summary,
  ratios,
  targets,
};
mkdirSync(join(here, 'results'), { recursive: true });
const stamp = result.date.replace(/[:.]/g, '-');
writeFileSync(join(here, 'results', `${stamp}.json`), JSON.stringify(result, null, 2) + '\n');
writeFileSync(join(here, 'results', 'latest.json'), JSON.stringify(result, null, 2) + '\n');
const md = [
  `# bench/websocket — ${result.date}`,
  '',
  `Node ${result.node}, ${result.cpus} × ${result.cpuModel}; load average at each run start: ${runs.map((r) => r.loadAverage).join(', ')}.`,
  `Settings: ${JSON.stringify(result.settings)}. Best of rounds.`,
  '',
  '| server | echo round trips/s | server CPU µs/round trip | broadcast deliveries/s | RSS B/idle conn | heap B/idle conn |',
  '|---|---:|---:|---:|---:|---:|',
  ...SERVERS.map((s) => {
    const x = summary[s.id];
    return `| ${x.label} | ${x.roundTripsPerSec} | ${x.serverCpuUsPerRoundTrip} | ${x.deliveriesPerSec} | ${x.rssBytesPerConnection} | ${x.heapBytesPerConnection} |`;
  }),
  '',
  `Ratios plumego/ws: echo ${ratios.echoRoundTrips}x round trips (target ≥ 0.9: ${targets.echoRoundTrips.met ? 'met' : 'MISSED'}), ` +
    `${ratios.echoCpuPerRoundTrip}x CPU per round trip, broadcast ${ratios.broadcastDeliveries}x deliveries/s; ` +
    `memory +${ratios.extraRssBytesPerConnection} B RSS / +${ratios.extraHeapBytesPerConnection} B heap per idle connection (target ≤ 10 KB: ${targets.memoryPerIdleConnection.met ? 'met' : 'MISSED'}).`,
  '',
];
writeFileSync(join(here, 'results', 'latest.md'), md.join('\n'));
console.log(md.join('\n'));
process.exit(0);
