import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeResponse } from 'plumego/contract';
import { createLogger } from 'plumego/log';
import { createService } from './app/service.ts';
import { DEFAULT_CONFIG } from './config.ts';

// Black-box tests: the service runs as its own process (`main.ts`), configured only through the
// environment, and is exercised over HTTP.

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');

interface Running {
  child: ChildProcess;
  base: string;
  lines: Record<string, unknown>[];
  exited: Promise<number | null>;
}

async function startService(env: Record<string, string>): Promise<Running> {
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', join(here, 'main.ts')], {
    cwd: root,
    env: { ...process.env, APP_ADDR: '127.0.0.1:0', APP_ENV_FILE: '', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines: Record<string, unknown>[] = [];
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const base = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('service did not start')), 15_000);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      try {
        const entry = JSON.parse(line) as Record<string, unknown>;
        lines.push(entry);
        if (entry['msg'] === 'server listening') {
          clearTimeout(timer);
          resolve(`http://${String(entry['addr'])}`);
        }
      } catch {
        // not a log line
      }
    });
    void exited.then((code) => reject(new Error(`service exited early with ${code}`)));
  });
  return { child, base, lines, exited };
}

const KEY = 'test-write-key';
let svc: Running;

beforeAll(async () => {
  svc = await startService({
    APP_WRITE_KEY: KEY,
    APP_MAX_BODY_BYTES: '256',
    APP_CORS_ALLOWED_ORIGINS: 'https://app.example, https://admin.example',
    APP_SERVICE_NAME: 'svc-under-test',
    APP_LOG_FORMAT: 'json',
  });
}, 20_000);

afterAll(async () => {
  svc.child.kill('SIGKILL');
  await svc.exited;
});

const call = (path: string, init: RequestInit = {}) => fetch(svc.base + path, init);
const json = async (res: Response) =>
  (await res.json()) as { data?: any; meta?: any; error?: any; request_id?: string };
