import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { APIError, writeError, type Middleware } from 'plumego/contract';
import { createApp } from 'plumego/core';
import { dial } from './dial.ts';
import { WebSocketEndpoint } from './endpoint.ts';
import { isWebSocketError } from './errors.ts';
import { attachUpgrades } from './upgrade.ts';
import {
  ORIGIN,
  clientFrame,
  nextEvent,
  rawHandshake,
  readCloseCode,
  startServer,
  testAuthenticate,
  waitFor,
  type TestServer,
} from './test-support.ts';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

type Body = { error: { code: string } };

describe('WebSocketEndpoint handshake', () => {
  it('answers 426 to a plain GET on the WebSocket route', async () => {
    const app = createApp();
    const ep = new WebSocketEndpoint({ authenticate: testAuthenticate, allowedOrigins: [ORIGIN] });
    app.get('/ws', ep.handler);
    const res = await app.request('/ws');
    expect(res.status).toBe(426);
    expect(res.headers['upgrade']).toBe('websocket');
    expect(res.json<Body>().error.code).toBe('WEBSOCKET_UPGRADE_REQUIRED');
  });

  it('refuses a handshake without a token with 401', async () => {
    server = await startServer();
    const res = await rawHandshake(server.port, '/ws', {});
    expect(res.status).toBe(401);
    expect(JSON.parse(res.body).error.code).toBe('WEBSOCKET_UNAUTHENTICATED');
    expect(res.headers['connection']).toBe('close');
  });

  it.each([
    ['expired-s3cr3t', 'WEBSOCKET_TOKEN_EXPIRED'],
    ['forged-s3cr3t', 'WEBSOCKET_INVALID_TOKEN'],
  ])('refuses the %s token with 401 %s and never echoes it', async (token, code) => {
    server = await startServer();
    const res = await rawHandshake(server.port, '/ws', { authorization: `Bearer ${token}` });
    expect(res.status).toBe(401);
    expect(JSON.parse(res.body).error.code).toBe(code);
    expect(res.body).not.toContain(token);
  });

  it('refuses forged and missing origins with 403 unless opted in', async () => {
    server = await startServer();
    const forged = await rawHandshake(server.port, '/ws', { authorization: 'Bearer good', origin: 'http://evil.test' });
    expect(forged.status).toBe(403);
    expect(JSON.parse(forged.body).error.code).toBe('WEBSOCKET_ORIGIN_FORBIDDEN');
    const missing = await rawHandshake(server.port, '/ws', { authorization: 'Bearer good', origin: undefined });
    expect(missing.status).toBe(403);
    await server.close();
    server = await startServer({ allowMissingOrigin: true });
    const ok = await rawHandshake(server.port, '/ws', { authorization: 'Bearer good', origin: undefined });
    expect(ok.status).toBe(101);
    ok.socket.destroy();
  });

  it('reads query-string tokens only when allowQueryToken is set', async () => {
    server = await startServer();
    expect((await rawHandshake(server.port, '/ws?access_token=good', {})).status).toBe(401);
    await server.close();
    server = await startServer({ allowQueryToken: true });
    const ok = await rawHandshake(server.port, '/ws?access_token=good', {});
    expect(ok.status).toBe(101);
    ok.socket.destroy();
  });

  it('takes the token from a bearer subprotocol and selects the application protocol, not the token', async () => {
    server = await startServer({ protocols: ['chat.v1'] });
    const c = await dial(server.url, { token: 'good', tokenInProtocol: true, protocols: ['chat.v1'], origin: ORIGIN });
    expect(c.protocol).toBe('chat.v1');
    await c.close();
  });

  it('requires version 13 (426 with Sec-WebSocket-Version) and a well-formed key (400)', async () => {
    server = await startServer();
    const v = await rawHandshake(server.port, '/ws', { authorization: 'Bearer good', 'sec-websocket-version': '8' });
    expect(v.status).toBe(426);
    expect(v.headers['sec-websocket-version']).toBe('13');
    const k = await rawHandshake(server.port, '/ws', { authorization: 'Bearer good', 'sec-websocket-key': 'short' });
    expect(k.status).toBe(400);
    expect(JSON.parse(k.body).error.code).toBe('WEBSOCKET_BAD_HANDSHAKE');
  });

  it('runs the app middleware before the upgrade, so it can refuse it', async () => {
    const guard: Middleware = (next) => (w, r) => {
      if (r.header('x-blocked') === '1') {
        writeError(w, r, new APIError({ status: 429, code: 'RATE_LIMITED', message: 'slow down' }));
        return;
      }
      w.setHeader('x-seen', 'yes');
      return next(w, r);
    };
    server = await startServer({}, [guard]);
    const refused = await rawHandshake(server.port, '/ws', { authorization: 'Bearer good', 'x-blocked': '1' });
    expect(refused.status).toBe(429);
    expect(JSON.parse(refused.body).error.code).toBe('RATE_LIMITED');
    const ok = await rawHandshake(server.port, '/ws', { authorization: 'Bearer good' });
    expect(ok.status).toBe(101);
    ok.socket.destroy();
  });

  it('writes refusals in the app error format when attachUpgrades is given formatErrorBody', async () => {
    const app = createApp();
    const ep = new WebSocketEndpoint({ authenticate: testAuthenticate, allowedOrigins: [ORIGIN] });
    app.get('/ws', ep.handler);
    attachUpgrades(app, { formatErrorBody: (err) => JSON.stringify({ problem: err.code }) });
    const port = (await app.listen(0, '127.0.0.1')).port;
    try {
      const res = await rawHandshake(port, '/ws', {});
      expect(res.status).toBe(401);
      expect(JSON.parse(res.body)).toEqual({ problem: 'WEBSOCKET_UNAUTHENTICATED' });
    } finally {
      await app.shutdown({ timeoutMs: 200 });
    }
  });

  it('answers 404 through the router for an upgrade to an unknown path', async () => {
    server = await startServer();
    expect((await rawHandshake(server.port, '/nope', { authorization: 'Bearer good' })).status).toBe(404);
  });

  it('does not negotiate permessage-deflate unless enabled', async () => {
    server = await startServer();
    const off = await rawHandshake(server.port, '/ws', {
      authorization: 'Bearer good',
      'sec-websocket-extensions': 'permessage-deflate',
    });
    expect(off.status).toBe(101);
    expect(off.headers['sec-websocket-extensions']).toBeUndefined();
    off.socket.destroy();
    await server.close();
    server = await startServer({ perMessageDeflate: true });
    const on = await rawHandshake(server.port, '/ws', {
      authorization: 'Bearer good',
      'sec-websocket-extensions': 'permessage-deflate',
    });
    expect(on.headers['sec-websocket-extensions']).toContain('permessage-deflate');
    on.socket.destroy();
  });

  it('refuses handshakes beyond maxConnections with 503', async () => {
    server = await startServer({ maxConnections: 1 });
    const c = await dial(server.url, { token: 'good', origin: ORIGIN });
    const res = await rawHandshake(server.port, '/ws', { authorization: 'Bearer good' });
    expect(res.status).toBe(503);
    expect(JSON.parse(res.body).error.code).toBe('WEBSOCKET_CONNECTION_LIMIT');
    await c.close();
  });

  it('fails at construction for options that can never work', () => {
    expect(() => new WebSocketEndpoint({ authenticate: testAuthenticate })).toThrow(/allowedOrigins/);
    expect(() => new WebSocketEndpoint({ authenticate: testAuthenticate, allowedOrigins: ['app.test'] })).toThrow(
      /allowedOrigins/,
    );
    expect(() => new WebSocketEndpoint({ authenticate: undefined as never, allowAllOrigins: true })).toThrow(
      /authenticate/,
    );
    expect(
      () => new WebSocketEndpoint({ authenticate: testAuthenticate, allowAllOrigins: true, maxMessageBytes: 0 }),
    ).toThrow(/maxMessageBytes/);
    expect(
      () => new WebSocketEndpoint({ authenticate: testAuthenticate, allowAllOrigins: true, protocols: ['bearer.x'] }),
    ).toThrow(/protocols/);
    try {
      new WebSocketEndpoint({ authenticate: testAuthenticate, allowAllOrigins: true, slowConsumer: 'later' as never });
    } catch (err) {
      expect(isWebSocketError(err, 'WEBSOCKET_INVALID_OPTIONS')).toBe(true);
    }
  });
});

