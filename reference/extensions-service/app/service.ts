import { createApp, type App } from 'plumego/core';
import { createLogger, type StructuredLogger } from 'plumego/log';
import { createCanonicalStack } from 'plumego/middleware';
import { LocalFileStorage } from 'plumego/store';
import { MemoryFileMetadataStore, createFileApi, type FileMetadataStore } from 'plumego/x/fileapi';
import { createFrontend } from 'plumego/x/frontend';
import { registerOpenAPI } from 'plumego/x/openapi';
import { CircuitBreaker, circuitBreakerMiddleware } from 'plumego/x/resilience';
import type { ServiceConfig } from '../config.ts';
import { createPriceService, type PriceUpstream } from '../domain/pricing.ts';
import { MemoryProductStore, type ProductStore } from '../domain/product.ts';
import { createLiveHandler } from '../handlers/health.ts';
import { createProductHandlers } from '../handlers/products.ts';
import { resolveTenantFromHeader } from '../handlers/tenant.ts';
import { EMBEDDED_WEB_ASSETS } from '../web/assets.ts';
import { OPENAPI_HINTS } from './openapi-hints.ts';

export interface ServiceDependencies {
  logger?: StructuredLogger;
  products?: ProductStore;
  fileMetadata?: FileMetadataStore;
  /** The pricing upstream. Default: a stub that prices every SKU at 999 cents. */
  priceUpstream?: PriceUpstream;
  /** Clock for the circuit breaker (tests move it instead of sleeping). */
  now?: () => number;
  /** How price retries wait (tests skip the wait). */
  sleep?: (ms: number, signal: AbortSignal | undefined) => Promise<void>;
}

export interface Service {
  readonly app: App;
  readonly logger: StructuredLogger;
  readonly priceBreaker: CircuitBreaker;
}

/** Multipart framing on top of the largest file, for the global body limit. */
const UPLOAD_OVERHEAD_BYTES = 64 * 1024;

/**
 * The standard service shape plus one clear use of each extension family: validation and OpenAPI on
 * the product API, a circuit breaker on the route that calls an upstream, tenant-scoped file endpoints,
 * and the web frontend mounted last so its wildcard never shadows an API route.
 */
export function createService(config: ServiceConfig, deps: ServiceDependencies = {}): Service {
  const logger = deps.logger ?? createLogger({ fields: { service: config.serviceName } });
  const app = createApp({ addr: config.addr, methodNotAllowed: true }, { logger });
  app.use(
    ...createCanonicalStack({ logger, maxBodyBytes: config.maxUploadBytes + UPLOAD_OVERHEAD_BYTES }),
    resolveTenantFromHeader,
  );

  const priceBreaker = new CircuitBreaker({
    name: 'pricing',
    failureThreshold: config.breakerFailures,
    openTimeoutMs: config.breakerOpenMs,
    ...(deps.now ? { now: deps.now } : {}),
    onStateChange: (from, to) => logger.warn('price circuit changed state', { from, to }),
  });
  const prices = createPriceService({
    upstream: deps.priceUpstream ?? (async () => 999),
    timeoutMs: config.upstreamTimeoutMs,
    ...(deps.sleep ? { sleep: deps.sleep } : {}),
  });
  const products = createProductHandlers(deps.products ?? new MemoryProductStore(), prices);
  const files = createFileApi({
    storage: new LocalFileStorage({ root: config.fileRoot }),
    metadata: deps.fileMetadata ?? new MemoryFileMetadataStore(),
    maxFileBytes: config.maxUploadBytes,
    allowedContentTypes: ['image/*', 'text/plain', 'application/pdf'],
    requireTenant: true,
  });
  const frontend = createFrontend(config.webDir ? { dir: config.webDir } : { assets: EMBEDDED_WEB_ASSETS });

  // The route table: one method, one path, one handler per line.
  app.get('/healthz', createLiveHandler(config.serviceName, config.version));
  const v1 = app.group('/api/v1');
  v1.get('/products', products.list, { name: 'listProducts', tags: ['products'] });
  v1.post('/products', products.create, { name: 'createProduct', tags: ['products'] });
  v1.get('/products/:id', products.get, { name: 'getProduct', tags: ['products'] });
  v1.get('/products/:id/price', products.price, {
    name: 'getProductPrice',
    tags: ['products'],
    middleware: [circuitBreakerMiddleware(priceBreaker)],
  });
  files.register(v1, '/files');
  registerOpenAPI(app, {
    info: { title: 'Extensions service', version: config.version },
    hints: OPENAPI_HINTS,
    tags: [
      { name: 'products', description: 'Product catalogue' },
      { name: 'files', description: 'Tenant-scoped file storage' },
    ],
    // The frontend's catch-all routes are not part of the API.
    include: (route) => route.path.startsWith('/api/') || route.path === '/healthz',
  });
  frontend.register(app);

  return { app, logger, priceBreaker };
}
