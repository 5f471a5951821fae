import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { NodeResponseWriter, composeMiddleware, createRequestFromNode, type Middleware } from 'plumego/contract';
import { createProxy } from 'plumego/x/gateway';
import { TRANSFORM_ERROR_CODES, isTransformError } from './errors.ts';
import { resolveHeaderRules } from './header-rules.ts';
import { transformRequest, transformResponse } from './transform.ts';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanup.length > 0) await cleanup.pop()!();
});

async function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanup.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

interface Seen {
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

async function setup(
  middleware: Middleware[],
  respond: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<{ url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const up = await listen((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      seen.push({ url: req.url!, headers: req.headers, body });
      respond(req, res);
    });
  });
  const proxy = createProxy({ targets: [up], circuitBreaker: false, outlierDetection: false });
  cleanup.push(() => proxy.close());
  const handler = composeMiddleware(middleware, proxy.handler);
  const url = await listen((req, res) => void handler(new NodeResponseWriter(res), createRequestFromNode(req, res)));
  return { url, seen };
}

const okJson = (_q: IncomingMessage, s: ServerResponse): void => {
  s.setHeader('content-type', 'application/json');
  s.end(JSON.stringify({ id: 1, secret: 'internal', name: 'n' }));
};

describe('request transforms', () => {
  it('edits headers in the order remove, rename, set, add', async () => {
    const { url, seen } = await setup(
      [
        transformRequest({
          headers: {
            remove: ['x-drop'],
            rename: { 'x-old': 'x-new' },
            set: { 'x-api-version': '2' },
            add: { 'x-tag': 'gw' },
          },
        }),
      ],
      okJson,
    );
    await fetch(`${url}/h`, { headers: { 'x-drop': '1', 'x-old': 'moved', 'x-api-version': '1', 'x-tag': 'client' } });
    const h = seen[0]!.headers;
    expect(h['x-drop']).toBeUndefined();
    expect(h['x-old']).toBeUndefined();
    expect(h['x-new']).toBe('moved');
    expect(h['x-api-version']).toBe('2');
    expect(h['x-tag']).toBe('client, gw');
  });

  it('rewrites the path and keeps the query', async () => {
    const { url, seen } = await setup([transformRequest({ path: (p) => p.replace(/^\/v1\//, '/internal/') })], okJson);
    await fetch(`${url}/v1/users?sort=asc`);
    expect(seen[0]!.url).toBe('/internal/users?sort=asc');
  });

  it('rewrites a JSON body with a correct Content-Length', async () => {
    const { url, seen } = await setup(
      [transformRequest({ json: (b) => ({ ...(b as object), stamped: true }) })],
      okJson,
    );
    await fetch(`${url}/b`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ a: 1 }),
    });
    expect(JSON.parse(seen[0]!.body)).toEqual({ a: 1, stamped: true });
    expect(seen[0]!.headers['content-length']).toBe(String(Buffer.byteLength(seen[0]!.body)));
  });

  it('answers 413 for a body over the limit and 400 for a body that is not JSON, without contacting the upstream', async () => {
    const { url, seen } = await setup([transformRequest({ json: (b) => b, maxBodyBytes: 16 })], okJson);
    const big = await fetch(`${url}/b`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ long: 'x'.repeat(100) }),
    });
    expect(big.status).toBe(413);
    const bad = await fetch(`${url}/b`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{nope',
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('INVALID_JSON');
    expect(seen).toHaveLength(0);
  });
});

describe('response transforms', () => {
  it('rewrites a JSON body and its headers, dropping the stale ETag and length', async () => {
    const { url } = await setup(
      [
        transformResponse({
          headers: { remove: ['server'], set: { 'x-gw': '1' } },
          json: (b) => ({ ...(b as Record<string, unknown>), secret: undefined }),
        }),
      ],
      (_q, s) => {
        s.setHeader('server', 'upstream/1.0');
        s.setHeader('etag', '"v1"');
        okJson(_q, s);
      },
    );
    const res = await fetch(`${url}/r`);
    const text = await res.text();
    expect(JSON.parse(text)).toEqual({ id: 1, name: 'n' });
    expect(res.headers.get('content-length')).toBe(String(Buffer.byteLength(text)));
    expect(res.headers.get('server')).toBeNull();
    expect(res.headers.get('etag')).toBeNull();
    expect(res.headers.get('x-gw')).toBe('1');
  });

  it('asks the upstream for an uncoded body when it must read it', async () => {
    const { url, seen } = await setup([transformResponse({ json: (b) => b })], okJson);
    await fetch(`${url}/r`, { headers: { 'accept-encoding': 'gzip, br' } });
    expect(seen[0]!.headers['accept-encoding']).toBeUndefined();
  });

  it('passes non-JSON responses through untouched', async () => {
    const { url } = await setup([transformResponse({ json: () => 'never' })], (_q, s) => {
      s.setHeader('content-type', 'text/plain');
      s.end('plain text');
    });
    expect(await (await fetch(`${url}/t`)).text()).toBe('plain text');
  });

  it('answers 502 instead of relaying a body that is too large or not JSON', async () => {
    const tooLarge = await setup([transformResponse({ json: (b) => b, maxBodyBytes: 10 })], okJson);
    const a = await fetch(`${tooLarge.url}/r`);
    expect(a.status).toBe(502);
    expect(((await a.json()) as { error: { code: string } }).error.code).toBe(TRANSFORM_ERROR_CODES.upstreamTooLarge);
    const notJson = await setup([transformResponse({ json: (b) => b })], (_q, s) => {
      s.setHeader('content-type', 'application/json');
      s.end('{"truncated":');
    });
    const b = await fetch(`${notJson.url}/r`);
    expect(b.status).toBe(502);
    expect(((await b.json()) as { error: { code: string } }).error.code).toBe(TRANSFORM_ERROR_CODES.upstreamNotJson);
  });
});

describe('transform options', () => {
  it.each([
    { title: 'a bad header name', build: () => resolveHeaderRules({ remove: ['bad name'] }) },
    { title: 'a header value with a line break', build: () => resolveHeaderRules({ set: { 'x-a': 'a\r\nb' } }) },
    { title: 'a zero body limit', build: () => transformRequest({ maxBodyBytes: 0 }) },
    { title: 'a fractional body limit', build: () => transformResponse({ maxBodyBytes: 1.5 }) },
  ])('rejects $title when built', ({ build }) => {
    let caught: unknown;
    try {
      build();
    } catch (error) {
      caught = error;
    }
    expect(isTransformError(caught)).toBe(true);
    expect((caught as Error).message).not.toContain('a\r\nb');
  });
});
