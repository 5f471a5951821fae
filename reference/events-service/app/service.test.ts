import { createHmac, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { afterAll, describe, expect, inject, it, vi } from 'vitest';
import { createDiscardLogger } from 'plumego/log';
import { NatsBroker } from 'plumego/x/messaging/pubsub';
import { BullMqTaskQueue } from 'plumego/x/messaging/mq';
import { LogEmailProvider } from 'plumego/x/messaging';
import { createHmacVerifier } from 'plumego/x/messaging/webhook';
import { DEFAULT_CONFIG, loadConfig, type ServiceConfig } from '../config.ts';
import { createService, type Service } from './service.ts';

const services = inject('services');
const JSON_CT = { 'content-type': 'application/json' };
const WAIT = { timeout: 10_000, interval: 20 };
const cleanups: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => {});
});

async function partner(secret: string): Promise<{ url: string; got: Array<{ event: string; body: unknown }> }> {
  const verify = createHmacVerifier({
    secret,
    signatureHeader: 'x-plumego-signature',
    signaturePrefix: 'sha256=',
    timestampHeader: 'webhook-timestamp',
  });
  const got: Array<{ event: string; body: unknown }> = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      verify({ headers: req.headers, body }).then(
        () => {
          got.push({ event: String(req.headers['webhook-event']), body: JSON.parse(body.toString()) });
          res.writeHead(204).end();
        },
        () => res.writeHead(401).end(),
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(
    () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(r);
      }),
  );
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}/orders`, got };
}

async function start(
  overrides: Partial<ServiceConfig>,
): Promise<{ service: Service; mail: LogEmailProvider; partnerGot: Array<{ event: string; body: unknown }> }> {
  const p = await partner('partner-secret');
  const mail = new LogEmailProvider();
  const service = await createService(
    {
      ...DEFAULT_CONFIG,
      partnerWebhookUrl: p.url,
      webhookSecret: 'partner-secret',
      allowPrivateWebhooks: true,
      ...overrides,
    },
    { logger: createDiscardLogger(), email: mail },
  );
  cleanups.push(() => service.close());
  return { service, mail, partnerGot: p.got };
}

function signPayment(
  body: string,
  secret: string,
  ts = Math.floor(Date.now() / 1000),
  id = randomBytes(6).toString('hex'),
): Record<string, string> {
  return {
    ...JSON_CT,
    'x-payment-timestamp': String(ts),
    'x-payment-id': id,
    'x-payment-signature': `sha256=${createHmac('sha256', secret).update(`${ts}.${body}`).digest('hex')}`,
  };
}

async function placeOrderFlow(s: Awaited<ReturnType<typeof start>>): Promise<string> {
  const { service, mail, partnerGot } = s;
  const res = await service.app.request('/api/v1/orders', {
    method: 'POST',
    headers: JSON_CT,
    body: JSON.stringify({ email: 'ann@example.test', total_cents: 4200 }),
  });
  expect(res.status).toBe(201);
  const id = res.json<{ data: { id: string } }>().data.id;
  await vi.waitFor(() => expect(partnerGot.map((g) => g.event)).toEqual(['order.placed']), WAIT);
  expect(partnerGot[0]!.body).toMatchObject({ id, email: 'ann@example.test', totalCents: 4200 });
  await vi.waitFor(() => expect(mail.sent.map((m) => m.subject)).toEqual([`Order ${id} received`]), WAIT);
  expect(mail.sent[0]!.text).toContain('42.00');
  expect(service.deliveries.get(id)?.status).toBe('delivered');
  return id;
}

describe('events-service on the in-process defaults', () => {
  it('order placed → event → job → signed partner webhook + confirmation email with a receipt', async () => {
    const s = await start({});
    await placeOrderFlow(s);
    const receipts = await s.service.app.request('/api/v1/messages/receipts', {
      headers: { authorization: `Bearer ${DEFAULT_CONFIG.adminToken}` },
    });
    expect(receipts.status).toBe(200);
    await vi.waitFor(
      () => expect(JSON.stringify(s.service.messaging.listReceipts())).toContain('"status":"sent"'),
      WAIT,
    );
    expect((await s.service.app.request('/api/v1/messages/receipts')).status).toBe(401);
    // The event, its job and the email show up in the Prometheus exposition, behind the admin token.
    expect((await s.service.app.request('/metrics')).status).toBe(401);
    await vi.waitFor(async () => {
      const metrics = await s.service.app.request('/metrics', {
        headers: { authorization: `Bearer ${DEFAULT_CONFIG.adminToken}` },
      });
      expect(metrics.status).toBe(200);
      const text = metrics.text();
      expect(text).toContain('plumego_pubsub_published_total{broker="events",backend="in-process"} 1');
      expect(text).toContain(
        'plumego_pubsub_acked_total{broker="events",backend="in-process",pattern="orders.placed",group="fulfilment"} 1',
      );
      expect(text).toMatch(/plumego_mq_acked_total\{broker="jobs",backend="memory",pattern="[^"]+",group=""\} 1/);
      expect(text).toMatch(/plumego_mq_queue_depth\{broker="jobs",backend="memory",pattern="[^"]+",group=""\} 0/);
    }, WAIT);
  });

  it('verifies payment webhooks on the raw body: accepts once, refuses replays, forgeries and stale ones', async () => {
    const { service } = await start({});
    const placed = await service.app.request('/api/v1/orders', {
      method: 'POST',
      headers: JSON_CT,
      body: JSON.stringify({ email: 'b@example.test', total_cents: 100 }),
    });
    const id = placed.json<{ data: { id: string } }>().data.id;
    const body = JSON.stringify({ order_id: id });
    const headers = signPayment(body, DEFAULT_CONFIG.paymentSecret);
    const ok = await service.app.request('/api/v1/webhooks/payments', { method: 'POST', headers, body });
    expect(ok.status).toBe(200);
    expect(service.orders.get(id)?.status).toBe('paid');
    const replay = await service.app.request('/api/v1/webhooks/payments', { method: 'POST', headers, body });
    expect(replay.status).toBe(409);
    const forged = await service.app.request('/api/v1/webhooks/payments', {
      method: 'POST',
      headers: signPayment(body, 'wrong-secret'),
      body,
    });
    expect(forged.status).toBe(401);
    const stale = await service.app.request('/api/v1/webhooks/payments', {
      method: 'POST',
      headers: signPayment(body, DEFAULT_CONFIG.paymentSecret, Math.floor(Date.now() / 1000) - 3600),
      body,
    });
    expect(stale.status).toBe(401);
    const tampered = await service.app.request('/api/v1/webhooks/payments', {
      method: 'POST',
      headers: signPayment(body, DEFAULT_CONFIG.paymentSecret),
      body: body.replace(id, 'o999'),
    });
    expect(tampered.status).toBe(401);
  });

  it('refuses invalid orders and guards the scheduler admin API', async () => {
    const { service } = await start({});
    const bad = await service.app.request('/api/v1/orders', {
      method: 'POST',
      headers: JSON_CT,
      body: JSON.stringify({ email: 'nope', total_cents: -5 }),
    });
    expect(bad.status).toBe(400);
    expect(service.orders.count()).toBe(0);
    expect((await service.app.request('/admin/scheduler/jobs')).status).toBe(401);
    const jobs = await service.app.request('/admin/scheduler/jobs', {
      headers: { authorization: `Bearer ${DEFAULT_CONFIG.adminToken}` },
    });
    expect(jobs.status).toBe(200);
    expect(jobs.text()).toContain('orders.digest');
  });

  it('reads its configuration from EVENTS_* variables and refuses bad values', () => {
    expect(loadConfig({ EVENTS_BROKER: 'nats', EVENTS_QUEUE: 'redis' })).toMatchObject({
      broker: 'nats',
      queue: 'redis',
    });
    expect(() => loadConfig({ EVENTS_BROKER: 'kafka' })).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID', source: 'EVENTS_BROKER' }),
    );
    expect(() => loadConfig({ EVENTS_ADMIN_TOKEN: 'short' })).toThrow(
      expect.objectContaining({ source: 'EVENTS_ADMIN_TOKEN' }),
    );
  });
});

describe.skipIf(services.nats === null || services.redis === null)('events-service on NATS JetStream + BullMQ', () => {
  it('runs the same order flow with the broker and queue moved to real servers', async () => {
    const namespace = `ev${randomBytes(4).toString('hex')}`;
    cleanups.push(() => NatsBroker.destroyNamespace(services.nats!, namespace));
    cleanups.push(async () => {
      const q = new BullMqTaskQueue({ url: services.redis!, queue: `${namespace}-jobs`, prefix: 'plumego-events' });
      await q.obliterate();
      await q.close();
    });
    const s = await start({
      broker: 'nats',
      natsUrl: services.nats!,
      queue: 'redis',
      redisUrl: services.redis!,
      namespace,
    });
    await placeOrderFlow(s);
  });
});
