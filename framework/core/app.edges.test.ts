// Behaviour of the app kernel at its edges: what prepare() hands to Node, what an in-process request
// returns for bodiless statuses and HEAD, the error-body hook and client disconnects without a
// socket, repeated listen/shutdown calls and the configured shutdown deadline.
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { APIError, writeResponse, type Handler } from 'plumego/contract';
import { createLogger } from 'plumego/log';
import { createApp, type App } from './app.ts';
import { createLifecycleGroup } from './lifecycle-group.ts';
import { CoreError } from './errors.ts';

const ok: Handler = (w, r) => writeResponse(w, r, 200, { ok: true });
const apps: App[] = [];
const track = (app: App): App => (apps.push(app), app);
afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.shutdown({ timeoutMs: 100 })));
});

function memoryLogger(): { logger: ReturnType<typeof createLogger>; lines: () => Record<string, unknown>[] } {
  const out: string[] = [];
  const logger = createLogger({ buffered: false, output: { write: (s: string) => out.push(s) } });
  return {
    logger,
    lines: () =>
      out
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

describe('prepare()', () => {
  it('hands the configured timeouts to the Node server', () => {
    const app = createApp({
      readTimeoutMs: 4_444,
      readHeaderTimeoutMs: 2_222,
      idleTimeoutMs: 3_333,
      writeTimeoutMs: 1_111,
    });
    app.get('/', ok);
    const server = app.prepare();
    expect([server.requestTimeout, server.headersTimeout, server.keepAliveTimeout, server.timeout]).toEqual([
      4_444, 2_222, 3_333, 1_111,
    ]);
    expect(server.listening).toBe(false);
  });

  it('reports TLS material Node cannot use as CORE_SERVER_SETUP, and stays unprepared', () => {
    const app = createApp({ tls: { cert: 'not a certificate', key: 'not a key' } });
    app.get('/', ok);
    let error: unknown;
    try {
      app.prepare();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CoreError);
    expect(error).toMatchObject({ code: 'CORE_SERVER_SETUP', operation: 'prepare_server' });
    expect((error as CoreError).cause).toBeInstanceOf(Error);
    expect(app.server).toBeUndefined();
    expect(app.preparationState).toBe('handler_prepared');
  });
});

describe('app.request()', () => {
  it('adds content-length like a socket client sees it, except for 204, 304 and a length or chunking the handler set', async () => {
    const app = createApp();
    app.get('/ok', (w) => {
      w.writeHead(200);
      w.end('hello');
    });
    app.get('/204', (w) => {
      w.writeHead(204);
      w.end();
    });
    app.get('/304', (w) => {
      w.writeHead(304);
      w.end();
    });
    app.get('/own-length', (w) => {
      w.setHeader('content-length', '5');
      w.writeHead(200);
      w.end('hello');
    });
    app.get('/chunked', (w) => {
      w.setHeader('transfer-encoding', 'chunked');
      w.writeHead(200);
      w.end('hello');
    });
    const got = async (url: string, method = 'GET') => {
      const res = await app.request({ url, method });
      return [res.status, res.headers['content-length'], res.text()];
    };
    expect(await got('/ok')).toEqual([200, '5', 'hello']);
    expect(await got('/ok', 'HEAD')).toEqual([200, '5', '']);
    expect(await got('/204')).toEqual([204, undefined, '']);
    expect(await got('/304')).toEqual([304, undefined, '']);
    expect(await got('/own-length')).toEqual([200, '5', 'hello']);
    expect(await got('/chunked')).toEqual([200, undefined, 'hello']);
    expect((await app.request({ url: '/chunked', method: 'HEAD' })).body.length).toBe(0);
    expect(Object.keys((await app.request('/own-length')).headers)).toEqual(['content-length']);
  });

  it('waits for a response ended after the handler returned', async () => {
    const app = createApp();
    app.get('/later', (w) => {
      setTimeout(() => {
        w.writeHead(202);
        w.end('late');
      }, 5);
    });
    const res = await app.request('/later');
    expect([res.status, res.text()]).toEqual([202, 'late']);
  });

  it('uses formatErrorBody in process too, for unmatched routes and thrown errors', async () => {
    const app = createApp({}, { formatErrorBody: (err) => JSON.stringify({ oops: err.code }) });
    app.get('/boom', () => {
      throw new APIError({ type: 'forbidden_request', code: 'NOPE' });
    });
    const missing = await app.request('/nowhere');
    expect([missing.status, missing.json()]).toEqual([404, { oops: 'ROUTE_NOT_FOUND' }]);
    const thrown = await app.request('/boom');
    expect([thrown.status, thrown.json()]).toEqual([403, { oops: 'NOPE' }]);
  });

  it('answers 499 without an error line when the handler fails because the client went away', async () => {
    const { logger, lines } = memoryLogger();
    const app = createApp({}, { logger });
    const gone = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    app.get('/sync', () => {
      throw gone;
    });
    app.get('/async', async () => {
      throw new Error('read failed', { cause: gone });
    });
    app.get('/after', (w) => {
      w.writeHead(200);
      w.end('sent');
      throw gone;
    });
    expect((await app.request('/sync')).status).toBe(499);
    expect((await app.request('/async')).status).toBe(499);
    const after = await app.request('/after');
    expect([after.status, after.text()]).toEqual([200, 'sent']);
    expect(lines().filter((l) => l['level'] === 'ERROR')).toEqual([]);
  });

  it('logs an unhandled error once with method, route and error type, and answers 500', async () => {
    const { logger, lines } = memoryLogger();
    const app = createApp({}, { logger });
    app.post('/items/:id', () => {
      throw new TypeError('bad');
    });
    const res = await app.request({ url: '/items/7', method: 'POST' });
    expect(res.status).toBe(500);
    const errors = lines().filter((l) => l['msg'] === 'unhandled handler error');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ level: 'ERROR', method: 'POST', route: '/items/:id', error_type: 'TypeError' });
    expect(res.text()).not.toContain('bad');
  });

  it('ends a response whose headers were already sent when the handler then throws', async () => {
    const app = createApp();
    app.get('/half', (w) => {
      w.writeHead(200);
      w.write('part');
      throw new Error('late failure');
    });
    const res = await app.request('/half');
    expect([res.status, res.text()]).toEqual([200, 'part']);
  });
});

