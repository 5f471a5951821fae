import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { status, type sendUnaryData, type ServerUnaryCall } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createLifecycleGroup, type LifecycleGroup } from 'plumego/core';
import { RpcServer, loadProtos } from 'plumego/x/rpc';
import { ConfigError, loadConfig } from './config.ts';
import { createGatewayService, type GatewayService } from './app/service.ts';

interface Upstream {
  url: string;
  hits: number;
  healthy: boolean;
  server: Server;
}

async function startUpstream(
  name: string,
  handle?: (req: IncomingMessage, res: ServerResponse, u: Upstream) => void,
): Promise<Upstream> {
  const u: Upstream = { url: '', hits: 0, healthy: true, server: undefined as never };
  u.server = createServer((req, res) => {
    if (req.url === '/healthz') {
      res.statusCode = u.healthy ? 200 : 503;
      res.end();
      return;
    }
    u.hits++;
    if (handle !== undefined) return handle(req, res, u);
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ served_by: name, path: req.url, xff: req.headers['x-forwarded-for'] ?? null }));
  });
  await new Promise<void>((resolve) => u.server.listen(0, '127.0.0.1', resolve));
  u.url = `http://127.0.0.1:${(u.server.address() as AddressInfo).port}`;
  return u;
}

function stop(s: Server): Promise<void> {
  return new Promise((resolve) => {
    s.closeAllConnections();
    s.close(() => resolve());
  });
}

function raw(port: number, payload: string): Promise<string> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1', () => s.write(payload));
    let out = '';
    s.setEncoding('utf8');
    s.on('data', (d: string) => (out += d));
    s.on('close', () => resolve(out));
    s.on('error', () => undefined);
    setTimeout(() => s.destroy(), 1_000);
  });
}

