import { createApp, type App } from 'plumego/core';
import { writeResponse } from 'plumego/contract';
import type { StructuredLogger } from 'plumego/log';

export interface ServiceOptions {
  /** Listen address, `host:port` or `:port` (default `:8080`). */
  readonly addr?: string;
  /** Defaults to the app's own JSON logger. */
  readonly logger?: StructuredLogger;
}

/** Builds the app and its route table; the caller decides whether to listen (main.ts) or not (tests). */
export function createService(options: ServiceOptions = {}): App {
  const app = createApp({ addr: options.addr ?? ':8080' }, options.logger ? { logger: options.logger } : {});
  app.get('/', (w, r) => writeResponse(w, r, 200, { service: '{{name}}' }), { name: 'root' });
  app.get('/healthz', (w, r) => writeResponse(w, r, 200, { status: 'ok' }), { name: 'health' });
  return app;
}
