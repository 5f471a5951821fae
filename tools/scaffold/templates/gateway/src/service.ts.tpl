import { createApp, type App } from 'plumego/core';
import { writeResponse } from 'plumego/contract';
import { createLogger, type StructuredLogger } from 'plumego/log';
import { recovery, requestId } from 'plumego/middleware';
import { createProxy, createWeightedRoundRobinBalancer, stripPrefix } from 'plumego/x/gateway';
import { DEFAULT_CONFIG, type ServiceConfig } from './config.ts';

export interface ServiceDependencies {
  readonly logger?: StructuredLogger;
  /** Backends behind /api (absolute http(s) URLs). Default: one on localhost:9000. */
  readonly upstreams?: readonly string[];
}

export interface Service {
  readonly app: App;
  /** Closes the upstream pools, then the server. */
  close(): Promise<void>;
}

/**
 * An edge gateway: /api and everything below it is forwarded, without the /api prefix, to the
 * upstreams (round robin, one retry on another backend for idempotent methods). Failures are the
 * canonical error envelope: 502 when a backend refuses, 504 when it is too slow.
 */
export function createService(config: ServiceConfig = DEFAULT_CONFIG, deps: ServiceDependencies = {}): Service {
  const logger = deps.logger ?? createLogger({ level: config.logLevel, fields: { service: config.serviceName } });
  const app = createApp({ addr: config.addr, shutdownTimeoutMs: config.shutdownTimeoutMs }, { logger });
  // Bodies stream through the proxy, so no body limit or timeout middleware: the proxy has its own.
  app.use(requestId(), recovery({ logger }));
  const api = createProxy({
    targets: [...(deps.upstreams ?? ['http://127.0.0.1:9000'])],
    balancer: createWeightedRoundRobinBalancer(),
    rewritePath: stripPrefix('/api'),
    headersTimeoutMs: config.timeoutMs,
    retries: 1,
  });

  // The route table: one method, one path, one handler per line.
  app.get('/healthz', (w, r) => writeResponse(w, r, 200, { status: 'ok' }), { name: 'live' });
  app.any('/api', api.handler, { name: 'api' });
  app.any('/api/*rest', api.handler, { name: 'api.rest' });

  return {
    app,
    async close() {
      await api.close();
      if (app.preparationState === 'server_prepared') await app.shutdown({ timeoutMs: config.shutdownTimeoutMs });
    },
  };
}
