import { BufferedResponseWriter, createRequest } from 'plumego/contract';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createMessagingHandler } from './http.ts';
import { LogEmailProvider } from './providers/log.ts';
import { MessagingService } from './service.ts';

const services: MessagingService[] = [];
afterEach(async () => {
  for (const s of services.splice(0)) await s.close();
});

function setup() {
  const log = new LogEmailProvider();
  const svc = new MessagingService({ email: log, retryDelayMs: 10 });
  svc.start();
  services.push(svc);
  const tenants: Record<string, string> = { 'key-a': 'tenant-a', 'key-b': 'tenant-b' };
  const handler = createMessagingHandler(svc, { resolveTenant: (r) => tenants[r.header('x-api-key') ?? ''] });
  const call = async (method: string, url: string, key: string | undefined, body?: unknown) => {
    const w = new BufferedResponseWriter();
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (key !== undefined) headers['x-api-key'] = key;
    await handler(
      w,
      createRequest({ method, url, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) }),
    );
    const text = w.getBody().toString();
    return { status: w.status, json: (text ? JSON.parse(text) : undefined) as Record<string, any> };
  };
  return { svc, log, call };
}

const email = { channel: 'email', to: 'a@example.test', subject: 'Hello', text: 'Body' };

describe('messaging HTTP handler', () => {
  it("sends, batch-sends, reads receipts, stats and health for the caller's tenant", async () => {
    const { call, log } = setup();
    const sent = await call('POST', '/messages', 'key-a', { ...email, tenantId: 'tenant-b' });
    expect(sent.status).toBe(202);
    const receipt = JSON.stringify(sent.json);
    expect(receipt).toContain('"tenantId":"tenant-a"'); // the body's tenantId is ignored
    const id = /"id":"(rcpt_[0-9a-f]+)"/.exec(receipt)![1]!;
    await vi.waitFor(() => expect(log.sent).toHaveLength(1));
    const batch = await call('POST', '/messages/batch', 'key-a', {
      messages: [email, { ...email, to: 'not-an-address' }],
    });
    expect(batch.status).toBe(200);
    expect(JSON.stringify(batch.json)).toMatch(/"ok":true.*"ok":false.*MESSAGING_INVALID_REQUEST/);
    const one = await call('GET', `/messages/receipts/${id}`, 'key-a');
    expect(one.status).toBe(200);
    expect(JSON.stringify(one.json)).toContain('"status":"sent"');
    const list = await call('GET', '/messages/receipts?status=sent&limit=10', 'key-a');
    expect(JSON.stringify(list.json)).toContain(id);
    expect(JSON.stringify((await call('GET', '/messages/stats', 'key-a')).json)).toMatch(/"sent":\d/);
    expect(JSON.stringify((await call('GET', '/messages/health', 'key-a')).json)).toContain('"channel":"email"');
  });

  it("hides other tenants' receipts and refuses unauthenticated and malformed requests", async () => {
    const { call } = setup();
    const sent = await call('POST', '/messages', 'key-a', email);
    const id = /"id":"(rcpt_[0-9a-f]+)"/.exec(JSON.stringify(sent.json))![1]!;
    expect((await call('GET', `/messages/receipts/${id}`, 'key-b')).status).toBe(404);
    expect(JSON.stringify((await call('GET', '/messages/receipts', 'key-b')).json)).not.toContain(id);
    const anon = await call('POST', '/messages', undefined, email);
    expect(anon.status).toBe(401);
    expect(JSON.stringify(anon.json)).toContain('MESSAGING_UNAUTHORIZED');
    expect((await call('POST', '/messages', 'nope', email)).status).toBe(401);
    const bad = await call('POST', '/messages', 'key-a', { ...email, to: 'x' });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.json)).toContain('MESSAGING_INVALID_REQUEST');
    expect((await call('POST', '/messages', 'key-a', [1, 2])).status).toBe(400);
    expect((await call('GET', '/messages/receipts?status=lost', 'key-a')).status).toBe(400);
    expect((await call('GET', '/messages/receipts?limit=0', 'key-a')).status).toBe(400);
    expect((await call('POST', '/messages/batch', 'key-a', { messages: 'x' })).status).toBe(400);
  });

  it('cannot be built without a tenant resolver', () => {
    const svc = new MessagingService({ email: new LogEmailProvider() });
    services.push(svc);
    expect(() => createMessagingHandler(svc, {} as never)).toThrow(
      expect.objectContaining({ code: 'MESSAGING_INVALID_OPTIONS' }),
    );
  });
});
