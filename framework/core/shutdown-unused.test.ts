import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp, type App } from './app.ts';

const sockets: Socket[] = [];
afterEach(() => {
  for (const s of sockets.splice(0)) s.destroy();
});

async function listening(): Promise<{ app: App; port: number }> {
  // Long header/idle timeouts: only shutdown itself may close the sockets these tests open.
  const app = createApp({
    addr: '127.0.0.1:0',
    readHeaderTimeoutMs: 60_000,
    readTimeoutMs: 60_000,
    idleTimeoutMs: 60_000,
  });
  app.get('/', (w) => w.end('ok'));
  const addr = await app.listen();
  return { app, port: addr.port };
}

function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
    sockets.push(s);
  });
}

const closedBy = (s: Socket): Promise<void> =>
  new Promise((resolve) => (s.destroyed ? resolve() : s.once('close', () => resolve())));

describe('shutdown and connections that never sent a request', () => {
  it('closes a connection that sent no byte at once instead of waiting for the deadline', async () => {
    const { app, port } = await listening();
    const spare = await open(port);
    // The server has accepted it (a request on a second connection proves the accept loop ran).
    const other = await open(port);
    other.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    await new Promise((resolve) => other.once('data', resolve));
    const result = await app.shutdown({ timeoutMs: 15_000 });
    expect(result.forced).toBe(false);
    expect(result.openConnections).toBe(2);
    await closedBy(spare);
  });

  it('leaves a connection that has started a request to the deadline', async () => {
    const { app, port } = await listening();
    const partial = await open(port);
    partial.write('GET / HTTP/1.1\r\nHost: x\r\n'); // headers not finished
    await new Promise((resolve) => setTimeout(resolve, 50));
    const result = await app.shutdown({ timeoutMs: 300 });
    expect(result.forced).toBe(true);
    await closedBy(partial);
  });
});
