import { createApp, type App } from 'plumego/core';
import { writeResponse } from 'plumego/contract';
import { createLogger, type StructuredLogger } from 'plumego/log';
import { createCanonicalStack } from 'plumego/middleware';
import { InProcessBroker, type Broker } from 'plumego/x/messaging/pubsub';
import { DEFAULT_CONFIG, type ServiceConfig } from './config.ts';
import { createOrders, type Order } from './orders.ts';

export interface ServiceDependencies {
  readonly logger?: StructuredLogger;
  /** Default: the in-process broker. NatsBroker, RedisBroker or AmqpBroker move events between processes. */
  readonly broker?: Broker;
  /** The fulfilment step (a shipment, an email); throwing makes the broker redeliver the event. */
  readonly fulfil?: (order: Order) => void | Promise<void>;
}

export interface Service {
  readonly app: App;
  readonly broker: Broker;
  /** Stops consuming, closes the broker, then the server. */
  close(): Promise<void>;
}

/** The app and its event flow: POST /api/v1/orders publishes, a subscriber fulfils. */
export async function createService(config: ServiceConfig = DEFAULT_CONFIG, deps: ServiceDependencies = {}): Promise<Service> {
  const logger = deps.logger ?? createLogger({ level: config.logLevel, fields: { service: config.serviceName } });
  const broker = deps.broker ?? new InProcessBroker();
  const app = createApp({ addr: config.addr, methodNotAllowed: true, shutdownTimeoutMs: config.shutdownTimeoutMs }, { logger });
  app.use(...createCanonicalStack({ logger, cors: false, maxBodyBytes: config.maxBodyBytes, timeoutMs: config.timeoutMs }));
  const orders = createOrders(broker, deps.fulfil);
  const subscription = await orders.start();

  // The route table: one method, one path, one handler per line.
  app.get('/healthz', (w, r) => writeResponse(w, r, 200, { status: 'ok', broker: broker.backend }), { name: 'live' });
  app.post('/api/v1/orders', orders.place, { name: 'placeOrder' });
  app.get('/api/v1/orders/:id', orders.get, { name: 'order' });

  return {
    app,
    broker,
    async close() {
      await subscription.unsubscribe();
      await broker.close();
      if (app.preparationState === 'server_prepared') await app.shutdown({ timeoutMs: config.shutdownTimeoutMs });
    },
  };
}
