import { fileURLToPath } from 'node:url';
import { createApp, type App } from 'plumego/core';
import { writeResponse, type Handler } from 'plumego/contract';
import { recovery, requestId } from 'plumego/middleware';
import { createProxy, createWeightedRoundRobinBalancer, stripPrefix, type Proxy } from 'plumego/x/gateway';
import { MemoryCacheStore, responseCache } from 'plumego/x/gateway/cache';
import { ProtocolRegistry } from 'plumego/x/gateway/protocol';
import { protocolMiddleware } from 'plumego/x/gateway/protocolmw';
import {
  RpcClientPool,
  createGrpcAdapter,
  deadlineInterceptor,
  loadProtos,
  retryInterceptor,
  traceContextInterceptor,
} from 'plumego/x/rpc';
import type { GatewayConfig } from '../config.ts';

export interface GatewayService {
  readonly app: App;
  readonly api: Proxy;
  readonly catalog: Proxy;
  /** Stops health checks and closes upstream and gRPC connections (after `app.shutdown`). */
  close(): Promise<void>;
}

const PROTO = fileURLToPath(new URL('../proto/inventory.proto', import.meta.url));

/** Builds the gateway; all wiring is here, top to bottom. */
export function createGatewayService(config: GatewayConfig): GatewayService {
  const app = createApp({ addr: config.addr });
  app.use(requestId(), recovery());

  // /api/*: two or more upstreams, weighted, health-checked, retried once on another backend.
  const api = createProxy({
    targets: config.apiUpstreams,
    balancer: createWeightedRoundRobinBalancer(),
    rewritePath: stripPrefix('/api'),
    headersTimeoutMs: config.headersTimeoutMs,
    retries: 1,
    healthCheck: { path: '/healthz', intervalMs: config.healthIntervalMs, unhealthyThreshold: 2, healthyThreshold: 2 },
    outlierDetection: { consecutiveFailures: 3, baseEjectionMs: 10_000 },
    slowStartMs: 10_000,
  });
  app.any('/api', api.handler);
  app.any('/api/*rest', api.handler);

  // /catalog/*: one upstream whose answers are cached as RFC 9111 allows.
  const catalog = createProxy({
    targets: [config.catalogUpstream],
    rewritePath: stripPrefix('/catalog'),
    headersTimeoutMs: config.headersTimeoutMs,
  });
  const cache = responseCache({ store: new MemoryCacheStore({ maxBytes: 32 * 1024 * 1024 }) });
  app.get('/catalog/*rest', catalog.handler, { middleware: [cache] });
  app.head('/catalog/*rest', catalog.handler, { middleware: [cache] });

  // POST /rpc/inventory.Inventory/<Method>: JSON transcoded to gRPC through the protocol adapter.
  const registry = new ProtocolRegistry();
  if (config.grpcTarget !== '') {
    const pool = new RpcClientPool({
      interceptors: [deadlineInterceptor({ defaultTimeoutMs: 2_000 }), traceContextInterceptor(), retryInterceptor()],
    });
    registry.register(
      createGrpcAdapter({
        pool,
        target: config.grpcTarget,
        protos: loadProtos(PROTO),
        services: ['inventory.Inventory'],
      }),
    );
  }
  const noAdapter: Handler = (w, r) => writeResponse(w, r, 204);
  app.post('/rpc/*method', noAdapter, { middleware: [protocolMiddleware(registry)] });

  app.get('/healthz', (w, r) => writeResponse(w, r, 200, { status: 'ok' }));
  app.get('/readyz', (w, r) => {
    const available = api.pool.getAvailable().length;
    if (available === 0) {
      w.writeHead(503);
      w.end();
      return;
    }
    writeResponse(w, r, 200, { api_backends_available: available, api_backends: api.pool.backends.length });
  });

  // WebSocket and other upgrades under /api go to the same pool.
  app.prepare().on('upgrade', (req, socket, head) => {
    if ((req.url ?? '').startsWith('/api/')) api.upgrade(req, socket, head);
    else socket.destroy();
  });

  return {
    app,
    api,
    catalog,
    close: async () => {
      await Promise.all([api.close(), catalog.close(), registry.close()]);
    },
  };
}