const write = (method: string, path: string, body: unknown, key: string | null = KEY) =>
  call(path, {
    method,
    headers: { 'content-type': 'application/json', ...(key !== null ? { 'x-write-key': key } : {}) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

describe('standard-service routes', () => {
  it.each([
    { path: '/', check: (b: any) => expect(b.data.service).toBe('svc-under-test') },
    { path: '/healthz', check: (b: any) => expect(b.data).toMatchObject({ status: 'ok', service: 'svc-under-test' }) },
    {
      path: '/readyz',
      check: (b: any) => expect(b.data).toMatchObject({ ready: true, components: { item_store: true } }),
    },
    { path: '/api/hello', check: (b: any) => expect(b.data).toEqual({ message: 'hello, world' }) },
    { path: '/api/info', check: (b: any) => expect(b.data.runtime).toMatch(/^node v/) },
    { path: '/api/v1/greet?name=Ada', check: (b: any) => expect(b.data).toEqual({ message: 'hello, Ada' }) },
  ])('GET $path', async ({ path, check }) => {
    const res = await call(path);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    check(await json(res));
  });

  it('answers with request ids and security headers', async () => {
    const res = await call('/api/hello', { headers: { 'x-request-id': 'client-id-1' } });
    expect(res.headers.get('x-request-id')).toBe('client-id-1');
    expect((await json(res)).request_id).toBe('client-id-1');
    expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBe('strict-origin-when-cross-origin');
  });

  it('requires the greet name', async () => {
    const res = await call('/api/v1/greet');
    expect(res.status).toBe(400);
    expect((await json(res)).error).toMatchObject({ code: 'GREET_NAME_REQUIRED', type: 'required_field_missing' });
  });

  it('answers unknown routes with 404 and wrong methods with 405', async () => {
    expect((await call('/nope')).status).toBe(404);
    const res = await call('/api/hello', { method: 'POST' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, HEAD');
  });
});

describe('items CRUD', () => {
  it('creates, reads, lists, replaces, patches and deletes an item', async () => {
    const created = await write('POST', '/api/v1/items', { name: 'Lamp', price: 12.5 });
    expect(created.status).toBe(201);
    const item = (await json(created)).data;
    expect(item).toMatchObject({ name: 'Lamp', price: 12.5, description: '' });

    expect((await json(await call(`/api/v1/items/${item.id}`))).data).toEqual(item);

    const list = await json(await call('/api/v1/items?limit=5'));
    expect(list.meta).toMatchObject({ limit: 5, offset: 0 });
    expect(list.data.map((x: any) => x.id)).toContain(item.id);

    const replaced = await json(await write('PUT', `/api/v1/items/${item.id}`, { name: 'Desk lamp' }));
    expect(replaced.data).toMatchObject({ name: 'Desk lamp', price: 0 });
    const patched = await json(await write('PATCH', `/api/v1/items/${item.id}`, { price: 3 }));
    expect(patched.data).toMatchObject({ name: 'Desk lamp', price: 3 });

    const del = await call(`/api/v1/items/${item.id}`, { method: 'DELETE', headers: { 'x-write-key': KEY } });
    expect([del.status, await del.text()]).toEqual([204, '']);
    const gone = await call(`/api/v1/items/${item.id}`);
    expect(gone.status).toBe(404);
    expect((await json(gone)).error.code).toBe('ITEM_NOT_FOUND');
  });

  it.each([
    { title: 'no key', key: null },
    { title: 'a wrong key', key: 'nope' },
    { title: 'a key with the right prefix', key: KEY + 'x' },
  ])('rejects writes with $title', async ({ key }) => {
    const res = await write('POST', '/api/v1/items', { name: 'x' }, key);
    expect(res.status).toBe(401);
    expect((await json(res)).error).toMatchObject({ code: 'AUTH_KEY_INVALID', category: 'auth_error' });
  });

  it.each([
    { title: 'invalid JSON', body: '{"name":', status: 400, code: 'INVALID_JSON' },
    { title: 'an empty body', body: '', status: 400, code: 'INVALID_JSON' },
    { title: 'a non-object', body: '[1]', status: 400, code: 'ITEM_BODY_NOT_OBJECT' },
    { title: 'an unknown field', body: '{"name":"x","color":"red"}', status: 400, code: 'ITEM_UNKNOWN_FIELD' },
    { title: 'a missing name', body: '{"price":1}', status: 400, code: 'ITEM_FIELDS_REQUIRED' },
    { title: 'a mistyped price', body: '{"name":"x","price":"cheap"}', status: 400, code: 'ITEM_INVALID_FIELD' },
  ])('rejects $title with $code', async ({ body, status, code }) => {
    const res = await write('POST', '/api/v1/items', body);
    expect(res.status).toBe(status);
    const e = (await json(res)).error;
    expect(e.code).toBe(code);
    if (code === 'ITEM_UNKNOWN_FIELD') expect(e.details).toEqual({ field: 'color' });
  });

  it('rejects a non-JSON content type with 415', async () => {
    const res = await call('/api/v1/items', {
      method: 'POST',
      headers: { 'x-write-key': KEY, 'content-type': 'text/plain' },
      body: 'name=x',
    });
    expect(res.status).toBe(415);
  });

  it.each(['limit=0', 'limit=101', 'limit=abc', 'offset=-1'])('rejects list params %s', async (q) => {
    const res = await call(`/api/v1/items?${q}`);
    expect(res.status).toBe(400);
    expect((await json(res)).error.code).toBe('ITEMS_INVALID_PARAM');
  });

  it('answers 413 for a body over APP_MAX_BODY_BYTES', async () => {
    const res = await write('POST', '/api/v1/items', { name: 'x', description: 'y'.repeat(400) });
    expect(res.status).toBe(413);
    expect((await json(res)).error).toMatchObject({ code: 'REQUEST_BODY_TOO_LARGE', details: { max_bytes: 256 } });
  });
});

describe('CORS (strict origins from APP_CORS_ALLOWED_ORIGINS)', () => {
  it('answers a preflight from an allowed origin', async () => {
    const res = await call('/api/v1/items', {
      method: 'OPTIONS',
      headers: {
        origin: 'https://admin.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('https://admin.example');
    expect(res.headers.get('access-control-allow-methods')).toContain('POST');
  });

  it('sends no CORS headers to other origins', async () => {
    const res = await call('/api/hello', { headers: { origin: 'https://evil.example' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('adds CORS headers to a simple request from an allowed origin', async () => {
    const res = await call('/api/hello', { headers: { origin: 'https://app.example' } });
    expect(res.headers.get('access-control-allow-origin')).toBe('https://app.example');
    expect(res.headers.get('vary')).toContain('Origin');
  });
});

describe('logging', () => {
  it('warns about insecure defaults only when they apply and logs requests with the route pattern', async () => {
    await call('/api/v1/items/unknown-id');
    // The service's logger batches lines for up to 50 ms.
    await new Promise((r) => setTimeout(r, 250));
    const msgs = svc.lines.map((l) => l['msg']);
    expect(msgs).not.toContain('APP_WRITE_KEY is empty: write routes are closed');
    const entry = svc.lines.find((l) => l['msg'] === 'request completed' && l['path'] === '/api/v1/items/unknown-id');
    expect(entry).toMatchObject({ route: '/api/v1/items/:id', status: 404 });
  });
});

describe('timeout and graceful shutdown', () => {
  it('answers 504 when a handler runs past the budget', async () => {
    const { app } = createService(
      { ...DEFAULT_CONFIG, addr: '127.0.0.1:0', timeoutMs: 40 },
      { logger: createLogger({ format: 'discard' }) },
    );
    app.get('/test/slow', async (w, r) => {
      await new Promise((res) => setTimeout(res, 200));
      writeResponse(w, r, 200, 'late');
    });
    const { port } = await app.listen();
    try {
      const res = await fetch(`http://127.0.0.1:${port}/test/slow`);
      expect(res.status).toBe(504);
      expect(((await res.json()) as any).error.code).toBe('GATEWAY_TIMEOUT');
    } finally {
      await app.shutdown({ timeoutMs: 300 });
    }
  });

  it('finishes an in-flight request during shutdown', async () => {
    const { app } = createService(
      { ...DEFAULT_CONFIG, addr: '127.0.0.1:0' },
      { logger: createLogger({ format: 'discard' }) },
    );
    let arrived!: () => void;
    const arrival = new Promise<void>((r) => (arrived = r));
    app.get('/test/slow', async (w, r) => {
      arrived();
      await new Promise((res) => setTimeout(res, 150));
      writeResponse(w, r, 200, 'finished');
    });
    const { port } = await app.listen();
    const inflight = fetch(`http://127.0.0.1:${port}/test/slow`).then(async (r) => [
      r.status,
      ((await r.json()) as any).data,
    ]);
    await arrival;
    const result = await app.shutdown({ timeoutMs: 15_000 });
    expect(await inflight).toEqual([200, 'finished']);
    expect(result.forced).toBe(false);
  });

  it('exits 0 on SIGTERM well within 15 s', async () => {
    const other = await startService({ APP_WRITE_KEY: '' });
    expect((await fetch(other.base + '/healthz')).status).toBe(200);
    expect(other.lines.map((l) => l['msg'])).toContain('APP_WRITE_KEY is empty: write routes are closed');
    // No key configured means no write gets through, not every write.
    const write = await fetch(other.base + '/api/v1/items', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"name":"x"}',
    });
    expect(write.status).toBe(401);
    const started = Date.now();
    other.child.kill('SIGTERM');
    expect(await other.exited).toBe(0);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(other.lines.map((l) => l['msg'])).toContain('shutdown complete');
  }, 25_000);
});