describe('listen() and shutdown() called more than once', () => {
  it('listen() again resolves the same address; shutdown() again returns the same result', async () => {
    const app = track(createApp({ addr: '127.0.0.1:0' }));
    app.get('/', ok);
    const first = await app.listen();
    expect(await app.listen()).toEqual(first);
    const a = app.shutdown({ timeoutMs: 500 });
    expect(app.shutdown({ timeoutMs: 1 })).toBe(a);
    expect(await a).toEqual({ forced: false, openConnections: 0 });
  });

  it('shutdown() of an app that never listened resolves at once, and listen() after it is refused', async () => {
    const app = createApp();
    app.get('/', ok);
    expect(await app.shutdown()).toEqual({ forced: false, openConnections: 0 });
    await expect(app.listen()).rejects.toMatchObject({ code: 'CORE_SHUT_DOWN', operation: 'listen' });
    expect(app.server).toBeUndefined();
  });

  it('uses config.shutdownTimeoutMs when no deadline is given, and logs the open connections while draining', async () => {
    const { logger, lines } = memoryLogger();
    const app = track(createApp({ addr: '127.0.0.1:0', shutdownTimeoutMs: 150, drainIntervalMs: 20 }, { logger }));
    let arrived!: () => void;
    const arrival = new Promise<void>((r) => (arrived = r));
    app.get('/hang', () => {
      arrived();
      return new Promise<void>(() => {});
    });
    const { port } = await app.listen();
    const hanging = fetch(`http://127.0.0.1:${port}/hang`).catch((e: unknown) => e);
    await arrival;
    const result = await app.shutdown();
    expect(result).toEqual({ forced: true, openConnections: 1 });
    expect(await hanging).toBeInstanceOf(Error);
    const msgs = lines().map((l) => l['msg']);
    expect(msgs).toContain('draining open connections');
    expect(lines().find((l) => l['msg'] === 'draining open connections')).toMatchObject({ open_connections: 1 });
    expect(lines().find((l) => l['msg'] === 'shutting down')).toMatchObject({ open_connections: 1, timeout_ms: 150 });
    expect(lines().find((l) => l['msg'] === 'shutdown deadline passed; closing connections')).toMatchObject({
      level: 'WARN',
      open_connections: 1,
    });
    expect(lines().find((l) => l['msg'] === 'server stopped')).toMatchObject({ forced: true });
  });
});

/** Sends raw bytes without half-closing and collects everything until the server closes. */
function exchange(port: number, data: string, localAddress = '127.0.0.1'): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const s = connect({ port, host: '127.0.0.1', localAddress }, () => s.write(data));
    s.on('data', (c: Buffer) => chunks.push(c));
    s.on('error', () => undefined);
    s.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
  });
}

function open(port: number, localAddress = '127.0.0.1'): Promise<Socket> {
  return new Promise((resolve) => {
    const s = connect({ port, host: '127.0.0.1', localAddress }, () => resolve(s));
    s.on('error', () => undefined);
  });
}

const closed = (s: Socket): Promise<void> =>
  new Promise((resolve) => {
    s.once('close', () => resolve());
    s.destroy();
  });

