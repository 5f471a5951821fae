import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { APIError, writeResponse, type Handler } from 'plumego/contract';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFileOutput, createLogger } from 'plumego/log';
import { accessLog } from 'plumego/middleware';
import { createApp, type App } from './app.ts';
import { CoreError } from './errors.ts';

const ok: Handler = (w, r) => writeResponse(w, r, 200, { ok: true });
const apps: App[] = [];
function track(app: App): App {
  apps.push(app);
  return app;
}
afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.shutdown({ timeoutMs: 100 })));
});

/** Sends raw bytes and returns whatever the server answers before closing. */
function rawExchange(port: number, payload: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let data = '';
    socket.on('data', (d) => (data += d.toString('latin1')));
    socket.on('error', reject);
    socket.on('close', () => resolve(data));
    socket.write(payload);
    setTimeout(() => socket.end(), 300);
  });
}

describe('registration and preparation states', () => {
  it('moves mutable → handler_prepared → server_prepared and freezes registration', async () => {
    const app = track(createApp({ addr: '127.0.0.1:0' }));
    app.get('/', ok);
    expect(app.preparationState).toBe('mutable');
    await app.request('/');
    expect(app.preparationState).toBe('handler_prepared');
    expect(() => app.get('/late', ok)).toThrow(
      expect.objectContaining({ code: 'CORE_FROZEN', operation: 'add_route' }),
    );
    expect(() => app.use((n) => n)).toThrow(
      expect.objectContaining({ code: 'CORE_FROZEN', operation: 'use_middleware' }),
    );
    app.prepare();
    expect(app.preparationState).toBe('server_prepared');
    expect(app.prepare()).toBe(app.server);
  });

  it('adds middleware atomically', () => {
    const app = createApp();
    expect(() => app.use((n) => n, 'nope' as never)).toThrow(CoreError);
    app.get('/', ok);
    return app.request('/').then((res) => expect(res.status).toBe(200));
  });

  it.each([
    { title: 'a bad address', config: { addr: 'localhost' } },
    { title: 'a port out of range', config: { addr: ':70000' } },
    { title: 'a negative timeout', config: { readTimeoutMs: -1 } },
    { title: 'a tiny header limit', config: { maxHeaderBytes: 10 } },
  ])('rejects $title when the app is created', ({ config }) => {
    expect(() => createApp(config)).toThrow(CoreError);
  });

  it('lists routes and builds urls', () => {
    const app = createApp();
    app.get('/users/:id', ok, { name: 'user' });
    app.group('/api').post('/items', ok);
    expect(app.routes().map((r) => `${r.method} ${r.path}`)).toEqual(['GET /users/:id', 'POST /api/items']);
    expect(app.url('user', { id: 'a b' })).toBe('/users/a%20b');
  });

  it('warns when prepared without routes', () => {
    const lines: string[] = [];
    const app = createApp(
      {},
      { logger: createLogger({ buffered: false, output: { write: (s: string) => lines.push(s) } }) },
    );
    app.prepareHandler();
    expect(lines.join('')).toContain('no routes registered');
  });
});

describe('last-resort error handling without recovery middleware', () => {
  it.each([
    {
      title: 'a synchronous throw',
      h: (() => {
        throw new Error('x');
      }) as Handler,
      status: 500,
    },
    {
      title: 'a rejection',
      h: (async () => {
        throw new Error('x');
      }) as Handler,
      status: 500,
    },
    {
      title: 'a thrown APIError',
      h: (() => {
        throw new APIError({ type: 'forbidden_request' });
      }) as Handler,
      status: 403,
    },
  ])('answers $status for $title, in process and over a socket', async ({ h, status }) => {
    const app = track(createApp({ addr: '127.0.0.1:0' }));
    app.get('/', h);
    expect((await app.request('/')).status).toBe(status);
    const { port } = await app.listen();
    const res = await fetch(`http://127.0.0.1:${port}/`);
    expect(res.status).toBe(status);
    expect(((await res.json()) as { error: { category: string } }).error.category).toBeTypeOf('string');
  });
});

