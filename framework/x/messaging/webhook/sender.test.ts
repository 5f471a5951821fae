import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { SqliteDeliveryLog } from './delivery-log.ts';
import { WebhookSender } from './sender.ts';
import { createHmacVerifier } from './verify.ts';

type Handler = (req: IncomingMessage, body: Buffer, res: ServerResponse) => void;
const servers: Server[] = [];
const dir = mkdtempSync(join(tmpdir(), 'plumego-webhook-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
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

async function receiver(handler: Handler): Promise<{ url: string; hits: () => number }> {
  let hits = 0;
  const server = createServer((req, res) => {
    hits++;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handler(req, Buffer.concat(chunks), res));
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}/hook`, hits: () => hits };
}

const fastRetries = { initialDelayMs: 5, maxDelayMs: 20, timeoutMs: 2000, allowPrivateNetworks: true } as const;

describe('WebhookSender', () => {
  it('signs so that the generic verifier accepts the raw body, and logs the delivery', async () => {
    const verify = createHmacVerifier({
      secret: 's3cret',
      signatureHeader: 'x-plumego-signature',
      signaturePrefix: 'sha256=',
      timestampHeader: 'webhook-timestamp',
    });
    const seen: unknown[] = [];
    const r = await receiver((req, body, res) => {
      verify({ headers: req.headers, body })
        .then(() => {
          seen.push({ event: req.headers['webhook-event'], body: JSON.parse(body.toString()) });
          res.writeHead(204).end();
        })
        .catch(() => res.writeHead(401).end());
    });
    const sender = new WebhookSender({ secret: 's3cret', ...fastRetries });
    const record = await sender.send(r.url, 'order.placed', { id: 7, note: 'é' });
    expect(record).toMatchObject({ status: 'delivered', event: 'order.placed', attempts: [{ status: 204 }] });
    expect(seen).toEqual([{ event: 'order.placed', body: { id: 7, note: 'é' } }]);
    expect(await sender.getDelivery(record.id)).toEqual(record);
  });

  it('retries 5xx and 429 with backoff until the receiver succeeds', async () => {
    const answers = [500, 429, 503, 200];
    const r = await receiver((_req, _body, res) => {
      res.writeHead(answers.shift() ?? 200).end();
    });
    const record = await new WebhookSender({ secret: 's', ...fastRetries }).send(r.url, 'e', {});
    expect(record.status).toBe('delivered');
    expect(record.attempts.map((a) => a.status)).toEqual([500, 429, 503, 200]);
  });

  it('gives up at once on a 4xx and on a redirect (never followed)', async () => {
    const gone = await receiver((_req, _body, res) => {
      res.writeHead(410).end();
    });
    const redirect = await receiver((_req, _body, res) => {
      res.writeHead(302, { location: 'http://169.254.169.254/' }).end();
    });
    const sender = new WebhookSender({ secret: 's', ...fastRetries });
    expect(await sender.send(gone.url, 'e', {})).toMatchObject({
      status: 'failed',
      attempts: [{ status: 410, error: 'WEBHOOK_DELIVERY_FAILED' }],
    });
    expect(await sender.send(redirect.url, 'e', {})).toMatchObject({ status: 'failed', attempts: [{ status: 302 }] });
    expect(gone.hits()).toBe(1);
  });

  it('times out a hanging receiver, retries, and records each timeout', async () => {
    const r = await receiver(() => {
      /* never answers */
    });
    const record = await new WebhookSender({ secret: 's', ...fastRetries, timeoutMs: 100, maxAttempts: 2 }).send(
      r.url,
      'e',
      {},
    );
    expect(record).toMatchObject({
      status: 'failed',
      attempts: [{ error: 'WEBHOOK_TIMEOUT' }, { error: 'WEBHOOK_TIMEOUT' }],
    });
    expect(r.hits()).toBe(2);
  });

  it('opens the per-target circuit after repeated failures and skips attempts while open', async () => {
    const r = await receiver((_req, _body, res) => {
      res.writeHead(500).end();
    });
    const sender = new WebhookSender({
      secret: 's',
      ...fastRetries,
      maxAttempts: 5,
      breaker: { failureThreshold: 2, openTimeoutMs: 60_000 },
    });
    const record = await sender.send(r.url, 'e', {});
    expect(record.status).toBe('failed');
    expect(record.attempts.map((a) => a.error)).toEqual([
      'WEBHOOK_DELIVERY_FAILED',
      'WEBHOOK_DELIVERY_FAILED',
      'CIRCUIT_OPEN',
      'CIRCUIT_OPEN',
      'CIRCUIT_OPEN',
    ]);
    expect(r.hits()).toBe(2);
    expect(sender.getBreaker(r.url).stats().state).toBe('open');
  });

  it('refuses loopback, link-local and private targets by default without sending anything', async () => {
    const r = await receiver((_req, _body, res) => {
      res.writeHead(200).end();
    });
    const sender = new WebhookSender({ secret: 's', initialDelayMs: 5 });
    for (const url of [r.url, 'http://169.254.169.254/latest/meta-data', 'http://10.0.0.8/x', 'http://[::1]:9/x']) {
      expect(await sender.send(url, 'e', {})).toMatchObject({
        status: 'failed',
        attempts: [{ error: 'WEBHOOK_FORBIDDEN_TARGET' }],
      });
    }
    // A public-looking name that resolves to a private address is refused too (checked after DNS).
    const rebinding = new WebhookSender({ secret: 's', lookup: async () => [{ address: '127.0.0.1' }] });
    expect(await rebinding.send('http://hooks.example.com/x', 'e', {})).toMatchObject({
      status: 'failed',
      attempts: [{ error: 'WEBHOOK_FORBIDDEN_TARGET' }],
    });
    expect(r.hits()).toBe(0);
  });

  it('keeps the delivery log on disk and redelivers a failed delivery later', async () => {
    let up = false;
    const r = await receiver((_req, _body, res) => {
      res.writeHead(up ? 200 : 503).end();
    });
    const path = join(dir, 'deliveries.db');
    const first = new WebhookSender({ secret: 's', ...fastRetries, maxAttempts: 2, log: new SqliteDeliveryLog(path) });
    const failed = await first.send(r.url, 'invoice.paid', { n: 1 });
    expect(failed.status).toBe('failed');
    up = true;
    const second = new WebhookSender({ secret: 's', ...fastRetries, log: new SqliteDeliveryLog(path) });
    expect((await second.listDeliveries({ status: 'failed' })).map((d) => d.id)).toEqual([failed.id]);
    const again = await second.redeliver(failed.id);
    expect(again).toMatchObject({ status: 'delivered', body: '{"n":1}' });
    expect(again.attempts.map((a) => a.status)).toEqual([503, 503, 200]);
    await expect(second.redeliver('whd_missing')).rejects.toMatchObject({ code: 'WEBHOOK_DELIVERY_NOT_FOUND' });
  });

  it('refuses bad construction and bad input before sending', async () => {
    expect(() => new WebhookSender({ secret: '' })).toThrow(
      expect.objectContaining({ code: 'WEBHOOK_MISSING_SECRET' }),
    );
    expect(() => new WebhookSender({ secret: 's', timeoutMs: 0 })).toThrow(
      expect.objectContaining({ code: 'WEBHOOK_INVALID_OPTIONS' }),
    );
    const sender = new WebhookSender({ secret: 's' });
    await expect(sender.send('ftp://example.com/x', 'e', {})).rejects.toMatchObject({
      code: 'PLUMEGO_ERR_INPUT_INVALID_URL',
    });
    await expect(sender.send('https://user:pw@example.com/x', 'e', {})).rejects.toMatchObject({
      code: 'PLUMEGO_ERR_INPUT_INVALID_URL',
    });
    await expect(sender.send('https://example.com/x', 'bad event!', {})).rejects.toMatchObject({
      code: 'WEBHOOK_INVALID_OPTIONS',
    });
  });
});