/** Polls (never a fixed sleep) until the server has seen every client close. */
async function serverSeesNoConnections(app: App): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const n = await new Promise<number>((resolve) => app.server!.getConnections((_e, c) => resolve(c)));
    if (n === 0) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error('the server still counts connections');
}

describe('shutdown timers', () => {
  it('logs no drain progress before its interval, however short the deadline', async () => {
    const { logger, lines } = memoryLogger();
    const app = track(createApp({ addr: '127.0.0.1:0', drainIntervalMs: 60_000 }, { logger }));
    let arrived!: () => void;
    const arrival = new Promise<void>((r) => (arrived = r));
    app.get('/hang', () => {
      arrived();
      return new Promise<void>(() => {});
    });
    const { port } = await app.listen();
    const hanging = fetch(`http://127.0.0.1:${port}/hang`).catch((e: unknown) => e);
    await arrival;
    expect(await app.shutdown({ timeoutMs: 80 })).toEqual({ forced: true, openConnections: 1 });
    await hanging;
    expect(lines().map((l) => l['msg'])).not.toContain('draining open connections');
  });

  it('a clean shutdown never reports a passed deadline, even after the deadline time', async () => {
    const { logger, lines } = memoryLogger();
    const app = track(createApp({ addr: '127.0.0.1:0' }, { logger }));
    app.get('/', ok);
    await app.listen();
    expect(await app.shutdown({ timeoutMs: 30 })).toEqual({ forced: false, openConnections: 0 });
    // The deadline timer is left to run out (unref'd); let it.
    await new Promise((r) => setTimeout(r, 60));
    expect(lines().map((l) => l['level'])).not.toContain('WARN');
    expect(lines().at(-1)).toMatchObject({ msg: 'server stopped', forced: false });
  });
});

describe('preparation is done once', () => {
  it('returns the same handler and server on every call, and serving in process after prepare() keeps server_prepared', async () => {
    const app = createApp();
    app.get('/', ok);
    const handler = app.prepareHandler();
    expect(app.prepareHandler()).toBe(handler);
    const server = app.prepare();
    expect(app.prepare()).toBe(server);
    expect((await app.request('/')).status).toBe(200);
    expect(app.preparationState).toBe('server_prepared');
  });
});

