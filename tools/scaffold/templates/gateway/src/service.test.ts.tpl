import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from 'plumego/log';
import { DEFAULT_CONFIG } from './config.ts';
import { createService, type Service } from './service.ts';

// A real upstream on a loopback port: it echoes what it received, so the test sees what the
// gateway forwarded.
let upstream: Server;
let upstreamUrl: string;
let gateway: Service;

beforeAll(async () => {
  upstream = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ method: req.method, url: req.url, forwardedFor: req.headers['x-forwarded-for'] ?? null }));
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  gateway = createService({ ...DEFAULT_CONFIG, addr: '127.0.0.1:0' }, { logger: createLogger({ format: 'discard' }), upstreams: [upstreamUrl] });
  await gateway.app.listen();
});

afterAll(async () => {
  await gateway.close();
  await new Promise((resolve) => upstream.close(resolve));
});

const base = (): string => `http://127.0.0.1:${(gateway.app.server!.address() as AddressInfo).port}`;

describe('gateway', () => {
  it('forwards /api/* without the prefix and sets X-Forwarded-For', async () => {
    const res = await fetch(`${base()}/api/items/7?full=1`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ method: 'GET', url: '/items/7?full=1', forwardedFor: '127.0.0.1' });
  });

  it('forwards other methods with their body', async () => {
    const res = await fetch(`${base()}/api/items`, { method: 'POST', body: '{"name":"lamp"}', headers: { 'content-type': 'application/json' } });
    expect(((await res.json()) as { method: string }).method).toBe('POST');
  });

  it('answers 502 in the error envelope when no backend accepts the connection', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const deadUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise((resolve) => closed.close(resolve));
    const broken = createService({ ...DEFAULT_CONFIG, addr: '127.0.0.1:0' }, { logger: createLogger({ format: 'discard' }), upstreams: [deadUrl] });
    const res = await broken.app.request('/api/anything');
    expect(res.status).toBe(502);
    expect(res.json<{ error: { code: string } }>().error.code).toBe('GATEWAY_BAD_GATEWAY');
    expect(res.text()).not.toContain(deadUrl);
    await broken.close();
  });

  it('refuses an upstream that is not an http(s) URL when it is built', () => {
    expect(() => createService(DEFAULT_CONFIG, { logger: createLogger({ format: 'discard' }), upstreams: ['ftp://example.com'] })).toThrow();
  });

  it('keeps its own routes', async () => {
    expect((await fetch(`${base()}/healthz`)).status).toBe(200);
  });
});
