import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createApp, type App } from 'plumego/core';
import { createDiscardLogger, type StructuredLogger } from 'plumego/log';
import { BaseMetricsCollector, type AggregateCollector } from 'plumego/metrics';
import {
  accessLog,
  authenticate,
  authorize,
  bodyLimit,
  compression,
  createAbuseGuard,
  httpMetrics,
  recovery,
  requestId,
  securityHeaders,
  timeout,
  tracing,
  type Middleware,
} from 'plumego/middleware';
import {
  JwtManager,
  createPermissionAuthorizer,
  getStrictSecurityPolicy,
  hashPassword,
  type PasswordHashOptions,
} from 'plumego/security';
import { SqliteKvStore, createIdempotencyMiddleware } from 'plumego/store';
import {
  createOtelTracer,
  createOtlpHttpExporter,
  createPrometheusCollector,
  metricsHandler,
  type OtelTracer,
} from 'plumego/x/observability';
import { principalFromContext } from 'plumego/security';
import type { ProductionConfig } from '../config.ts';
import { OrderRepository } from '../domain/orders.ts';
import { createLoginHandler, createRefreshHandler } from '../handlers/auth.ts';
import { createLiveHandler, createMetricsHandler, createReadyHandler } from '../handlers/health.ts';
import { createCreateOrderHandler, createGetOrderHandler, createListOrdersHandler } from '../handlers/orders.ts';
import { KvJwtKeyStore } from './kv-key-store.ts';
import { openStores } from './stores.ts';

export interface ProductionDeps {
  logger?: StructuredLogger;
  /** Cost of the dummy hash used for unknown users; match the cost of the real user hashes. */
  passwordHashOptions?: PasswordHashOptions;
  /** Clock for orders and the rate limiter (tests freeze it). Default: the system clock. */
  now?: () => Date;
  /** Span exporter behind the tracing middleware instead of the OTLP one from the config (tests). */
  tracer?: OtelTracer;
}

export interface ProductionService {
  app: App;
  jwt: JwtManager;
  /**
   * Stops accepting connections, lets in-flight requests finish until `config.shutdownTimeoutMs`
   * (then cuts what is left), and closes every store. Resolves to whether connections were cut.
   */
  close(): Promise<{ forced: boolean }>;
}

/**
 * Builds the service: stores under `config.dataDir`, the production middleware stack, and the
 * route table. Order, outermost first: requestid → tracing (when configured) → securityheaders
 * (strict) → recovery → compression → accesslog → bodylimit → abuseguard → httpmetrics → timeout. Compression sits
 * inside recovery so recovered 500s go out uncompressed and whole, and outside the access log so
 * logged byte counts are the application's. Auth, authorization and idempotency are per route, on
 * the write routes only.
 */
export async function createProductionService(
  config: ProductionConfig,
  deps: ProductionDeps = {},
): Promise<ProductionService> {
  const logger = deps.logger ?? createDiscardLogger();
  const now = deps.now ?? (() => new Date());
  mkdirSync(config.dataDir, { recursive: true });

  const kv = new SqliteKvStore({ path: join(config.dataDir, 'kv.sqlite') });
  const stores = await openStores(config);
  const { idempotency } = stores;
  const orders = new OrderRepository(stores.db);
  await orders.migrate();
  const jwt = new JwtManager(new KvJwtKeyStore(kv), {
    issuer: config.jwt.issuer,
    audience: config.jwt.audience,
    algorithm: config.jwt.algorithm,
    accessTtlSeconds: config.jwt.accessTtlSeconds,
  });
  const dummyHash = await hashPassword(`dummy-${Math.random()}`, deps.passwordHashOptions ?? {});
  // Observability, when configured: one request collector feeds both /ops/metrics (JSON totals) and,
  // when it is the Prometheus one, /metrics; a tracer exports a span per sampled request over OTLP.
  const prometheus = config.metrics.enabled
    ? createPrometheusCollector({ namespace: 'production_service' })
    : undefined;
  const metrics: AggregateCollector = prometheus ?? new BaseMetricsCollector();
  const tracer =
    deps.tracer ??
    (config.otlpTracesEndpoint === ''
      ? undefined
      : createOtelTracer({
          serviceName: config.serviceName,
          exporter: createOtlpHttpExporter({ url: config.otlpTracesEndpoint }),
        }));
  const guard = createAbuseGuard({
    rate: config.rateLimit.rate,
    burst: config.rateLimit.burst,
    now: () => now().getTime(),
  });

  if (config.users.length === 0) logger.warn('no users configured: every write route will answer 401');
  if (config.opsToken === '') logger.warn('APP_OPS_TOKEN is empty: /ops/metrics is disabled');

  const app = createApp(
    { addr: config.addr, shutdownTimeoutMs: config.shutdownTimeoutMs, maxConnectionsPerIp: config.maxConnectionsPerIp },
    { logger },
  );
  app.use(
    requestId(),
    ...(tracer ? [tracing({ tracer })] : ([] as Middleware[])),
    securityHeaders({ policy: getStrictSecurityPolicy() }),
    recovery({ logger }),
    compression(),
    accessLog({ logger }),
    bodyLimit({ maxBytes: config.maxBodyBytes }),
    guard.middleware(),
    httpMetrics(metrics),
    timeout({ timeoutMs: config.timeoutMs, logger }),
  );

  const orderDeps = { orders, now };
  const writeGuards = [
    authenticate(jwt.createAuthenticator('access'), { realm: config.serviceName, logger }),
    authorize(createPermissionAuthorizer(), 'write', 'orders', { logger }),
    createIdempotencyMiddleware(idempotency, {
      required: true,
      scope: (r) => principalFromContext(r.ctx)?.subject ?? '',
    }),
  ];

  app.get('/healthz', createLiveHandler(config.serviceName));
  app.get(
    '/readyz',
    createReadyHandler([
      { name: 'orders_db', check: () => orders.ping() },
      {
        name: 'kv',
        check: async () => {
          await kv.size();
        },
      },
      { name: 'idempotency', check: () => stores.pingIdempotency() },
    ]),
  );
  if (config.opsToken !== '') app.get('/ops/metrics', createMetricsHandler(metrics, config.opsToken));
  if (prometheus) app.get('/metrics', metricsHandler(prometheus, { token: config.metrics.token }));

  const api = app.group('/api/v1');
  api.post('/auth/token', createLoginHandler({ jwt, users: config.users, dummyHash, logger }));
  api.post('/auth/refresh', createRefreshHandler({ jwt }));
  api.get('/orders', createListOrdersHandler(orderDeps));
  api.get('/orders/:id', createGetOrderHandler(orderDeps));
  api.post('/orders', createCreateOrderHandler(orderDeps), { middleware: writeGuards });

  let closed = false;
  return {
    app,
    jwt,
    async close() {
      if (closed) return { forced: false };
      closed = true;
      const result = app.preparationState === 'server_prepared' ? await app.shutdown() : { forced: false };
      guard.stop();
      // Flushes the last span batch; an unreachable collector must not fail the shutdown.
      await tracer?.shutdown().catch(() => undefined);
      await stores.close();
      await kv.close();
      return { forced: result.forced };
    },
  };
}