describe('over a socket', () => {
  it('uses formatErrorBody for unmatched routes, a repeated Host and an unsupported Expect, and closes after a refusal', async () => {
    const app = track(
      createApp({ addr: '127.0.0.1:0' }, { formatErrorBody: (err) => JSON.stringify({ oops: err.code }) }),
    );
    app.get('/', ok);
    const { port } = await app.listen();
    const missing = await exchange(port, 'GET /nowhere HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n');
    expect(missing).toMatch(/^HTTP\/1\.1 404/);
    expect(missing).toContain('{"oops":"ROUTE_NOT_FOUND"}');
    const twoHosts = await exchange(port, 'GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n');
    expect(twoHosts).toMatch(/^HTTP\/1\.1 400/);
    expect(twoHosts).toContain('{"oops":"MALFORMED_REQUEST"}');
    expect(twoHosts.toLowerCase()).toContain('connection: close');
    const expectation = await exchange(port, 'GET / HTTP/1.1\r\nHost: a\r\nExpect: teapot\r\n\r\n');
    expect(expectation).toMatch(/^HTTP\/1\.1 417/);
    expect(expectation).toContain('{"oops":"EXPECTATION_FAILED"}');
  });

  it('closes the connection after refusing a body the client was not yet asked for', async () => {
    const app = track(createApp({ addr: '127.0.0.1:0' }));
    app.post('/small', (w) => {
      w.writeHead(413);
      w.end('too big');
    });
    const { port } = await app.listen();
    const out = await exchange(
      port,
      'POST /small HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 100000\r\n\r\n',
    );
    expect(out).toMatch(/^HTTP\/1\.1 413/);
    expect(out).not.toContain('HTTP/1.1 100');
    expect(out.toLowerCase()).toContain('connection: close');
  });

  it('logs no error for handlers that return nothing, in process or over a socket', async () => {
    const { logger, lines } = memoryLogger();
    const app = track(createApp({ addr: '127.0.0.1:0' }, { logger }));
    app.get('/sync', (w) => {
      w.writeHead(200);
      w.end('ok');
    });
    expect((await app.request('/sync')).status).toBe(200);
    const { port } = await app.listen();
    expect((await fetch(`http://127.0.0.1:${port}/sync`)).status).toBe(200);
    expect(lines().filter((l) => l['level'] === 'ERROR')).toEqual([]);
    expect(lines().find((l) => l['msg'] === 'server listening')).toMatchObject({ addr: `127.0.0.1:${port}` });
  });

  it('cuts a response already under way when the handler then throws, instead of ending it as if complete', async () => {
    const app = track(createApp({ addr: '127.0.0.1:0' }));
    app.get('/half', (w) => {
      w.writeHead(200);
      w.write('part');
      throw new Error('late failure');
    });
    const { port } = await app.listen();
    const out = await exchange(port, 'GET /half HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n');
    // Whatever bytes got out before the cut, the client never sees a complete response (a chunked
    // body ends with a zero-length chunk) nor a second status line.
    expect(out.endsWith('0\r\n\r\n')).toBe(false);
    expect(out.match(/HTTP\/1\.1 /g)?.length ?? 0).toBeLessThanOrEqual(1);
  });

  it('keeps the per-address count while one of two connections stays open', async () => {
    const app = track(createApp({ addr: '127.0.0.1:0', maxConnectionsPerIp: 2 }));
    app.get('/', ok);
    const { port } = await app.listen();
    const a = await open(port);
    const b = await open(port);
    await closed(a);
    // The server sees the close a moment after the client: wait until a third connection is served.
    let served = '';
    for (let i = 0; i < 100 && !served.startsWith('HTTP/1.1 200'); i++)
      served = await exchange(port, 'GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n');
    expect(served).toMatch(/^HTTP\/1\.1 200/);
    const c = await open(port);
    // b and c are open: a fourth connection is over the limit.
    expect(await exchange(port, 'GET / HTTP/1.1\r\nHost: a\r\n\r\n')).toMatch(/^HTTP\/1\.1 429/);
    b.destroy();
    c.destroy();
  });

  it('counts connections per peer address', async () => {
    const app = track(createApp({ addr: '127.0.0.1:0', maxConnectionsPerIp: 1 }));
    app.get('/', ok);
    const { port } = await app.listen();
    const a = await open(port, '127.0.0.1');
    expect(await exchange(port, 'GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n', '127.0.0.2')).toMatch(
      /^HTTP\/1\.1 200/,
    );
    expect(await exchange(port, 'GET / HTTP/1.1\r\nHost: a\r\n\r\n', '127.0.0.1')).toMatch(/^HTTP\/1\.1 429/);
    a.destroy();
  });

  it('no longer counts a connection the client closed when shutdown starts', async () => {
    const app = track(createApp({ addr: '127.0.0.1:0' }));
    app.get('/', ok);
    const { port } = await app.listen();
    expect(await exchange(port, 'GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n')).toMatch(/^HTTP\/1\.1 200/);
    await serverSeesNoConnections(app);
    expect(await app.shutdown({ timeoutMs: 500 })).toEqual({ forced: false, openConnections: 0 });
  });

  it('reports the cause of a failed listen', async () => {
    const a = track(createApp({ addr: '127.0.0.1:0' }));
    a.get('/', ok);
    const { port } = await a.listen();
    const b = track(createApp({ addr: `127.0.0.1:${port}` }));
    b.get('/', ok);
    await expect(b.listen()).rejects.toMatchObject({
      code: 'CORE_LISTEN_FAILED',
      cause: expect.objectContaining({ code: 'EADDRINUSE' }),
    });
  });
});

describe("Node's clientError", () => {
  function fakeSocket() {
    const calls: string[] = [];
    const socket = {
      writable: true,
      end: (data: Buffer, cb?: () => void) => {
        calls.push(`end ${data.toString('latin1').split('\r\n')[0]}`);
        cb?.();
      },
      destroy: () => {
        calls.push('destroy');
      },
    };
    return { socket, calls };
  }

  it.each(['ECONNRESET', 'EPIPE'])('destroys the socket without writing after %s', (code) => {
    const app = createApp();
    app.get('/', ok);
    const server = app.prepare();
    const { socket, calls } = fakeSocket();
    server.emit('clientError', Object.assign(new Error(code), { code }), socket);
    expect(calls).toEqual(['destroy']);
  });

  it('answers a parser error with the envelope, then closes', () => {
    const app = createApp();
    app.get('/', ok);
    const server = app.prepare();
    const { socket, calls } = fakeSocket();
    server.emit('clientError', Object.assign(new Error('bad'), { code: 'HPE_INVALID_METHOD' }), socket);
    expect(calls).toEqual(['end HTTP/1.1 400 Bad Request', 'destroy']);
  });
});

describe('lifecycle stop failures', () => {
  it('carries every stop error as the cause, in stop order', async () => {
    const first = new Error('a failed');
    const second = new Error('b failed');
    const g = createLifecycleGroup()
      .add('a', {
        stop: () => {
          throw first;
        },
      })
      .add('b', {
        stop: async () => {
          throw second;
        },
      });
    await g.start();
    const err = await g.stop().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: 'CORE_LIFECYCLE_STOP_FAILED' });
    expect((err as Error).cause).toBeInstanceOf(AggregateError);
    expect(((err as Error).cause as AggregateError).errors).toEqual([second, first]);
  });
});
