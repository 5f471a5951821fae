import { createApp, type App } from 'plumego/core';
import { APIError, writeError, writeResponse } from 'plumego/contract';
import { checkReadiness, type ComponentChecker } from 'plumego/health';
import { createLogger, type StructuredLogger } from 'plumego/log';
import { createCanonicalStack, createStrictCorsOptions } from 'plumego/middleware';
import { DEFAULT_CONFIG, type ServiceConfig } from './config.ts';
import { createItemHandlers, MemoryItemStore, type ItemStore } from './items.ts';

export interface ServiceDependencies {
  readonly logger?: StructuredLogger;
  readonly store?: ItemStore;
  /** Extra readiness checks (a database ping, a broker connection). */
  readonly checkers?: readonly ComponentChecker[];
}

/**
 * Builds the service: the app, the canonical middleware stack and the route table, all in this one
 * readable place. The app is not started here, so tests call `app.request()` without a socket.
 */
export function createService(config: ServiceConfig = DEFAULT_CONFIG, deps: ServiceDependencies = {}): App {
  const logger = deps.logger ?? createLogger({ level: config.logLevel, fields: { service: config.serviceName } });
  const store = deps.store ?? new MemoryItemStore();
  const app = createApp({ addr: config.addr, methodNotAllowed: true, shutdownTimeoutMs: config.shutdownTimeoutMs }, { logger });

  app.use(...createCanonicalStack({
    logger,
    cors: config.corsAllowedOrigins.length > 0 ? createStrictCorsOptions(config.corsAllowedOrigins) : { allowedOrigins: ['*'] },
    maxBodyBytes: config.maxBodyBytes,
    timeoutMs: config.timeoutMs,
  }));

  const items = createItemHandlers(store);
  const checkers = deps.checkers ?? [];

  // The route table: one method, one path, one handler per line.
  app.get('/', (w, r) => writeResponse(w, r, 200, { service: config.serviceName }), { name: 'root' });
  app.get('/healthz', (w, r) => writeResponse(w, r, 200, { status: 'ok' }), { name: 'live' });
  app.get('/readyz', async (w, r) => {
    const { status, results } = await checkReadiness(checkers, { timeoutMs: 2_000 });
    if (status.ready) return writeResponse(w, r, 200, status);
    // Only component names leave the process; the failure messages stay in the log.
    logger.warn('readiness failed', { components: results.filter((c) => c.status !== 'healthy').map((c) => c.name) });
    writeError(w, r, new APIError({ type: 'service_unavailable', code: 'SERVICE_NOT_READY', message: 'service not ready' }));
  }, { name: 'ready' });
  const v1 = app.group('/api/v1');
  v1.get('/items', items.list, { name: 'items' });
  v1.post('/items', items.create);
  v1.get('/items/:id', items.get, { name: 'item' });
  v1.delete('/items/:id', items.remove);

  return app;
}
