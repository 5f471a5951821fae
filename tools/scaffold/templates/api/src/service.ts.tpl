import { createApp, type App } from 'plumego/core';
import { writeResponse } from 'plumego/contract';
import { createLogger, type StructuredLogger } from 'plumego/log';
import { createCanonicalStack, createStrictCorsOptions } from 'plumego/middleware';
import { registerOpenAPI, type OperationHint } from 'plumego/x/openapi';
import { t } from 'plumego/x/validate';
import { DEFAULT_CONFIG, type ServiceConfig } from './config.ts';
import { createItemHandlers, createItemSchema, itemParams, itemSchema, listItemsQuery, MemoryItemStore, type ItemStore } from './items.ts';

export interface ServiceDependencies {
  readonly logger?: StructuredLogger;
  readonly store?: ItemStore;
}

/** What the route table cannot say, keyed by route name; the schemas are the ones the handlers validate with. */
const OPENAPI_HINTS: Record<string, OperationHint> = {
  listItems: { summary: 'List items', query: listItemsQuery, responses: { '200': { schema: t.array(itemSchema) } } },
  createItem: { summary: 'Create an item', requestBody: createItemSchema, responses: { '201': { description: 'Created', schema: itemSchema } } },
  getItem: { summary: 'Get an item', params: itemParams, responses: { '200': { schema: itemSchema }, '404': { description: 'No such item' } } },
};

/**
 * Builds the service: the app, the canonical middleware stack, the route table and the OpenAPI
 * document generated from that table (served at /openapi.json and /openapi.yaml).
 */
export function createService(config: ServiceConfig = DEFAULT_CONFIG, deps: ServiceDependencies = {}): App {
  const logger = deps.logger ?? createLogger({ level: config.logLevel, fields: { service: config.serviceName } });
  const app = createApp({ addr: config.addr, methodNotAllowed: true, shutdownTimeoutMs: config.shutdownTimeoutMs }, { logger });
  app.use(...createCanonicalStack({
    logger,
    cors: config.corsAllowedOrigins.length > 0 ? createStrictCorsOptions(config.corsAllowedOrigins) : { allowedOrigins: ['*'] },
    maxBodyBytes: config.maxBodyBytes,
    timeoutMs: config.timeoutMs,
  }));
  const items = createItemHandlers(deps.store ?? new MemoryItemStore());

  // The route table: one method, one path, one handler per line.
  app.get('/healthz', (w, r) => writeResponse(w, r, 200, { status: 'ok' }), { name: 'live' });
  const v1 = app.group('/api/v1');
  v1.get('/items', items.list, { name: 'listItems', tags: ['items'] });
  v1.post('/items', items.create, { name: 'createItem', tags: ['items'] });
  v1.get('/items/:id', items.get, { name: 'getItem', tags: ['items'] });
  registerOpenAPI(app, { info: { title: config.serviceName, version: '0.1.0' }, hints: OPENAPI_HINTS, tags: [{ name: 'items', description: 'The item resource' }] });
  return app;
}