describe('listen and shutdown', () => {
  it('drains an in-flight request, then refuses new connections', async () => {
    const app = track(createApp({ addr: '127.0.0.1:0', drainIntervalMs: 20 }));
    let arrived!: () => void;
    const arrival = new Promise<void>((r) => (arrived = r));
    app.get('/slow', async (w, r) => {
      arrived();
      await new Promise((res) => setTimeout(res, 150));
      writeResponse(w, r, 200, 'done');
    });
    const { port } = await app.listen();
    const inflight = fetch(`http://127.0.0.1:${port}/slow`).then((r) => r.json());
    await arrival;
    const result = await app.shutdown({ timeoutMs: 2_000 });
    expect(await inflight).toEqual({ data: 'done' });
    expect(result.forced).toBe(false);
    await expect(fetch(`http://127.0.0.1:${port}/slow`)).rejects.toThrow();
    await expect(app.listen()).rejects.toMatchObject({ code: 'CORE_SHUT_DOWN' });
    expect(app.preparationState).toBe('server_prepared');
  });

  it('writes buffered log lines before shutdown resolves', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'plumego-core-'));
    try {
      const file = join(dir, 'access.log');
      // A flush interval far beyond the test: only shutdown can have written the lines.
      const logger = createLogger({ output: createFileOutput(file), flushIntervalMs: 3_600_000 });
      const app = track(createApp({ addr: '127.0.0.1:0' }, { logger }));
      app.use(accessLog({ logger }));
      app.get('/a', ok);
      const { port } = await app.listen();
      expect((await fetch(`http://127.0.0.1:${port}/a`)).status).toBe(200);
      expect(readFileSync(file, 'utf8')).toBe('');
      await app.shutdown({ timeoutMs: 1_000 });
      const msgs = readFileSync(file, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l).msg);
      expect(msgs.slice(0, 3)).toEqual(['server listening', 'request completed', 'shutting down']);
      expect(msgs.at(-1)).toBe('server stopped');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('closes a hanging request at the deadline', async () => {
    const app = track(createApp({ addr: '127.0.0.1:0' }));
    let arrived!: () => void;
    const arrival = new Promise<void>((r) => (arrived = r));
    app.get('/hang', () => {
      arrived();
      return new Promise<void>(() => {});
    });
    const { port } = await app.listen();
    const hanging = fetch(`http://127.0.0.1:${port}/hang`).catch((e: unknown) => e);
    await arrival;
    const started = Date.now();
    const result = await app.shutdown({ timeoutMs: 100 });
    expect(result.forced).toBe(true);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(await hanging).toBeInstanceOf(Error);
  });

  it('reports a busy port as a CoreError', async () => {
    const a = track(createApp({ addr: '127.0.0.1:0' }));
    a.get('/', ok);
    const { port } = await a.listen();
    const b = track(createApp({ addr: `127.0.0.1:${port}` }));
    b.get('/', ok);
    await expect(b.listen()).rejects.toMatchObject({ code: 'CORE_LISTEN_FAILED', operation: 'listen' });
  });
});

describe('bad input on a real socket', () => {
  async function server(config = {}): Promise<number> {
    const app = track(createApp({ addr: '127.0.0.1:0', ...config }));
    app.get('/', ok);
    app.get('/wait', async (w, r) => {
      await new Promise((res) => setTimeout(res, 50));
      if (!r.signal.aborted) writeResponse(w, r, 200, 'x');
    });
    return (await app.listen()).port;
  }

  it('answers 400 to a malformed request line', async () => {
    const out = await rawExchange(await server(), 'GARBAGE\r\n\r\n');
    expect(out).toMatch(/^HTTP\/1\.1 400/);
  });

  it('answers 400 to an unknown method', async () => {
    const out = await rawExchange(await server(), 'FROB / HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(out).toMatch(/^HTTP\/1\.1 400/);
  });

  it('answers 431 to oversize headers', async () => {
    const port = await server({ maxHeaderBytes: 2048 });
    const out = await rawExchange(port, `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(4096)}\r\n\r\n`);
    expect(out).toMatch(/^HTTP\/1\.1 431/);
  });

  it('answers 400 to malformed percent-encoding in the path', async () => {
    const port = await server();
    const out = await rawExchange(port, 'GET /%E0%A4%A HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(out).toMatch(/^HTTP\/1\.1 400/);
    expect(out).toContain('"code":"BAD_REQUEST"');
  });

  it('survives a client that disconnects mid-request and keeps serving', async () => {
    const port = await server();
    const socket = connect(port, '127.0.0.1');
    socket.write('GET /wait HTTP/1.1\r\nHost: x\r\n\r\n');
    await new Promise((r) => setTimeout(r, 10));
    socket.destroy();
    await new Promise((r) => setTimeout(r, 80));
    expect((await fetch(`http://127.0.0.1:${port}/`)).status).toBe(200);
  });

  it('survives a body that stops half-way', async () => {
    const port = await server();
    const socket = connect(port, '127.0.0.1');
    socket.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"a":');
    await new Promise((r) => setTimeout(r, 20));
    socket.destroy();
    expect((await fetch(`http://127.0.0.1:${port}/`)).status).toBe(200);
  });
});
