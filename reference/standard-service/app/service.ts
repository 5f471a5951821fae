import { createApp, type App } from 'plumego/core';
import { createLogger, type StructuredLogger } from 'plumego/log';
import { NoopCollector, type HTTPObserver } from 'plumego/metrics';
import { createCanonicalStack, createStrictCorsOptions, type Tracer } from 'plumego/middleware';
import type { ServiceConfig } from '../config.ts';
import { MemoryItemStore, type ItemStore } from '../domain/item.ts';
import { createApiHandlers } from '../handlers/api.ts';
import { createHealthHandlers } from '../handlers/health.ts';
import { createItemHandlers } from '../handlers/items.ts';
import { requireWriteKey } from '../handlers/write-guard.ts';

export interface ServiceDependencies {
  logger?: StructuredLogger & { flush?(): void };
  store?: ItemStore;
  metrics?: HTTPObserver;
  /** Span exporter for the tracing middleware (e.g. x/observability's OtelTracer); tracing is off without it. */
  tracer?: Tracer;
}

export interface Service {
  readonly app: App;
  readonly logger: StructuredLogger & { flush?(): void };
  readonly store: ItemStore;
}

/**
 * Builds the service: the core app, the canonical middleware stack, and the route table — all in
 * this one readable place. Routes are registered here but the app is not prepared, so a test can
 * still add a route before serving.
 */
export function createService(config: ServiceConfig, deps: ServiceDependencies = {}): Service {
  const logger =
    deps.logger ??
    createLogger({ format: config.logFormat, level: config.logLevel, fields: { service: config.serviceName } });
  const store = deps.store ?? new MemoryItemStore();
  const app = createApp(
    { addr: config.addr, methodNotAllowed: true, shutdownTimeoutMs: config.shutdownTimeoutMs },
    { logger },
  );

  if (config.writeKey === '') logger.warn('APP_WRITE_KEY is empty: write routes are closed');
  if (config.corsAllowedOrigins.length === 0)
    logger.warn('CORS allows any origin; set APP_CORS_ALLOWED_ORIGINS in production');

  app.use(
    ...createCanonicalStack({
      logger,
      cors:
        config.corsAllowedOrigins.length > 0
          ? createStrictCorsOptions(config.corsAllowedOrigins)
          : { allowedOrigins: ['*'] },
      maxBodyBytes: config.maxBodyBytes,
      metrics: deps.metrics ?? new NoopCollector(),
      ...(deps.tracer ? { tracing: { tracer: deps.tracer } } : {}),
      timeoutMs: config.timeoutMs,
    }),
  );

  const api = createApiHandlers(config.serviceName, config.version);
  const health = createHealthHandlers(config.serviceName, [{ name: 'item_store', check: () => store.ping() }], logger);
  const items = createItemHandlers(store);
  const writeGuard = { middleware: [requireWriteKey(config.writeKey, logger)] };

  // The route table: one method, one path, one handler per line.
  app.get('/', api.root);
  app.get('/healthz', health.live);
  app.get('/readyz', health.ready);
  app.get('/api/hello', api.hello);
  app.get('/api/info', api.info);
  const v1 = app.group('/api/v1');
  v1.get('/greet', api.greet);
  v1.get('/items', items.list, { name: 'items' });
  v1.post('/items', items.create, writeGuard);
  v1.get('/items/:id', items.get, { name: 'item' });
  v1.put('/items/:id', items.replace, writeGuard);
  v1.patch('/items/:id', items.patch, writeGuard);
  v1.delete('/items/:id', items.remove, writeGuard);

  return { app, logger, store };
}
