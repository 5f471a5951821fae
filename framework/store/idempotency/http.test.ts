import { describe, it, expect } from 'vitest';
import { BufferedResponseWriter, createRequest, readJson, writeResponse, type Handler } from 'plumego/contract';
import { createIdempotencyMiddleware } from './http.ts';
import { MemoryIdempotencyStore } from './memory-store.ts';

async function call(handler: Handler, init: { method?: string; url?: string; key?: string; body?: string }) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (init.key !== undefined) headers['idempotency-key'] = init.key;
  const r = createRequest({
    method: init.method ?? 'POST',
    url: init.url ?? '/orders',
    headers,
    ...(init.body === undefined ? {} : { body: init.body }),
  });
  const w = new BufferedResponseWriter();
  await handler(w, r);
  return { status: w.status, body: w.getBody().toString(), header: (n: string) => w.getHeader(n) };
}

function app(options: Parameters<typeof createIdempotencyMiddleware>[1] = {}) {
  let created = 0;
  let fail = false;
  const store = new MemoryIdempotencyStore();
  const handler: Handler = async (w, r) => {
    const input = (await readJson(r)) as { item: string };
    if (fail) {
      w.writeHead(503);
      w.end('down');
      return;
    }
    created++;
    w.setHeader('location', `/orders/${created}`);
    w.setHeader('set-cookie', 'session=secret');
    writeResponse(w, r, 201, { id: created, item: input.item });
  };
  return {
    handler: createIdempotencyMiddleware(store, options)(handler),
    count: () => created,
    setFail: (v: boolean) => {
      fail = v;
    },
  };
}

describe('idempotency middleware', () => {
  it('replays the completed response for a repeated key without running the handler again', async () => {
    const a = app();
    const first = await call(a.handler, { key: 'k-1', body: '{"item":"book"}' });
    const second = await call(a.handler, { key: 'k-1', body: '{"item":"book"}' });
    expect(first.status).toBe(201);
    expect(second).toMatchObject({ status: 201, body: first.body });
    expect(second.header('location')).toBe('/orders/1');
    expect(second.header('idempotent-replayed')).toBe('true');
    expect(second.header('set-cookie')).toBeUndefined();
    expect(a.count()).toBe(1);
  });

  it('rejects the same key reused with a different body, path or method', async () => {
    const a = app({ methods: ['POST', 'PUT'] });
    await call(a.handler, { key: 'k-2', body: '{"item":"book"}' });
    const otherBody = await call(a.handler, { key: 'k-2', body: '{"item":"car"}' });
    expect(otherBody.status).toBe(422);
    expect(JSON.parse(otherBody.body).error.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect((await call(a.handler, { key: 'k-2', url: '/refunds', body: '{"item":"book"}' })).status).toBe(422);
    expect((await call(a.handler, { key: 'k-2', method: 'PUT', body: '{"item":"book"}' })).status).toBe(422);
    expect(a.count()).toBe(1);
  });

  it('answers 409 with Retry-After while the first request is still running', async () => {
    const store = new MemoryIdempotencyStore();
    let release: () => void = () => {};
    const slow: Handler = async (w, r) => {
      await new Promise<void>((resolve) => {
        release = resolve;
      });
      writeResponse(w, r, 200, { ok: true });
    };
    const handler = createIdempotencyMiddleware(store)(slow);
    const first = call(handler, { key: 'k-3', body: '{}' });
    await new Promise((resolve) => setImmediate(resolve));
    const second = await call(handler, { key: 'k-3', body: '{}' });
    expect(second.status).toBe(409);
    expect(second.header('retry-after')).toBe('1');
    expect(JSON.parse(second.body).error.code).toBe('IDEMPOTENCY_IN_PROGRESS');
    release();
    expect((await first).status).toBe(200);
  });

  it('releases the key after a 5xx so the client can retry', async () => {
    const a = app();
    a.setFail(true);
    expect((await call(a.handler, { key: 'k-4', body: '{"item":"x"}' })).status).toBe(503);
    a.setFail(false);
    expect((await call(a.handler, { key: 'k-4', body: '{"item":"x"}' })).status).toBe(201);
  });

  it('passes requests without a key through, or refuses them when required', async () => {
    const a = app();
    expect((await call(a.handler, { body: '{"item":"x"}' })).status).toBe(201);
    expect((await call(a.handler, { body: '{"item":"x"}' })).status).toBe(201);
    expect(a.count()).toBe(2);
    const strict = app({ required: true });
    const missing = await call(strict.handler, { body: '{}' });
    expect(missing.status).toBe(400);
    expect(JSON.parse(missing.body).error.code).toBe('IDEMPOTENCY_KEY_MISSING');
  });

  it('refuses a malformed key and ignores uncovered methods', async () => {
    const a = app();
    const bad = await call(a.handler, { key: 'has space', body: '{}' });
    expect(JSON.parse(bad.body).error.code).toBe('IDEMPOTENCY_KEY_INVALID');
    expect((await call(a.handler, { key: 'x'.repeat(300), body: '{}' })).status).toBe(400);
  });

  it('keeps keys of different scopes apart', async () => {
    let who = 'alice';
    const a = app({ scope: () => who });
    await call(a.handler, { key: 'shared', body: '{"item":"a"}' });
    who = 'bob';
    const bob = await call(a.handler, { key: 'shared', body: '{"item":"b"}' });
    expect(bob.status).toBe(201);
    expect(a.count()).toBe(2);
  });
});

describe('idempotency middleware: abandoned claims and failing stores', () => {
  it('takes over a claim older than lockTimeoutMs instead of answering 409 until it expires', async () => {
    let now = 1_000_000;
    const store = new MemoryIdempotencyStore({ now: () => now });
    const handler = createIdempotencyMiddleware(store, { now: () => now, lockTimeoutMs: 5_000 })((w, r) =>
      writeResponse(w, r, 201, { ok: true }),
    );
    const first = await call(handler, { key: 'stuck', body: '{}' });
    // Simulate a process that died mid-request: an in-progress claim for a second key.
    const { createHash } = await import('node:crypto');
    const key = createHash('sha256').update('').update('\0').update('dead').digest('base64url');
    const hash = createHash('sha256')
      .update('POST')
      .update('\0')
      .update('/orders')
      .update('\0')
      .update('{}')
      .digest('base64url');
    await store.putIfAbsent({
      key,
      requestHash: hash,
      status: 'in_progress',
      createdAt: now,
      updatedAt: now,
      expiresAt: now + 86_400_000,
    });
    expect((await call(handler, { key: 'dead', body: '{}' })).status).toBe(409);
    now += 5_000;
    expect((await call(handler, { key: 'dead', body: '{}' })).status).toBe(201);
    expect(first.status).toBe(201);
  });

  it('still answers the client when recording the response fails, and releases the key', async () => {
    const store = new MemoryIdempotencyStore();
    store.complete = async () => {
      throw new Error('store down');
    };
    let runs = 0;
    const handler = createIdempotencyMiddleware(store)((w, r) => {
      runs++;
      writeResponse(w, r, 201, { ok: true });
    });
    expect((await call(handler, { key: 'k', body: '{}' })).status).toBe(201);
    expect((await call(handler, { key: 'k', body: '{}' })).status).toBe(201);
    expect(runs).toBe(2);
  });
});
