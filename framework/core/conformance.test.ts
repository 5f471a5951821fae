import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APIError, readJson, writeResponse } from 'plumego/contract';
import { createCanonicalStack } from 'plumego/middleware';
import { createApp, type App } from './app.ts';

/** One request, however it travels. */
interface Reply {
  status: number;
  header(name: string): string | null;
  text: string;
}
type Client = (
  method: string,
  path: string,
  init?: { headers?: Record<string, string>; body?: string },
) => Promise<Reply>;

function buildApp(): App {
  const app = createApp({ addr: '127.0.0.1:0', methodNotAllowed: true });
  app.use(
    ...createCanonicalStack({ cors: { allowedOrigins: ['https://app.example'] }, maxBodyBytes: 64, timeoutMs: 50 }),
  );
  app.get('/users/:id', (w, r) => writeResponse(w, r, 200, { id: r.param('id') }, { source: 'test' }));
  app.post('/users', async (w, r) => writeResponse(w, r, 201, await readJson(r)));
  app.get('/slow', async (w, r) => {
    await new Promise((res) => setTimeout(res, 200));
    writeResponse(w, r, 200, 'late');
  });
  app.get('/throws', () => {
    throw new Error('hidden');
  });
  app.get('/gone', () => {
    throw new APIError({ type: 'resource_gone', code: 'ITEM_GONE', message: 'item is gone' });
  });
  return app;
}

const inProcess =
  (app: App): Client =>
  async (method, path, init = {}) => {
    const res = await app.request({
      method,
      url: path,
      headers: init.headers ?? {},
      ...(init.body !== undefined ? { body: init.body } : {}),
    });
    return {
      status: res.status,
      header: (n) => (res.headers[n.toLowerCase()] as string | undefined) ?? null,
      text: res.text(),
    };
  };

const overSocket =
  (port: number): Client =>
  async (method, path, init = {}) => {
    const res = await fetch(`http://127.0.0.1:${port}${path}`, {
      method,
      headers: init.headers ?? {},
      ...(init.body !== undefined ? { body: init.body } : {}),
    });
    return { status: res.status, header: (n) => res.headers.get(n), text: await res.text() };
  };

// The same suite runs in process and once over a real socket.
describe.each(['in-process', 'socket'] as const)('canonical stack conformance (%s)', (transport) => {
  const app = buildApp();
  let client: Client;
  beforeAll(async () => {
    client = transport === 'in-process' ? inProcess(app) : overSocket((await app.listen()).port);
  });
  afterAll(() => app.shutdown({ timeoutMs: 200 }));

  it('writes the success envelope byte for byte, with request id and security headers', async () => {
    const res = await client('GET', '/users/42', { headers: { 'x-request-id': 'abc' } });
    expect(res.status).toBe(200);
    expect(res.text).toBe('{"data":{"id":"42"},"meta":{"source":"test"},"request_id":"abc"}\n');
    expect(res.header('content-type')).toBe('application/json');
    expect(res.header('x-request-id')).toBe('abc');
    expect(res.header('x-content-type-options')).toBe('nosniff');
    expect(res.header('content-length')).toBe(String(Buffer.byteLength(res.text)));
  });

  it('answers unknown paths with the 404 envelope, still with security headers', async () => {
    const res = await client('GET', '/missing', { headers: { 'x-request-id': 'miss-1' } });
    expect([res.status, res.header('content-type'), res.header('x-frame-options')]).toEqual([
      404,
      'application/json',
      'SAMEORIGIN',
    ]);
    expect(JSON.parse(res.text)).toEqual({
      error: {
        code: 'ROUTE_NOT_FOUND',
        message: 'no route matches the request',
        category: 'client_error',
        type: 'resource_not_found',
      },
      request_id: 'miss-1',
    });
  });

  it('answers a wrong method with 405 and a sorted Allow header', async () => {
    const res = await client('DELETE', '/users/1');
    expect(res.status).toBe(405);
    expect(res.header('allow')).toBe('GET, HEAD');
    expect(JSON.parse(res.text).error).toMatchObject({ code: 'METHOD_NOT_ALLOWED', type: 'method_not_allowed' });
  });

  it('serves HEAD without a body', async () => {
    const res = await client('HEAD', '/users/1');
    expect([res.status, res.text]).toEqual([200, '']);
  });

  it('answers 413 for an oversized body', async () => {
    const res = await client('POST', '/users', {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'x'.repeat(100) }),
    });
    expect(res.status).toBe(413);
    expect(JSON.parse(res.text).error).toMatchObject({ code: 'REQUEST_BODY_TOO_LARGE', details: { max_bytes: 64 } });
  });

  it.each([
    {
      title: 'invalid JSON',
      headers: { 'content-type': 'application/json' },
      body: '{"a":',
      status: 400,
      code: 'INVALID_JSON',
      type: 'bad_request',
    },
    {
      title: 'a non-JSON content type',
      headers: { 'content-type': 'text/plain' },
      body: 'hi',
      status: 415,
      code: 'UNSUPPORTED_MEDIA_TYPE',
      type: 'unsupported_media_type',
    },
  ])('answers $status for $title', async ({ headers, body, status, code, type }) => {
    const res = await client('POST', '/users', { headers, body });
    expect(res.status).toBe(status);
    expect(JSON.parse(res.text).error).toMatchObject({ code, type, category: 'client_error' });
    expect(res.header('x-request-id')).toBeTruthy();
  });

  it('accepts a valid JSON body', async () => {
    const res = await client('POST', '/users', {
      headers: { 'content-type': 'application/json' },
      body: '{"name":"ada"}',
    });
    expect([res.status, JSON.parse(res.text).data]).toEqual([201, { name: 'ada' }]);
  });

  it('answers 504 when the handler runs past the budget', async () => {
    const res = await client('GET', '/slow');
    expect(res.status).toBe(504);
    expect(JSON.parse(res.text).error.code).toBe('GATEWAY_TIMEOUT');
  });

  it('recovers a throwing handler into a 500 without leaking its message', async () => {
    const res = await client('GET', '/throws');
    expect(res.status).toBe(500);
    expect(res.text).not.toContain('hidden');
    expect(res.header('referrer-policy')).toBe('strict-origin-when-cross-origin');
  });

  it('sends a thrown APIError with its extension code', async () => {
    const res = await client('GET', '/gone');
    expect(res.status).toBe(410);
    expect(JSON.parse(res.text).error).toMatchObject({
      code: 'ITEM_GONE',
      type: 'resource_gone',
      category: 'client_error',
    });
  });

  it('answers a CORS preflight for an allowed origin and ignores others', async () => {
    const pre = await client('OPTIONS', '/users', {
      headers: { origin: 'https://app.example', 'access-control-request-method': 'POST' },
    });
    expect([pre.status, pre.header('access-control-allow-origin')]).toEqual([204, 'https://app.example']);
    const other = await client('GET', '/users/1', { headers: { origin: 'https://evil.example' } });
    expect(other.header('access-control-allow-origin')).toBeNull();
  });

  it('answers 400 for malformed percent-encoding', async () => {
    const res = await client('GET', '/users/%E0%A4%A');
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text).error.code).toBe('BAD_REQUEST');
  });
});
