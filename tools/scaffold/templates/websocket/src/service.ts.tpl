import { createApp, type App } from 'plumego/core';
import { writeResponse } from 'plumego/contract';
import { createLogger, type StructuredLogger } from 'plumego/log';
import { createCanonicalStack } from 'plumego/middleware';
import { attachUpgrades, type Hub } from 'plumego/x/websocket';
import { DEFAULT_CONFIG, type ServiceConfig } from './config.ts';
import { createRealtime, type RealtimeOptions } from './realtime.ts';

export interface ServiceDependencies {
  readonly logger?: StructuredLogger;
  /** Default: no token (every WebSocket connection is refused) and the local development origin. */
  readonly realtime?: RealtimeOptions;
}

const DEFAULT_REALTIME: RealtimeOptions = { token: '', allowedOrigins: ['http://localhost:8080'] };

export interface Service {
  readonly app: App;
  readonly hub: Hub;
  /** Closes the WebSocket connections (1001 with a reason), then the server. */
  close(): Promise<void>;
}

/** The app with its HTTP routes and the room endpoint at GET /rooms/:room (upgraded to WebSocket). */
export function createService(config: ServiceConfig = DEFAULT_CONFIG, deps: ServiceDependencies = {}): Service {
  const logger = deps.logger ?? createLogger({ level: config.logLevel, fields: { service: config.serviceName } });
  const app = createApp({ addr: config.addr, shutdownTimeoutMs: config.shutdownTimeoutMs }, { logger });
  // No timeout middleware: a WebSocket outlives any request budget. CORS does not apply to upgrades.
  app.use(...createCanonicalStack({ logger, cors: false, maxBodyBytes: config.maxBodyBytes }));
  const { hub, endpoint } = createRealtime(deps.realtime ?? DEFAULT_REALTIME);

  // The route table: one method, one path, one handler per line.
  app.get('/healthz', (w, r) => writeResponse(w, r, 200, { status: 'ok', connections: endpoint.size }), { name: 'live' });
  app.get('/rooms/:room', endpoint.handler, { name: 'room' });
  attachUpgrades(app);

  return {
    app,
    hub,
    async close() {
      await endpoint.shutdown({ reason: 'shutting down', timeoutMs: 2_000 });
      if (app.preparationState === 'server_prepared') await app.shutdown({ timeoutMs: config.shutdownTimeoutMs });
    },
  };
}
