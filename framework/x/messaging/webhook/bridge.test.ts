import { createServer, type Server } from 'node:http';
import { InProcessBroker } from 'plumego/x/messaging/pubsub';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { bridgeToWebhooks } from './bridge.ts';
import { WebhookSender } from './sender.ts';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(
    servers.splice(0).map(
      (s) =>
        new Promise((r) => {
          s.closeAllConnections();
          s.close(r);
        }),
    ),
  );
});

async function receiver(statuses: number[]): Promise<{ url: string; got: Array<{ event: string; body: unknown }> }> {
  const got: Array<{ event: string; body: unknown }> = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const status = statuses.shift() ?? 200;
      if (status < 300)
        got.push({ event: String(req.headers['webhook-event']), body: JSON.parse(Buffer.concat(chunks).toString()) });
      res.writeHead(status).end();
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}/hook`, got };
}

describe('bridgeToWebhooks', () => {
  it('forwards each message as a webhook named by its subject', async () => {
    const r = await receiver([]);
    const broker = new InProcessBroker();
    await bridgeToWebhooks(
      broker,
      'orders.*',
      new WebhookSender({ secret: 's', allowPrivateNetworks: true, initialDelayMs: 5 }),
      { url: r.url },
    );
    await broker.publish('orders.placed', JSON.stringify({ id: 1 }));
    await broker.publish('orders.paid', JSON.stringify({ id: 1 }));
    await vi.waitFor(() =>
      expect(r.got).toEqual([
        { event: 'orders.placed', body: { id: 1 } },
        { event: 'orders.paid', body: { id: 1 } },
      ]),
    );
    await broker.close();
  });

  it('redelivers after a failed delivery round and dead-letters what never gets through', async () => {
    const r = await receiver([500, 500, 200]); // first round (2 attempts) fails, the redelivery succeeds
    const broker = new InProcessBroker();
    const dead: string[] = [];
    await broker.subscribe('dlq.webhooks', (m) => {
      dead.push(String(m.headers['plumego-dl-reason']));
    });
    const sender = new WebhookSender({ secret: 's', allowPrivateNetworks: true, initialDelayMs: 5, maxAttempts: 2 });
    await bridgeToWebhooks(broker, 'events.>', sender, {
      url: r.url,
      subscribe: { maxDeliver: 2, deadLetterSubject: 'dlq.webhooks' },
    });
    await broker.publish('events.a', JSON.stringify({ n: 1 }));
    await vi.waitFor(() => expect(r.got).toEqual([{ event: 'events.a', body: { n: 1 } }]));
    await broker.publish('events.bad', 'not json');
    await vi.waitFor(() => expect(dead).toEqual(['WEBHOOK_INVALID_PAYLOAD']));
    await broker.close();
  });
});
