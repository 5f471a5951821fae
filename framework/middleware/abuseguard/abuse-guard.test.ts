import { describe, it, expect } from 'vitest';
import { BufferedResponseWriter, createRequest, writeResponse, type Handler } from 'plumego/contract';
import { createAbuseGuard } from './abuse-guard.ts';

const ok: Handler = (w, r) => writeResponse(w, r, 200, { ok: true });
// Frozen clocks: no refill between requests, however slow the machine is.
const frozen = () => Date.UTC(2026, 0, 1);

async function hit(handler: Handler, headers: Record<string, string> = {}) {
  const w = new BufferedResponseWriter();
  await handler(w, createRequest({ url: '/', headers }));
  return {
    status: w.status,
    header: (n: string) => w.getHeader(n),
    json: JSON.parse(w.getBody().toString()) as { error?: { code: string; details: Record<string, number> } },
  };
}

describe('abuse guard', () => {
  it('sends rate limit headers and a 429 envelope with Retry-After once the burst is spent', async () => {
    const now = Date.UTC(2026, 0, 1);
    const guard = createAbuseGuard({ rate: 1, burst: 2, now: () => now });
    const handler = guard.middleware()(ok);
    const first = await hit(handler);
    expect(first.status).toBe(200);
    expect(first.header('x-ratelimit-limit')).toBe('2');
    expect(first.header('x-ratelimit-remaining')).toBe('1');
    expect(Number(first.header('x-ratelimit-reset'))).toBe(Math.ceil((now + 1000) / 1000));
    await hit(handler);
    const denied = await hit(handler);
    expect(denied.status).toBe(429);
    expect(denied.header('retry-after')).toBe('1');
    expect(denied.json.error).toMatchObject({
      code: 'RATE_LIMITED',
      details: { limit: 2, remaining: 0, retry_after: 1 },
    });
    guard.stop();
  });

  it('keys by a custom function, falling back to the peer when it returns empty', async () => {
    const guard = createAbuseGuard({ rate: 1, burst: 1, now: frozen, keyFunc: (r) => r.header('x-api-key') ?? '' });
    const handler = guard.middleware()(ok);
    expect((await hit(handler, { 'x-api-key': 'a' })).status).toBe(200);
    expect((await hit(handler, { 'x-api-key': 'b' })).status).toBe(200);
    expect((await hit(handler, { 'x-api-key': 'a' })).status).toBe(429);
    expect((await hit(handler)).status).toBe(200);
    expect((await hit(handler)).status).toBe(429);
    guard.stop();
  });

  it('hashes long keys instead of storing them, and ignores spoofable proxy headers by default', async () => {
    const guard = createAbuseGuard({ rate: 1, burst: 1, now: frozen, keyFunc: (r) => r.header('authorization') ?? '' });
    const handler = guard.middleware()(ok);
    expect((await hit(handler, { authorization: `Bearer ${'x'.repeat(500)}` })).status).toBe(200);
    expect((await hit(handler, { authorization: `Bearer ${'x'.repeat(500)}` })).status).toBe(429);
    guard.stop();
    const byPeer = createAbuseGuard({ rate: 1, burst: 1, now: frozen });
    const h2 = byPeer.middleware()(ok);
    expect((await hit(h2, { 'x-forwarded-for': '1.1.1.1' })).status).toBe(200);
    expect((await hit(h2, { 'x-forwarded-for': '2.2.2.2' })).status).toBe(429);
    byPeer.stop();
  });

  it('skips requests the skip function selects and refuses bad options up front', async () => {
    const guard = createAbuseGuard({ rate: 1, burst: 1, now: frozen, skip: (r) => r.path === '/' });
    const handler = guard.middleware()(ok);
    expect((await hit(handler)).status).toBe(200);
    expect((await hit(handler)).status).toBe(200);
    guard.stop();
    expect(() => createAbuseGuard({ rate: -1 })).toThrow(
      expect.objectContaining({ code: 'PLUMEGO_ERR_ABUSE_INVALID_OPTIONS' }),
    );
    expect(() => createAbuseGuard({ keyFunc: 'ip' as never })).toThrow(TypeError);
  });
});
