import { createApp, type App } from 'plumego/core';
import { APIError, writeResponse } from 'plumego/contract';
import { createLogger, type StructuredLogger } from 'plumego/log';
import { BaseMetricsCollector } from 'plumego/metrics';
import { accessLog, authenticate, authorize, bodyLimit, createAbuseGuard, httpMetrics, recovery, requestId, securityHeaders, timeout } from 'plumego/middleware';
import { InMemoryJwtKeyStore, JwtManager, createPermissionAuthorizer, getStrictSecurityPolicy } from 'plumego/security';
import { DEFAULT_CONFIG, type ServiceConfig } from './config.ts';
import { createItemHandlers, MemoryItemStore, type ItemStore } from './items.ts';

export interface ServiceDependencies {
  readonly logger?: StructuredLogger;
  readonly store?: ItemStore;
  /** Signs and verifies access tokens. Default: keys in memory, so tokens end with the process. */
  readonly jwt?: JwtManager;
  /** Requests per second and burst per client address (default 20 and 40). */
  readonly rateLimit?: { readonly rate: number; readonly burst: number };
  /** Bearer token for /ops/stats; empty (the default) leaves the route unregistered. */
  readonly opsToken?: string;
}

export interface Service {
  readonly app: App;
  readonly jwt: JwtManager;
  readonly metrics: BaseMetricsCollector;
  /** Stops the abuse guard's sweeper and the server (when it was started). */
  close(): Promise<void>;
}

/**
 * The production shape. Middleware order, outermost first: request id → strict security headers →
 * recovery → access log → body limit → abuse guard → metrics → timeout. Reads are public; writes
 * need a bearer token carrying the items:write permission.
 */
export function createService(config: ServiceConfig = DEFAULT_CONFIG, deps: ServiceDependencies = {}): Service {
  const logger = deps.logger ?? createLogger({ level: config.logLevel, fields: { service: config.serviceName } });
  const jwt = deps.jwt ?? new JwtManager(new InMemoryJwtKeyStore(), { issuer: config.serviceName, audience: config.serviceName });
  const metrics = new BaseMetricsCollector();
  const guard = createAbuseGuard(deps.rateLimit ?? { rate: 20, burst: 40 });
  const app = createApp({ addr: config.addr, methodNotAllowed: true, shutdownTimeoutMs: config.shutdownTimeoutMs }, { logger });
  app.use(
    requestId(),
    securityHeaders({ policy: getStrictSecurityPolicy() }),
    recovery({ logger }),
    accessLog({ logger }),
    bodyLimit({ maxBytes: config.maxBodyBytes }),
    guard.middleware(),
    httpMetrics(metrics),
    timeout({ timeoutMs: config.timeoutMs, logger }),
  );
  const items = createItemHandlers(deps.store ?? new MemoryItemStore());
  const writers = { middleware: [
    authenticate(jwt.createAuthenticator('access'), { realm: config.serviceName, logger }),
    authorize(createPermissionAuthorizer(), 'write', 'items', { logger }),
  ] };

  // The route table: one method, one path, one handler per line.
  app.get('/healthz', (w, r) => writeResponse(w, r, 200, { status: 'ok' }), { name: 'live' });
  const opsToken = deps.opsToken ?? '';
  if (opsToken !== '') {
    app.get('/ops/stats', (w, r) => {
      if (r.headers['authorization'] !== `Bearer ${opsToken}`) throw new APIError({ type: 'unauthorized_request', code: 'OPS_TOKEN_INVALID', message: 'ops token required' });
      writeResponse(w, r, 200, metrics.getStats());
    }, { name: 'ops.stats' });
  }
  const v1 = app.group('/api/v1');
  v1.get('/items', items.list, { name: 'items' });
  v1.post('/items', items.create, writers);
  v1.get('/items/:id', items.get, { name: 'item' });
  v1.delete('/items/:id', items.remove, writers);

  return {
    app,
    jwt,
    metrics,
    async close() {
      guard.stop();
      if (app.preparationState === 'server_prepared') await app.shutdown({ timeoutMs: config.shutdownTimeoutMs });
    },
  };
}
