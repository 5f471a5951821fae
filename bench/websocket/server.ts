// One WebSocket server for bench/websocket/run.mjs, forked with IPC. BENCH_WS=plumego runs an app with
// attachUpgrades + a WebSocketEndpoint and its hub; BENCH_WS=ws runs a bare `ws` WebSocketServer on a
// node:http server. Both echo every message and broadcast on request; the parent asks over IPC for
// memory readings (after GC) and broadcasts, so the load generator never shares this process.
import { createServer } from 'node:http';
import { createApp } from 'plumego/core';
import { Hub, WebSocketEndpoint, attachUpgrades } from 'plumego/x/websocket';
import { WebSocketServer, type WebSocket } from 'ws';

type Command = { cmd: 'mem' } | { cmd: 'broadcast'; count: number; size: number } | { cmd: 'count' };

const mode = process.env.BENCH_WS ?? 'plumego';
let broadcast: (data: Buffer) => void;
let count: () => number;
let port: number;

if (mode === 'ws') {
  const server = createServer((_req, res) => res.writeHead(426).end());
  const wss = new WebSocketServer({ server, maxPayload: 64 * 1024 });
  wss.on('connection', (ws: WebSocket) => {
    ws.on('message', (data: Buffer, binary: boolean) => ws.send(data, { binary }));
  });
  broadcast = (data) => {
    for (const c of wss.clients) c.send(data, { binary: false });
  };
  count = () => wss.clients.size;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as { port: number }).port;
} else {
  const hub = new Hub();
  const endpoint = new WebSocketEndpoint({
    authenticate: (token) => (token === 'bench' ? { sub: 'bench' } : Promise.reject(new Error('no'))),
    allowAllOrigins: true,
    allowMissingOrigin: true,
    maxConnections: 20_000,
    messagesPerSecond: 0,
    hub,
    onMessage: (conn, data, binary) => conn.trySend(binary ? data : data, binary),
  });
  const app = createApp();
  app.get('/ws', endpoint.handler);
  attachUpgrades(app);
  port = (await app.listen(0, '127.0.0.1')).port;
  broadcast = (data) => void hub.broadcastAll(data.toString());
  count = () => hub.getMetrics().connections;
}

process.on('message', (m: Command) => {
  if (m.cmd === 'mem') {
    for (let i = 0; i < 3; i++) globalThis.gc?.();
    const u = process.memoryUsage();
    process.send!({
      rss: u.rss,
      heapUsed: u.heapUsed,
      external: u.external,
      arrayBuffers: u.arrayBuffers,
      connections: count(),
    });
  } else if (m.cmd === 'count') {
    process.send!({ connections: count() });
  } else if (m.cmd === 'broadcast') {
    const data = Buffer.alloc(m.size, 'x');
    const start = process.hrtime.bigint();
    for (let i = 0; i < m.count; i++) broadcast(data);
    process.send!({ sendMs: Number(process.hrtime.bigint() - start) / 1e6 });
  }
});
process.send!({ ready: true, port });
