// The idempotency middleware at its edges: option checks, uncovered methods, body and response
// limits, released keys (throw, exactly 500), and taking over an abandoned claim.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { BufferedResponseWriter, createRequest, type Handler } from 'plumego/contract';
import { createIdempotencyMiddleware, resolveIdempotencyMiddlewareOptions } from './http.ts';
import { MemoryIdempotencyStore } from './memory-store.ts';
import type { IdempotencyRecord, IdempotencyStore } from './record.ts';

async function call(handler: Handler, init: { method?: string; url?: string; key?: string; body?: string }) {
  const headers: Record<string, string> = { 'content-type': 'text/plain' };
  if (init.key !== undefined) headers['idempotency-key'] = init.key;
  const r = createRequest({
    method: init.method ?? 'POST',
    url: init.url ?? '/orders',
    headers,
    ...(init.body === undefined ? {} : { body: init.body }),
  });
  const w = new BufferedResponseWriter();
  let thrown: unknown;
  try {
    await handler(w, r);
  } catch (e) {
    thrown = e;
  }
  return { status: w.status, body: w.getBody().toString(), header: (n: string) => w.getHeader(n), thrown };
}

/** A handler that counts its runs and answers what `answer` says. */
function counting(answer: (n: number) => { status: number; body: string } | 'throw') {
  let runs = 0;
  const handler: Handler = (w) => {
    runs++;
    const a = answer(runs);
    if (a === 'throw') throw new Error('handler failed');
    w.writeHead(a.status);
    w.end(a.body);
  };
  return { handler, runs: () => runs };
}

// The store key and request hash the middleware derives (scope '' by default), to plant records.
const storeKey = (raw: string): string => createHash('sha256').update('').update('\0').update(raw).digest('base64url');
const requestHash = (method: string, path: string, body: string): string =>
  createHash('sha256').update(method).update('\0').update(path).update('\0').update(body).digest('base64url');

describe('idempotency middleware options', () => {
  it.each(['ttlMs', 'maxBodyBytes', 'maxResponseBytes', 'lockTimeoutMs'] as const)(
    'refuses a zero, negative or fractional %s',
    (field) => {
      for (const bad of [0, -1, 1.5])
        expect(() => resolveIdempotencyMiddlewareOptions({ [field]: bad })).toThrow(TypeError);
      expect(resolveIdempotencyMiddlewareOptions({ [field]: 1 })[field]).toBe(1);
    },
  );
});