describe('WebSocketEndpoint messages and protocol errors', () => {
  const echo = {
    onMessage: (c: import('./connection.ts').Connection, d: Buffer, bin: boolean) => c.trySend(bin ? d : d.toString()),
  };

  it('echoes text and binary messages', async () => {
    server = await startServer(echo);
    const got: string[] = [];
    const c = await dial(server.url, {
      token: 'good',
      origin: ORIGIN,
      onMessage: (d, bin) => got.push(`${bin ? 'b' : 't'}:${d.toString()}`),
    });
    c.send('hello');
    c.send(Buffer.from('bytes'));
    await waitFor(() => got.length === 2);
    expect(got).toEqual(['t:hello', 'b:bytes']);
    await c.close();
  });

  it('closes with 1009 on a message above maxMessageBytes', async () => {
    server = await startServer({ ...echo, maxMessageBytes: 1024 });
    const ws = new WebSocket(server.url, { headers: { authorization: 'Bearer good' }, origin: ORIGIN });
    await nextEvent(ws, 'open');
    ws.send('x'.repeat(2048));
    const [code] = await nextEvent<[number]>(ws, 'close');
    expect(code).toBe(1009);
  });

  it('closes with 1007 on invalid UTF-8 in a text frame', async () => {
    server = await startServer(echo);
    const res = await rawHandshake(server.port, '/ws', { authorization: 'Bearer good' });
    res.socket.write(clientFrame(0x1, Buffer.from([0xc3, 0x28])));
    expect((await readCloseCode(res.socket, res.rest)).code).toBe(1007);
  });

  it.each([
    ['an unmasked client frame', clientFrame(0x1, Buffer.from('hi'), { mask: false })],
    ['reserved bits without an extension', clientFrame(0x1, Buffer.from('hi'), { rsv: 4 })],
    ['an unknown opcode', clientFrame(0x3, Buffer.from('hi'))],
    ['a fragmented control frame', clientFrame(0x9, Buffer.from('hi'), { fin: false })],
  ])('closes with 1002 on %s', async (_title, frame) => {
    server = await startServer(echo);
    const res = await rawHandshake(server.port, '/ws', { authorization: 'Bearer good' });
    res.socket.write(frame);
    expect((await readCloseCode(res.socket, res.rest)).code).toBe(1002);
  });

  it('closes a flooding client with 1008 and keeps serving others', async () => {
    server = await startServer({ ...echo, messagesPerSecond: 5, messageBurst: 5 });
    const ws = new WebSocket(server.url, { headers: { authorization: 'Bearer good' }, origin: ORIGIN });
    await nextEvent(ws, 'open');
    for (let i = 0; i < 50; i++) ws.send('spam');
    const [code, reason] = await nextEvent<[number, Buffer]>(ws, 'close');
    expect(code).toBe(1008);
    expect(reason.toString()).toBe('message rate exceeded');
    const got: string[] = [];
    const c = await dial(server.url, { token: 'good', origin: ORIGIN, onMessage: (d) => got.push(d.toString()) });
    c.send('still here');
    await waitFor(() => got.length === 1);
    await c.close();
  });

  it('drops a peer that stops answering pings', async () => {
    server = await startServer({ pingIntervalMs: 30 });
    const res = await rawHandshake(server.port, '/ws', { authorization: 'Bearer good' });
    await waitFor(() => server!.endpoint.size === 1);
    // The raw socket never answers the server's pings.
    await nextEvent(res.socket, 'close');
    await waitFor(() => server!.endpoint.size === 0);
  });

  it('closes an idle connection with 1000 after idleTimeoutMs', async () => {
    server = await startServer({ pingIntervalMs: 20, idleTimeoutMs: 60 });
    const ws = new WebSocket(server.url, { headers: { authorization: 'Bearer good' }, origin: ORIGIN });
    const [code, reason] = await nextEvent<[number, Buffer]>(ws, 'close');
    expect(code).toBe(1000);
    expect(reason.toString()).toBe('idle timeout');
  });

  it('closes every connection with 1001 and the reason on shutdown, then refuses handshakes', async () => {
    server = await startServer();
    const closes: [number, string][] = [];
    const a = await dial(server.url, {
      token: 'good',
      origin: ORIGIN,
      onClose: (code, reason) => closes.push([code, reason]),
    });
    const b = await dial(server.url, {
      token: 'good',
      origin: ORIGIN,
      onClose: (code, reason) => closes.push([code, reason]),
    });
    await server.endpoint.shutdown({ reason: 'deploying' });
    await waitFor(() => closes.length === 2);
    expect(closes).toEqual([
      [1001, 'deploying'],
      [1001, 'deploying'],
    ]);
    expect(a.isOpen || b.isOpen).toBe(false);
    const res = await rawHandshake(server.port, '/ws', { authorization: 'Bearer good' });
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('1');
  });

  it('closes with 1011 when the message hook throws, without hurting the process', async () => {
    server = await startServer({
      onMessage: () => {
        throw new Error('boom');
      },
    });
    const ws = new WebSocket(server.url, { headers: { authorization: 'Bearer good' }, origin: ORIGIN });
    await nextEvent(ws, 'open');
    ws.send('x');
    const [code] = await nextEvent<[number]>(ws, 'close');
    expect(code).toBe(1011);
  });
});
