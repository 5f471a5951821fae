// Test-only: one app instance for the multi-instance tests, run as a child process:
//   node --conditions=source --import tsx test-instance.ts <redis|nats> <url> <channel>
// Prints {"port": n} once listening; clients of room :room get every message any member sends on
// any instance. Exits on SIGTERM after a graceful shutdown.
import { createApp } from 'plumego/core';
import type { RoomBus } from './bus.ts';
import { WebSocketEndpoint } from './endpoint.ts';
import { Hub } from './hub.ts';
import { createNatsRoomBus } from './nats-bus.ts';
import { createRedisRoomBus } from './redis-bus.ts';
import { attachUpgrades } from './upgrade.ts';

const [kind, url, channel] = process.argv.slice(2);
if (url === undefined || channel === undefined) throw new Error('usage: test-instance.ts <redis|nats> <url> <channel>');
const bus: RoomBus =
  kind === 'nats' ? createNatsRoomBus({ servers: url, subject: channel }) : createRedisRoomBus({ url, channel });
const hub = new Hub({ bus });
await hub.start();
const endpoint = new WebSocketEndpoint({
  authenticate: (token) => {
    if (token !== 'good') throw new Error('invalid');
    return { sub: 'tester' };
  },
  allowedOrigins: ['http://app.test'],
  hub,
  room: (r) => r.param('room'),
  onMessage: (conn, data, binary) => {
    for (const room of conn.rooms) hub.broadcast(room, binary ? data : data.toString());
  },
});
const app = createApp();
app.get('/rooms/:room', endpoint.handler);
app.get('/metrics', (w) => {
  w.setHeader('content-type', 'application/json');
  w.end(JSON.stringify(hub.getMetrics()));
});
attachUpgrades(app);
const addr = await app.listen(0, '127.0.0.1');
process.stdout.write(JSON.stringify({ port: addr.port }) + '\n');
process.on('SIGTERM', () => {
  void endpoint
    .shutdown({ reason: 'instance stopping', timeoutMs: 1_000 })
    .then(() => app.shutdown({ timeoutMs: 1_000 }))
    .finally(() => process.exit(0));
});
