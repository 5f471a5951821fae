// Behaviour of the app kernel at its edges: what prepare() hands to Node, what an in-process request
// returns for bodiless statuses and HEAD, the error-body hook and client disconnects without a
// socket, repeated listen/shutdown calls and the configured shutdown deadline.
import { afterEach, describe, expect, it } from 'vitest';
import { APIError, writeResponse, type Handler } from 'plumego/contract';
import { createLogger } from 'plumego/log';
import { createApp, type App } from './app.ts';
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
  return { logger, lines: () => out.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe('prepare()', () => {
  it('hands the configured timeouts to the Node server', () => {
    const app = createApp({ readTimeoutMs: 4_444, readHeaderTimeoutMs: 2_222, idleTimeoutMs: 3_333, writeTimeoutMs: 1_111 });
    app.get('/', ok);
    const server = app.prepare();
    expect([server.requestTimeout, server.headersTimeout, server.keepAliveTimeout, server.timeout]).toEqual([4_444, 2_222, 3_333, 1_111]);
    expect(server.listening).toBe(false);
  });

  it('reports TLS material Node cannot use as CORE_SERVER_SETUP, and stays unprepared', () => {
    const app = createApp({ tls: { cert: 'not a certificate', key: 'not a key' } });
    app.get('/', ok);
    let error: unknown;
    try { app.prepare(); } catch (e) { error = e; }
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
    app.get('/ok', (w) => { w.writeHead(200); w.end('hello'); });
    app.get('/204', (w) => { w.writeHead(204); w.end(); });
    app.get('/304', (w) => { w.writeHead(304); w.end(); });
    app.get('/own-length', (w) => { w.setHeader('content-length', '5'); w.writeHead(200); w.end('hello'); });
    app.get('/chunked', (w) => { w.setHeader('transfer-encoding', 'chunked'); w.writeHead(200); w.end('hello'); });
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
  });

  it('waits for a response ended after the handler returned', async () => {
    const app = createApp();
    app.get('/later', (w) => { setTimeout(() => { w.writeHead(202); w.end('late'); }, 5); });
    const res = await app.request('/later');
    expect([res.status, res.text()]).toEqual([202, 'late']);
  });

  it('uses formatErrorBody in process too, for unmatched routes and thrown errors', async () => {
    const app = createApp({}, { formatErrorBody: (err) => JSON.stringify({ oops: err.code }) });
    app.get('/boom', () => { throw new APIError({ type: 'forbidden_request', code: 'NOPE' }); });
    const missing = await app.request('/nowhere');
    expect([missing.status, missing.json()]).toEqual([404, { oops: 'ROUTE_NOT_FOUND' }]);
    const thrown = await app.request('/boom');
    expect([thrown.status, thrown.json()]).toEqual([403, { oops: 'NOPE' }]);
  });

  it('answers 499 without an error line when the handler fails because the client went away', async () => {
    const { logger, lines } = memoryLogger();
    const app = createApp({}, { logger });
    const gone = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    app.get('/sync', () => { throw gone; });
    app.get('/async', async () => { throw new Error('read failed', { cause: gone }); });
    app.get('/after', (w) => { w.writeHead(200); w.end('sent'); throw gone; });
    expect((await app.request('/sync')).status).toBe(499);
    expect((await app.request('/async')).status).toBe(499);
    const after = await app.request('/after');
    expect([after.status, after.text()]).toEqual([200, 'sent']);
    expect(lines().filter((l) => l['level'] === 'error')).toEqual([]);
  });

  it('logs an unhandled error once with method, route and error type, and answers 500', async () => {
    const { logger, lines } = memoryLogger();
    const app = createApp({}, { logger });
    app.post('/items/:id', () => { throw new TypeError('bad'); });
    const res = await app.request({ url: '/items/7', method: 'POST' });
    expect(res.status).toBe(500);
    const errors = lines().filter((l) => l['msg'] === 'unhandled handler error');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ method: 'POST', route: '/items/:id', error_type: 'TypeError' });
    expect(res.text()).not.toContain('bad');
  });

  it('ends a response whose headers were already sent when the handler then throws', async () => {
    const app = createApp();
    app.get('/half', (w) => { w.writeHead(200); w.write('part'); throw new Error('late failure'); });
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
    app.get('/hang', () => { arrived(); return new Promise<void>(() => {}); });
    const { port } = await app.listen();
    const hanging = fetch(`http://127.0.0.1:${port}/hang`).catch((e: unknown) => e);
    await arrival;
    const result = await app.shutdown();
    expect(result).toEqual({ forced: true, openConnections: 1 });
    expect(await hanging).toBeInstanceOf(Error);
    const msgs = lines().map((l) => l['msg']);
    expect(msgs).toContain('draining open connections');
    expect(lines().find((l) => l['msg'] === 'shutting down')).toMatchObject({ open_connections: 1, timeout_ms: 150 });
    expect(lines().find((l) => l['msg'] === 'shutdown deadline passed; closing connections')).toMatchObject({ open_connections: 1 });
    expect(lines().find((l) => l['msg'] === 'server stopped')).toMatchObject({ forced: true });
  });
});
