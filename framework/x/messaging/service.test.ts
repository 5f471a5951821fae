import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { FailoverSmsProvider, HttpSmsProvider } from './providers/http-sms.ts';
import { LogEmailProvider, LogSmsProvider } from './providers/log.ts';
import { SmtpEmailProvider } from './providers/smtp-email.ts';
import { MessagingService } from './service.ts';
import type { EmailMessage, EmailProvider } from './types.ts';

const dir = mkdtempSync(join(tmpdir(), 'plumego-messaging-'));
const closers: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const WAIT = { timeout: 8000, interval: 10 };

function service(options: ConstructorParameters<typeof MessagingService>[0]): MessagingService {
  const s = new MessagingService({ retryDelayMs: 10, ...options });
  closers.push(() => s.close());
  s.start();
  return s;
}

async function smtpSink(): Promise<{ url: string; mails: string[] }> {
  const mails: string[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        mails.push(Buffer.concat(chunks).toString());
        callback();
      });
    },
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(() => new Promise((r) => server.close(() => r(undefined))));
  return { url: `smtp://127.0.0.1:${(server.server.address() as { port: number }).port}`, mails };
}

async function smsGateway(answer: () => number): Promise<{ url: string; got: unknown[] }> {
  const got: unknown[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const status = answer();
      if (status === 200)
        got.push({ auth: req.headers.authorization, body: JSON.parse(Buffer.concat(chunks).toString()) });
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ id: `sms-${got.length}` }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(
    () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r(undefined));
      }),
  );
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}/send`, got };
}

describe('MessagingService', () => {
  it('sends templated email through SMTP (nodemailer to a local smtp-server) and records the receipt history', async () => {
    const sink = await smtpSink();
    const smtp = new SmtpEmailProvider({ url: sink.url, from: 'shop@example.test' });
    closers.push(() => smtp.close());
    const s = service({
      email: smtp,
      templates: { welcome: { subject: 'Hi {{name}}', text: 'Welcome {{name}}!', html: '<p>Welcome {{name}}</p>' } },
    });
    const receipt = await s.send({
      tenantId: 't1',
      channel: 'email',
      to: 'ann@example.test',
      template: { name: 'welcome', data: { name: '<Ann>' } },
    });
    expect(receipt.status).toBe('queued');
    await vi.waitFor(() => expect(s.getReceipt(receipt.id)?.status).toBe('sent'), WAIT);
    expect(sink.mails).toHaveLength(1);
    expect(sink.mails[0]).toContain('Subject: Hi <Ann>');
    expect(sink.mails[0]).toContain('&#60;Ann&#62;'); // escaped into the HTML part
    const done = s.getReceipt(receipt.id)!;
    expect(done).toMatchObject({ provider: 'smtp', tenantId: 't1' });
    expect(done.providerMessageId).toMatch(/@/);
    expect(done.history.map((h) => h.status)).toEqual(['queued', 'sending', 'sent']);
  });

  it('fails over to the second SMS provider and reports each provider in channel health', async () => {
    const broken = await smsGateway(() => 500);
    const backup = await smsGateway(() => 200);
    const sms = new FailoverSmsProvider([
      new HttpSmsProvider({ name: 'primary', url: broken.url, token: 'p-token' }),
      new HttpSmsProvider({ name: 'backup', url: backup.url, token: 'b-token' }),
    ]);
    const s = service({ sms });
    const receipt = await s.send({ tenantId: 't1', channel: 'sms', to: '+4915112345678', text: 'code 1234' });
    await vi.waitFor(() => expect(s.getReceipt(receipt.id)?.status).toBe('sent'), WAIT);
    expect(s.getReceipt(receipt.id)).toMatchObject({ provider: 'backup', providerMessageId: 'sms-1' });
    expect(backup.got).toEqual([{ auth: 'Bearer b-token', body: { to: '+4915112345678', text: 'code 1234' } }]);
    const health = s.channelHealth().find((c) => c.channel === 'sms')!;
    expect(health.status).toBe('healthy');
    expect(health.providers).toEqual([
      expect.objectContaining({ name: 'primary', status: 'degraded', consecutiveFailures: 1 }),
      expect.objectContaining({ name: 'backup', status: 'healthy' }),
    ]);
    expect(s.channelHealth().find((c) => c.channel === 'email')!.status).toBe('unconfigured');
  });

  it('retries a failing provider and marks the receipt failed after maxAttempts', async () => {
    let calls = 0;
    const flaky: EmailProvider = {
      name: 'flaky',
      send: async () => {
        calls++;
        throw new Error('down');
      },
    };
    const s = service({ email: flaky, maxAttempts: 2 });
    const receipt = await s.send({ tenantId: 't1', channel: 'email', to: 'a@example.test', subject: 's', text: 'x' });
    await vi.waitFor(() => expect(s.getReceipt(receipt.id)?.status).toBe('failed'), WAIT);
    expect(calls).toBe(2);
    expect(s.getReceipt(receipt.id)).toMatchObject({ error: 'MESSAGING_PROVIDER_FAILED' });
    expect(s.getReceipt(receipt.id)!.history.map((h) => h.status)).toEqual([
      'queued',
      'sending',
      'queued',
      'sending',
      'failed',
    ]);
    expect(s.stats('t1')).toMatchObject({ failed: 1, byChannel: { email: { failed: 1, sent: 0 } } });
  });

  it('deduplicates by idempotency key, enforces the daily quota and the rate limit per tenant', async () => {
    let t = Date.parse('2026-03-01T10:00:00Z');
    const log = new LogEmailProvider();
    const s = service({ email: log, quotaPerDay: 3, rateLimit: { ratePerSecond: 1, burst: 2 }, now: () => t });
    const msg = { tenantId: 't1', channel: 'email' as const, to: 'a@example.test', subject: 's', text: 'x' };
    const a = await s.send({ ...msg, idempotencyKey: 'order-1' });
    const again = await s.send({ ...msg, idempotencyKey: 'order-1' });
    expect(again.id).toBe(a.id);
    await s.send(msg);
    await expect(s.send(msg)).rejects.toMatchObject({ code: 'MESSAGING_RATE_LIMITED', status: 429 });
    t += 1500;
    await s.send(msg);
    t += 1500;
    await expect(s.send(msg)).rejects.toMatchObject({ code: 'MESSAGING_QUOTA_EXCEEDED', status: 429 });
    await expect(s.send({ ...msg, tenantId: 't2' })).resolves.toMatchObject({ status: 'queued' });
    t += 86_400_000; // a new UTC day
    await expect(s.send(msg)).resolves.toMatchObject({ status: 'queued' });
    await vi.waitFor(() => expect(log.sent).toHaveLength(5), WAIT);
  });

  it('refuses malformed requests with typed errors and sends nothing', async () => {
    const log = new LogSmsProvider();
    const s = service({ sms: log, templates: { otp: { text: 'code {{code}}' } } });
    const bad: Array<[unknown, string]> = [
      [{ tenantId: 'bad tenant', channel: 'sms', to: '+4915112345678', text: 'x' }, 'MESSAGING_INVALID_REQUEST'],
      [{ tenantId: 't', channel: 'fax', to: '+4915112345678', text: 'x' }, 'MESSAGING_INVALID_REQUEST'],
      [{ tenantId: 't', channel: 'sms', to: '12345', text: 'x' }, 'MESSAGING_INVALID_REQUEST'],
      [{ tenantId: 't', channel: 'sms', to: '+4915112345678' }, 'MESSAGING_INVALID_REQUEST'],
      [{ tenantId: 't', channel: 'sms', to: '+4915112345678', text: 'x'.repeat(10_001) }, 'MESSAGING_INVALID_REQUEST'],
      [
        { tenantId: 't', channel: 'sms', to: '+4915112345678', template: { name: 'nope' } },
        'MESSAGING_TEMPLATE_NOT_FOUND',
      ],
      [
        { tenantId: 't', channel: 'sms', to: '+4915112345678', template: { name: 'otp', data: {} } },
        'MESSAGING_TEMPLATE_VARIABLE_MISSING',
      ],
      [
        { tenantId: 't', channel: 'email', to: 'a@example.test', subject: 's', text: 'x' },
        'MESSAGING_CHANNEL_UNAVAILABLE',
      ],
      [null, 'MESSAGING_INVALID_REQUEST'],
    ];
    for (const [request, code] of bad) await expect(s.send(request as never)).rejects.toMatchObject({ code });
    const batch = await s.sendBatch([
      { tenantId: 't', channel: 'sms', to: '+4915112345678', text: 'ok' },
      { tenantId: 't', channel: 'sms', to: 'nope', text: 'x' },
    ]);
    expect(batch.map((b) => b.ok)).toEqual([true, false]);
    expect(batch[1]).toMatchObject({ ok: false, error: { code: 'MESSAGING_INVALID_REQUEST' } });
    await vi.waitFor(() => expect(log.sent.map((m) => m.text)).toEqual(['ok']), WAIT);
    expect(() => new MessagingService({})).toThrow(expect.objectContaining({ code: 'MESSAGING_INVALID_OPTIONS' }));
  });

  it('keeps queued messages across a restart and sends them on the next start', async () => {
    const path = join(dir, 'restart.db');
    const first = new MessagingService({ path, email: new LogEmailProvider() });
    const receipt = await first.send({
      tenantId: 't1',
      channel: 'email',
      to: 'a@example.test',
      subject: 's',
      text: 'later',
    });
    await first.close(); // never started: nothing was sent
    const sent: EmailMessage[] = [];
    const second = service({ path, email: new LogEmailProvider((m) => sent.push(m)) });
    await vi.waitFor(() => expect(second.getReceipt(receipt.id)?.status).toBe('sent'), WAIT);
    expect(sent.map((m) => m.text)).toEqual(['later']);
  });
});
