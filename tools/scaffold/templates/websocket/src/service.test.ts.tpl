import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from 'plumego/log';
import { dial, type ClientConnection } from 'plumego/x/websocket';
import { DEFAULT_CONFIG } from './config.ts';
import { createService, type Service } from './service.ts';

const TOKEN = 'test-token-0123456789';
const ORIGIN = 'https://app.example';
let service: Service;
let base: string;

beforeAll(async () => {
  service = createService({ ...DEFAULT_CONFIG, addr: '127.0.0.1:0' }, { logger: createLogger({ format: 'discard' }), realtime: { token: TOKEN, allowedOrigins: [ORIGIN] } });
  const { port } = await service.app.listen();
  base = `127.0.0.1:${port}`;
});
afterAll(() => service.close());

/** Connects a client that records what it receives. */
async function join(room: string, options: { token?: string; origin?: string } = {}): Promise<{ conn: ClientConnection; received: string[] }> {
  const received: string[] = [];
  const conn = await dial(`ws://${base}/rooms/${room}`, {
    token: options.token ?? TOKEN, origin: options.origin ?? ORIGIN,
    reconnect: { maxAttempts: 0 },
    onMessage: (data) => received.push(data.toString()),
  });
  return { conn, received };
}

const until = async (check: () => boolean): Promise<void> => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
};

describe('room chat over WebSocket', () => {
  it('delivers a message to the other members of the room only', async () => {
    const alice = await join('lobby');
    const bob = await join('lobby');
    const carol = await join('kitchen');
    alice.conn.send('hello lobby');
    await until(() => bob.received.length > 0);
    expect(bob.received).toEqual(['hello lobby']);
    expect(alice.received).toEqual([]);
    expect(carol.received).toEqual([]);
    await Promise.all([alice, bob, carol].map((c) => c.conn.close()));
  });

  it.each([
    { title: 'a wrong token', options: { token: 'nope' }, status: 401 },
    { title: 'an origin that is not allowed', options: { origin: 'https://evil.example' }, status: 403 },
  ])('refuses $title with $status', async ({ options, status }) => {
    await expect(join('lobby', options)).rejects.toMatchObject({ details: { status } });
  });

  it('answers a plain GET on the room route with 426 and health over HTTP', async () => {
    expect((await fetch(`http://${base}/rooms/lobby`)).status).toBe(426);
    expect((await fetch(`http://${base}/healthz`)).status).toBe(200);
  });

  it('refuses every connection when no token is configured', async () => {
    const closed = createService({ ...DEFAULT_CONFIG, addr: '127.0.0.1:0' }, { logger: createLogger({ format: 'discard' }) });
    const { port } = await closed.app.listen();
    await expect(dial(`ws://127.0.0.1:${port}/rooms/lobby`, { token: 'guess', origin: 'http://localhost:8080', reconnect: { maxAttempts: 0 } })).rejects.toMatchObject({ details: { status: 401 } });
    await closed.close();
  });

  it('refuses to build without allowed origins', () => {
    expect(() => createService(DEFAULT_CONFIG, { logger: createLogger({ format: 'discard' }), realtime: { token: TOKEN, allowedOrigins: [] } })).toThrow(/allowedOrigins/);
  });
});
