import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryBusNetwork, decodeEnvelope, encodeEnvelope } from './bus.ts';
import { dial, type ClientConnection } from './dial.ts';
import { isWebSocketError } from './errors.ts';
import { Hub } from './hub.ts';
import { isValidRoomName } from './room.ts';
import { ORIGIN, rawHandshake, startServer, waitFor, type TestServer } from './test-support.ts';

const servers: TestServer[] = [];
const clients: ClientConnection[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function roomServer(hub: Hub): Promise<TestServer> {
  const s = await startServer({ hub, room: (r) => r.param('room') }, [], '/rooms/:room');
  servers.push(s);
  return s;
}

async function member(s: TestServer, room: string, inbox: string[], password?: string): Promise<ClientConnection> {
  const c = await dial(`ws://127.0.0.1:${s.port}/rooms/${room}`, {
    token: 'good',
    origin: ORIGIN,
    ...(password === undefined ? {} : { roomPassword: password }),
    onMessage: (d) => inbox.push(d.toString()),
  });
  clients.push(c);
  return c;
}

describe('room names', () => {
  it.each([
    ['lobby', true],
    ['team-1.chat:general_x', true],
    ['a'.repeat(128), true],
    ['a'.repeat(129), false],
    ['', false],
    ['with space', false],
    ['slash/room', false],
    ['ümlaut', false],
  ])('%s is valid: %s', (name, valid) => {
    expect(isValidRoomName(name)).toBe(valid);
  });
});

describe('Hub rooms over real connections', () => {
  it('broadcasts only to the members of a room and forgets members that leave', async () => {
    const hub = new Hub();
    const s = await roomServer(hub);
    const a: string[] = [];
    const b: string[] = [];
    const other: string[] = [];
    await member(s, 'red', a);
    const cb = await member(s, 'red', b);
    await member(s, 'blue', other);
    await waitFor(() => hub.getRoomSize('red') === 2);
    const result = hub.broadcast('red', 'hi red');
    expect(result).toEqual({ sent: 2, queued: 0, dropped: 0, closed: 0 });
    await waitFor(() => a.length === 1 && b.length === 1);
    expect(other).toEqual([]);
    await cb.close();
    await waitFor(() => hub.getRoomSize('red') === 1);
    hub.broadcast('red', 'again');
    await waitFor(() => a.length === 2);
    expect(b).toEqual(['hi red']);
    expect(hub.getMetrics()).toMatchObject({ connections: 2, rooms: 2, messagesSent: 3 });
  });

  it('removes implicit rooms with their last member but keeps declared ones', async () => {
    const hub = new Hub();
    hub.declareRoom('kept');
    const s = await roomServer(hub);
    const c1 = await member(s, 'kept', []);
    const c2 = await member(s, 'gone', []);
    await waitFor(() => hub.getMetrics().rooms === 2 && hub.getRoomSize('gone') === 1);
    await c1.close();
    await c2.close();
    await waitFor(() => hub.getMetrics().connections === 0);
    expect(hub.getMetrics().rooms).toBe(1);
  });

  it('refuses an invalid room name with 400 before the upgrade', async () => {
    const s = await roomServer(new Hub());
    const res = await rawHandshake(s.port, '/rooms/bad%20room', { authorization: 'Bearer good' });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body).error.code).toBe('WEBSOCKET_ROOM_INVALID');
  });

  it('requires the room password in the header: missing or wrong is 403, right joins', async () => {
    const hub = new Hub();
    hub.declareRoom('vault', { password: 'open sesame' });
    const s = await roomServer(hub);
    const missing = await rawHandshake(s.port, '/rooms/vault', { authorization: 'Bearer good' });
    expect(missing.status).toBe(403);
    expect(JSON.parse(missing.body).error.code).toBe('WEBSOCKET_ROOM_FORBIDDEN');
    const wrong = await rawHandshake(s.port, '/rooms/vault', {
      authorization: 'Bearer good',
      'x-websocket-room-password': 'open sesam',
    });
    expect(wrong.status).toBe(403);
    expect(wrong.body).not.toContain('sesam');
    await member(s, 'vault', [], 'open sesame');
    await waitFor(() => hub.getRoomSize('vault') === 1);
  });

  it('refuses a join beyond the room capacity with 503', async () => {
    const hub = new Hub();
    hub.declareRoom('duo', { capacity: 2 });
    const s = await roomServer(hub);
    await member(s, 'duo', []);
    await member(s, 'duo', []);
    await waitFor(() => hub.getRoomSize('duo') === 2);
    const res = await rawHandshake(s.port, '/rooms/duo', { authorization: 'Bearer good' });
    expect(res.status).toBe(503);
    expect(JSON.parse(res.body).error.code).toBe('WEBSOCKET_ROOM_FULL');
  });

  it('refuses undeclared rooms when requireDeclaredRooms is set, and rooms beyond maxRooms', () => {
    const strict = new Hub({ requireDeclaredRooms: true });
    expect(strict.checkJoin('anything', undefined)).toBe('WEBSOCKET_ROOM_FORBIDDEN');
    const small = new Hub({ maxRooms: 1 });
    small.declareRoom('one');
    expect(small.checkJoin('two', undefined)).toBe('WEBSOCKET_ROOM_FULL');
    try {
      small.declareRoom('two');
      expect.unreachable();
    } catch (err) {
      expect(isWebSocketError(err, 'WEBSOCKET_ROOM_FULL')).toBe(true);
    }
    expect(() => small.broadcast('no spaces allowed', 'x')).toThrow(/invalid room name/);
  });

  it('broadcastAll reaches every connection, except the sender when asked', async () => {
    const hub = new Hub();
    const s = await roomServer(hub);
    const a: string[] = [];
    const b: string[] = [];
    await member(s, 'x', a);
    await member(s, 'y', b);
    await waitFor(() => hub.getMetrics().connections === 2);
    hub.broadcastAll('all');
    await waitFor(() => a.length === 1 && b.length === 1);
    const sender = [...hub.getConnections()].find((c) => c.rooms.has('x'))!;
    expect(hub.broadcast('x', 'not to me', { except: sender }).sent).toBe(0);
  });

  it("drops broadcasts for a client that stopped reading under 'drop', and reports queued bytes", async () => {
    const hub = new Hub();
    const s = await startServer({ hub, room: () => 'slow', slowConsumer: 'drop', maxQueueBytes: 256 * 1024 });
    servers.push(s);
    const res = await rawHandshake(s.port, '/ws', { authorization: 'Bearer good' });
    res.socket.pause(); // never reads: the kernel buffers fill, then ws's, then ours
    await waitFor(() => hub.getRoomSize('slow') === 1);
    const big = 'x'.repeat(64 * 1024);
    let dropped = 0;
    for (let i = 0; i < 400 && dropped === 0; i++) dropped += hub.broadcast('slow', big).dropped;
    expect(dropped).toBeGreaterThan(0);
    const m = hub.getMetrics();
    expect(m.messagesDropped).toBeGreaterThan(0);
    expect(m.queuedBytes).toBeGreaterThan(0);
    expect(m.queuedBytes).toBeLessThanOrEqual(256 * 1024);
    res.socket.destroy();
  });
});

