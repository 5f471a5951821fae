import { createApp, type App } from 'plumego/core';
import { createLogger, type StructuredLogger } from 'plumego/log';
import { createCanonicalStack } from 'plumego/middleware';
import {
  createMessagingHandler,
  LogEmailProvider,
  MessagingService,
  SmtpEmailProvider,
  type EmailProvider,
} from 'plumego/x/messaging';
import { createPrometheusCollector, metricsHandler } from 'plumego/x/observability';
import { registerBrokerMetrics } from 'plumego/x/messaging/pubsub';
import { Scheduler, createSchedulerAdminHandler } from 'plumego/x/messaging/scheduler';
import { WebhookSender, type DeliveryRecord } from 'plumego/x/messaging/webhook';
import type { ServiceConfig } from '../config.ts';
import { OrderStore, type Order } from '../domain/orders.ts';
import { createOrderHandlers } from '../handlers/orders.ts';
import { createPaymentWebhookHandler } from '../handlers/payments.ts';
import { openBroker, openQueue } from './backends.ts';

export interface ServiceDependencies {
  readonly logger?: StructuredLogger;
  /** Email provider; default SMTP when configured, else a log provider. */
  readonly email?: EmailProvider;
  readonly now?: () => Date;
}

export interface Service {
  readonly app: App;
  readonly logger: StructuredLogger;
  readonly orders: OrderStore;
  readonly messaging: MessagingService;
  /** The last partner webhook delivery per order, for the 1000 most recent orders. */
  readonly deliveries: Map<string, DeliveryRecord>;
  /** Stops the scheduler, workers and connections. */
  close(): Promise<void>;
}

/**
 * Order placed → `orders.placed` event → `order.notify` job → partner webhook + confirmation email.
 * The queue group makes replicas share the events; the job's dedupe key makes a redelivered event
 * harmless; the email's idempotency key makes a retried job send one email.
 */
export async function createService(config: ServiceConfig, deps: ServiceDependencies = {}): Promise<Service> {
  const logger = deps.logger ?? createLogger({ fields: { service: config.serviceName } });
  const now = deps.now ?? (() => new Date());
  const orders = new OrderStore();
  const deliveries = new Map<string, DeliveryRecord>();
  const broker = await openBroker(config);
  const jobs = openQueue(config);
  const email =
    deps.email ??
    (config.smtpUrl ? new SmtpEmailProvider({ url: config.smtpUrl, from: config.mailFrom }) : new LogEmailProvider());
  const messaging = new MessagingService({
    email,
    retryDelayMs: 500,
    templates: {
      'order-confirmation': { subject: 'Order {{id}} received', text: 'Thank you! Order {{id}} totals {{total}}.' },
    },
  });
  messaging.start();
  const webhooks =
    config.partnerWebhookUrl === ''
      ? undefined
      : new WebhookSender({
          secret: config.webhookSecret,
          allowPrivateNetworks: config.allowPrivateWebhooks,
          initialDelayMs: 200,
          maxAttempts: 4,
          timeoutMs: 5000,
        });

  const subscription = await broker.subscribe(
    'orders.placed',
    async (m) => {
      const order = JSON.parse(new TextDecoder().decode(m.data)) as Order;
      await jobs.add(
        'order.notify',
        { orderId: order.id },
        { dedupeKey: `notify:${order.id}`, maxAttempts: 5, backoff: { type: 'exponential', delayMs: 200 } },
      );
    },
    { group: 'fulfilment', maxDeliver: 5, deadLetterSubject: 'dlq.orders' },
  );

  const worker = jobs.process<{ orderId: string }>(
    async (job) => {
      const order = orders.get(job.data.orderId);
      if (order === undefined) return { skipped: 'unknown order' };
      if (webhooks !== undefined) {
        deliveries.set(order.id, await webhooks.send(config.partnerWebhookUrl, 'order.placed', order));
        // Only recent deliveries are kept here; the sender's delivery log has them all.
        if (deliveries.size > 1000) deliveries.delete(deliveries.keys().next().value!);
      }
      const receipt = await messaging.send({
        tenantId: 'shop',
        channel: 'email',
        to: order.email,
        idempotencyKey: `order-confirmation:${order.id}`,
        template: { name: 'order-confirmation', data: { id: order.id, total: (order.totalCents / 100).toFixed(2) } },
      });
      return { receipt: receipt.id };
    },
    { concurrency: 4 },
  );

  const scheduler = new Scheduler();
  scheduler.add({
    id: 'orders.digest',
    schedule: { cron: '0 7 * * *', timezone: 'UTC' },
    handler: async () => {
      await broker.publish('orders.digest', JSON.stringify({ orders: orders.count(), at: now().toISOString() }));
    },
  });
  await scheduler.start();

  const app = createApp({ addr: config.addr, methodNotAllowed: true }, { logger });
  app.use(...createCanonicalStack({ logger }));
  const publish =
    (subject: string) =>
    async (order: Order): Promise<void> => {
      await broker.publish(subject, JSON.stringify(order));
    };
  const orderHandlers = createOrderHandlers(orders, publish('orders.placed'), now);
  const admin = createSchedulerAdminHandler(scheduler, { token: config.adminToken, prefix: '/admin/scheduler' });
  const messages = createMessagingHandler(messaging, {
    prefix: '/api/v1/messages',
    resolveTenant: (r) => (r.header('authorization') === `Bearer ${config.adminToken}` ? 'shop' : undefined),
  });

  // Broker and queue counters and backlogs, read on each scrape; behind the admin token.
  const collector = createPrometheusCollector({ runtimeMetrics: false });
  registerBrokerMetrics(collector.registry, { events: broker });
  registerBrokerMetrics(collector.registry, { jobs }, { family: 'mq' });
  app.get('/healthz', (w) => {
    w.writeHead(200);
    w.end('ok');
  });
  app.get('/metrics', metricsHandler(collector, { token: config.adminToken }), { name: 'metrics' });
  const v1 = app.group('/api/v1');
  v1.post('/orders', orderHandlers.place, { name: 'placeOrder' });
  v1.get('/orders/:id', orderHandlers.get, { name: 'getOrder' });
  v1.post('/webhooks/payments', createPaymentWebhookHandler(config.paymentSecret, orders, publish('orders.paid')), {
    name: 'paymentWebhook',
  });
  for (const method of ['GET', 'POST']) {
    app.addRoute(method, '/api/v1/messages', messages);
    app.addRoute(method, '/api/v1/messages/*rest', messages);
    app.addRoute(method, '/admin/scheduler/*rest', admin);
  }

  return {
    app,
    logger,
    orders,
    messaging,
    deliveries,
    close: async () => {
      await scheduler.stop({ timeoutMs: 2000 });
      await subscription.unsubscribe();
      await worker.stop({ timeoutMs: 2000 });
      await jobs.close();
      await broker.close();
      await messaging.close();
    },
  };
}