describe('gateway-service (black box over real sockets)', () => {
  let a: Upstream;
  let b: Upstream;
  let catalog: Upstream;
  let grpc: RpcServer;
  let lifecycle: LifecycleGroup;
  let svc: GatewayService;
  let base: string;
  let port: number;

  beforeAll(async () => {
    a = await startUpstream('a');
    b = await startUpstream('b');
    catalog = await startUpstream('catalog', (_req, res, u) => {
      res.setHeader('cache-control', 'public, max-age=60');
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ items: ['x', 'y'], generation: u.hits }));
    });
    const protos = loadProtos(fileURLToPath(new URL('./proto/inventory.proto', import.meta.url)));
    grpc = new RpcServer();
    grpc.addService(protos.getService('inventory.Inventory'), {
      GetStock(call: ServerUnaryCall<{ sku: string }, unknown>, cb: sendUnaryData<unknown>) {
        if (call.request.sku === 'missing')
          return cb({ code: status.NOT_FOUND, details: 'sku missing in warehouse db' });
        cb(null, { sku: call.request.sku, quantity: 7 });
      },
    });
    // The inventory server joins a lifecycle group as any app component does.
    lifecycle = createLifecycleGroup().add('inventory-grpc', grpc);
    await lifecycle.start();
    svc = createGatewayService(
      loadConfig({
        GATEWAY_ADDR: '127.0.0.1:0',
        GATEWAY_API_UPSTREAMS: `${a.url}=1,${b.url}=1`,
        GATEWAY_CATALOG_UPSTREAM: catalog.url,
        GATEWAY_GRPC_TARGET: `127.0.0.1:${grpc.port}`,
        GATEWAY_HEALTH_INTERVAL_MS: '50',
      }),
    );
    const address = await svc.app.listen(0, '127.0.0.1');
    port = address.port;
    base = `http://127.0.0.1:${port}`;
  });

  afterAll(async () => {
    await svc.app.shutdown({ timeoutMs: 1_000 });
    await svc.close();
    await lifecycle.stop();
    await Promise.all([a, b, catalog].map((u) => stop(u.server)));
  });

  it('balances /api across both upstreams with the prefix stripped and X-Forwarded-For set', async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 6; i++) {
      const body = (await (
        await fetch(`${base}/api/items/${i}`, { headers: { 'x-forwarded-for': '6.6.6.6' } })
      ).json()) as { served_by: string; path: string; xff: string };
      seen.add(body.served_by);
      expect(body.path).toBe(`/items/${i}`);
      expect(body.xff).toBe('127.0.0.1');
    }
    expect([...seen].sort()).toEqual(['a', 'b']);
  });

  it('serves the catalog from its cache on the second request', async () => {
    const first = await fetch(`${base}/catalog/items`);
    expect(first.headers.get('x-cache')).toBe('MISS');
    await first.text();
    const second = await fetch(`${base}/catalog/items`);
    expect(second.headers.get('x-cache')).toBe('HIT');
    expect(((await second.json()) as { generation: number }).generation).toBe(1);
    expect(catalog.hits).toBe(1);
  });

  it('transcodes JSON to the gRPC inventory service, mapping NOT_FOUND to 404 without its message', async () => {
    const ok = await fetch(`${base}/rpc/inventory.Inventory/GetStock`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sku: 'abc' }),
    });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { data: unknown }).data).toEqual({ sku: 'abc', quantity: 7 });
    const missing = await fetch(`${base}/rpc/inventory.Inventory/GetStock`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sku: 'missing' }),
    });
    expect(missing.status).toBe(404);
    expect(await missing.text()).not.toContain('warehouse');
  });

  it('refuses a smuggling attempt before any upstream sees it', async () => {
    const before = a.hits + b.hits;
    const answer = await raw(
      port,
      'POST /api/x HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /api/admin HTTP/1.1\r\nHost: x\r\n\r\n',
    );
    expect(answer.startsWith('HTTP/1.1 400')).toBe(true);
    expect(a.hits + b.hits).toBe(before);
  });

  it('takes an unhealthy upstream out of rotation and brings it back', async () => {
    b.healthy = false;
    await vi.waitFor(() => expect(svc.api.pool.getAvailable().map((x) => x.origin)).toEqual([a.url]), {
      timeout: 3_000,
    });
    const before = b.hits;
    for (let i = 0; i < 4; i++)
      expect(((await (await fetch(`${base}/api/h${i}`)).json()) as { served_by: string }).served_by).toBe('a');
    expect(b.hits).toBe(before);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    b.healthy = true;
    await vi.waitFor(() => expect(svc.api.pool.getAvailable()).toHaveLength(2), { timeout: 3_000 });
  });

  it('retries an idempotent request on the other upstream when one goes away', async () => {
    await stop(b.server);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await fetch(`${base}/api/r${i}`)).status);
    expect(statuses).toEqual([200, 200, 200, 200]);
  });

  it('answers the canonical envelope when every upstream is gone', async () => {
    await stop(a.server);
    const res = await fetch(`${base}/api/x`);
    expect([502, 503]).toContain(res.status);
    const body = (await res.json()) as { error: { code: string } };
    expect(['GATEWAY_BAD_GATEWAY', 'GATEWAY_UNAVAILABLE']).toContain(body.error.code);
  });
});

describe('gateway-service config', () => {
  it.each([
    { title: 'missing upstreams', env: { GATEWAY_CATALOG_UPSTREAM: 'http://c' } },
    { title: 'a non-URL upstream', env: { GATEWAY_API_UPSTREAMS: 'ftp://x', GATEWAY_CATALOG_UPSTREAM: 'http://c' } },
    { title: 'a bad weight', env: { GATEWAY_API_UPSTREAMS: 'http://a=0', GATEWAY_CATALOG_UPSTREAM: 'http://c' } },
    {
      title: 'a bad gRPC target',
      env: { GATEWAY_API_UPSTREAMS: 'http://a', GATEWAY_CATALOG_UPSTREAM: 'http://c', GATEWAY_GRPC_TARGET: 'nope' },
    },
  ])('rejects $title', ({ env }) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
  });
});