describe('Hub across instances (in-process bus)', () => {
  it('delivers a room broadcast to members on another hub once, and never back to the sender hub', async () => {
    const net = createMemoryBusNetwork();
    const h1 = new Hub({ bus: net.createBus() });
    const h2 = new Hub({ bus: net.createBus() });
    await Promise.all([h1.start(), h2.start()]);
    const s1 = await roomServer(h1);
    const s2 = await roomServer(h2);
    const on1: string[] = [];
    const on2: string[] = [];
    await member(s1, 'shared', on1);
    await member(s2, 'shared', on2);
    await waitFor(() => h1.getRoomSize('shared') === 1 && h2.getRoomSize('shared') === 1);
    h1.broadcast('shared', 'from one');
    h2.broadcast('shared', Buffer.from('from two'));
    await waitFor(() => on1.length === 2 && on2.length === 2);
    await new Promise((r) => setTimeout(r, 20));
    expect(on1.sort()).toEqual(['from one', 'from two']);
    expect(on2.sort()).toEqual(['from one', 'from two']);
    expect(h2.getMetrics().busReceived).toBe(1);
  });

  it('ignores malformed payloads on the bus and counts them', async () => {
    const net = createMemoryBusNetwork();
    const h = new Hub({ bus: net.createBus() });
    await h.start();
    const intruder = net.createBus();
    await intruder.publish(Buffer.from('garbage'));
    await intruder.publish(
      encodeEnvelope({ origin: 'other', room: 'bad room', binary: false, data: Buffer.from('x') }),
    );
    await waitFor(() => h.getMetrics().busErrors === 2);
  });

  it('round-trips envelopes and rejects truncated ones', () => {
    const e = { origin: 'i1', room: 'r', binary: true, data: Buffer.from([1, 2, 3]) };
    expect(decodeEnvelope(encodeEnvelope(e))).toEqual(e);
    expect(decodeEnvelope(encodeEnvelope(e).subarray(0, 5))).toBeUndefined();
    expect(decodeEnvelope(Buffer.from([0xff, 0xff, 1]))).toBeUndefined();
  });
});
