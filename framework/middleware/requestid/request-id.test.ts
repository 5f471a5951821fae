import { describe, expect, it, vi } from 'vitest';
import {
  BufferedResponseWriter,
  composeMiddleware,
  createRequest,
  type Handler,
  type RequestInit,
} from 'plumego/contract';
import { decodeRequestId, newRequestId, requestId, type RequestIdOptions } from './request-id.ts';

async function run(options: RequestIdOptions, init: Partial<RequestInit> = {}) {
  let seen = '';
  const h: Handler = (w, r) => {
    seen = r.ctx.requestId;
    w.end();
  };
  const w = new BufferedResponseWriter();
  await composeMiddleware([requestId(options)], h)(w, createRequest({ url: '/', ...init }));
  return { seen, header: w.getHeader('x-request-id') };
}

describe('requestId middleware', () => {
  it('generates a 12-char id, stores it in the context and echoes it', async () => {
    const { seen, header } = await run({});
    expect(seen).toMatch(/^[0-9A-Za-z]{12}$/);
    expect(header).toBe(seen);
  });

  it('reuses a valid incoming id', async () => {
    expect((await run({}, { headers: { 'X-Request-ID': ' abc-1 ' } })).seen).toBe('abc-1');
  });

  it.each([
    { title: 'control characters', value: 'a\u0001b' },
    { title: 'an oversized id', value: 'x'.repeat(200) },
    { title: 'an empty id', value: '  ' },
    { title: 'a quote and a brace', value: 'a"}{' },
    { title: 'spaces inside', value: 'a b' },
    { title: 'a log-injection attempt', value: 'x level=error msg=forged' },
    { title: 'non-ASCII letters', value: 'idé' },
    { title: 'an HTML tag', value: '<script>' },
    { title: 'a 129-character id', value: 'a'.repeat(129) },
  ])('replaces an incoming id with $title', async ({ value }) => {
    const { seen } = await run({}, { headers: { 'x-request-id': value } });
    expect(seen).toMatch(/^[0-9A-Za-z]{12}$/);
  });

  it.each([
    { title: 'a UUID', value: '0f8fad5b-d9cb-469f-a165-70867728950e' },
    { title: 'a hex trace id', value: '4bf92f3577b34da6a3ce929d0e0e4736' },
    { title: 'a dotted, underscored and coloned id', value: 'svc.a_b:1' },
    { title: 'a 128-character id', value: 'a'.repeat(128) },
  ])('keeps an incoming id that is $title', async ({ value }) => {
    expect((await run({}, { headers: { 'x-request-id': value } })).seen).toBe(value);
  });

  it('ignores incoming ids when not trusted and uses the custom generator', async () => {
    const { seen } = await run(
      { trustIncoming: false, generator: () => 'gen-1' },
      { headers: { 'x-request-id': 'client' } },
    );
    expect(seen).toBe('gen-1');
  });

  it('keeps an id already in the context', async () => {
    const h: Handler = (w, r) => w.end(r.ctx.requestId);
    const r0 = createRequest({ url: '/' });
    const w = new BufferedResponseWriter();
    await composeMiddleware([requestId({ generator: () => 'new' })], h)(
      w,
      r0.withContext(r0.ctx.withRequestId('existing')),
    );
    expect(w.getBody().toString()).toBe('existing');
  });
});

describe('newRequestId', () => {
  it('encodes time, randomness and a per-millisecond sequence that decode back', () => {
    const now = Date.UTC(2026, 10, 30, 12, 0, 0, 123);
    const a = newRequestId(now);
    const b = newRequestId(now);
    const da = decodeRequestId(a)!;
    const db = decodeRequestId(b)!;
    expect(da.timestamp.getTime()).toBe(now);
    expect(db.sequence).toBe((da.sequence + 1) & 0x3ff);
    expect(da.random).toBeLessThan(0x4000);
    expect(a).not.toBe(b);
  });

  it.each([
    { title: 'the smallest random part', random: 0 },
    { title: 'the largest random part', random: 0.99999999 },
    { title: 'a middle random part', random: 0.5 },
  ])('encodes $title and every sequence value so that it decodes back', ({ random }) => {
    const spy = vi.spyOn(Math, 'random').mockReturnValue(random);
    try {
      const now = Date.UTC(2027, 1, 2, 3, 4, 5, 6);
      const seen = new Set<string>();
      for (let i = 0; i < 1024; i++) {
        const id = newRequestId(now);
        expect(id).toMatch(/^[0-9A-Za-z]{12}$/);
        const d = decodeRequestId(id)!;
        expect(d.timestamp.getTime()).toBe(now);
        expect(d.random).toBe(Math.floor(random * 0x4000));
        seen.add(id);
      }
      expect(seen.size).toBe(1024); // the 10-bit sequence wraps only after 1024 ids
    } finally {
      spy.mockRestore();
    }
  });

  it('sorts by time', () => {
    const ids = [Date.UTC(2021, 0, 1), Date.UTC(2024, 5, 1), Date.UTC(2030, 0, 1)].map((t) => newRequestId(t));
    expect([...ids].sort()).toEqual(ids);
  });

  it('does not decode foreign ids', () => {
    expect(decodeRequestId('not-an-id')).toBeUndefined();
    expect(decodeRequestId('zzzzzzzzzzzz')).toBeUndefined();
  });
});