describe('idempotency middleware edges', () => {
  it('leaves methods it does not cover alone, even with a key', async () => {
    const h = counting(() => ({ status: 200, body: 'ok' }));
    const mw = createIdempotencyMiddleware(new MemoryIdempotencyStore())(h.handler);
    const a = await call(mw, { method: 'PUT', key: 'k', body: 'x' });
    const b = await call(mw, { method: 'PUT', key: 'k', body: 'x' });
    expect([a.status, b.status, b.header('idempotent-replayed'), h.runs()]).toEqual([200, 200, undefined, 2]);
  });

  it('refuses a body over maxBodyBytes before running the handler', async () => {
    const h = counting(() => ({ status: 201, body: 'ok' }));
    const mw = createIdempotencyMiddleware(new MemoryIdempotencyStore(), { maxBodyBytes: 4 })(h.handler);
    const res = await call(mw, { key: 'k', body: '0123456789' });
    expect(res.thrown).toMatchObject({ status: 413 });
    expect(h.runs()).toBe(0);
  });

  it('releases the key when the handler throws or answers exactly 500, so a retry runs again', async () => {
    const h = counting((n) =>
      n === 1 ? 'throw' : n === 2 ? { status: 500, body: 'oops' } : { status: 201, body: 'made' },
    );
    const mw = createIdempotencyMiddleware(new MemoryIdempotencyStore())(h.handler);
    expect((await call(mw, { key: 'k', body: 'x' })).thrown).toBeInstanceOf(Error);
    expect((await call(mw, { key: 'k', body: 'x' })).status).toBe(500);
    expect((await call(mw, { key: 'k', body: 'x' })).status).toBe(201);
    const replayed = await call(mw, { key: 'k', body: 'x' });
    expect([replayed.status, replayed.body, replayed.header('idempotent-replayed')]).toEqual([201, 'made', 'true']);
    expect(h.runs()).toBe(3);
  });

  it('answers 500 when the response is too large to record, and releases the key', async () => {
    const h = counting((n) => ({ status: 201, body: n === 1 ? 'x'.repeat(100) : 'ok' }));
    const mw = createIdempotencyMiddleware(new MemoryIdempotencyStore(), { maxResponseBytes: 16 })(h.handler);
    const big = await call(mw, { key: 'k', body: 'x' });
    expect(big.status).toBe(500);
    expect(big.body).not.toContain('xxxx');
    expect((await call(mw, { key: 'k', body: 'x' })).status).toBe(201);
    expect(h.runs()).toBe(2);
  });

  it('answers 409 when the claim fails and the record is gone by the time it is read', async () => {
    const vanishing: IdempotencyStore = {
      putIfAbsent: async () => false,
      get: async () => undefined,
      complete: async () => {
        throw new Error('not claimed');
      },
      delete: async () => undefined,
    };
    const h = counting(() => ({ status: 201, body: 'ok' }));
    const res = await call(createIdempotencyMiddleware(vanishing)(h.handler), { key: 'k', body: 'x' });
    expect(res.status).toBe(409);
    expect(h.runs()).toBe(0);
  });
});

describe('an abandoned claim', () => {
  async function planted(record: Partial<IdempotencyRecord>, nowMs: number) {
    const store = new MemoryIdempotencyStore({ now: () => nowMs });
    const base: IdempotencyRecord = {
      key: storeKey('k'),
      requestHash: requestHash('POST', '/orders', 'x'),
      status: 'in_progress',
      createdAt: 1_000,
      updatedAt: 1_000,
      expiresAt: 10_000_000,
    };
    expect(await store.putIfAbsent({ ...base, ...record })).toBe(true);
    const h = counting(() => ({ status: 201, body: 'fresh' }));
    const mw = createIdempotencyMiddleware(store, { lockTimeoutMs: 500, now: () => nowMs })(h.handler);
    return { mw, runs: h.runs };
  }

  it('is still in progress (409, Retry-After) before lockTimeoutMs has passed', async () => {
    const { mw, runs } = await planted({}, 1_499);
    const res = await call(mw, { key: 'k', body: 'x' });
    expect([res.status, res.header('retry-after'), runs()]).toEqual([409, '1', 0]);
  });

  it('is taken over once lockTimeoutMs has passed', async () => {
    const { mw, runs } = await planted({}, 1_500);
    const res = await call(mw, { key: 'k', body: 'x' });
    expect([res.status, res.body, runs()]).toEqual([201, 'fresh', 1]);
  });

  it('is not taken over by a different request with the same key (422)', async () => {
    const { mw, runs } = await planted({ requestHash: requestHash('POST', '/orders', 'other') }, 5_000);
    expect((await call(mw, { key: 'k', body: 'x' })).status).toBe(422);
    expect(runs()).toBe(0);
  });

  it('a completed record is replayed however old, never taken over', async () => {
    const stored = Buffer.from(
      JSON.stringify({ status: 202, headers: ['x-from', 'store'], body: Buffer.from('kept').toString('base64') }),
    );
    const { mw, runs } = await planted({ status: 'completed', response: stored }, 5_000);
    const res = await call(mw, { key: 'k', body: 'x' });
    expect([res.status, res.body, res.header('x-from'), res.header('idempotent-replayed'), runs()]).toEqual([
      202,
      'kept',
      'store',
      'true',
      0,
    ]);
  });
});
