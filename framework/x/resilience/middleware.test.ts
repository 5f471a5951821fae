import { describe, expect, it } from 'vitest';
import { writeResponse, type Handler } from 'plumego/contract';
import { createApp } from 'plumego/core';
import { createBulkhead } from './bulkhead.ts';
import { CircuitBreaker } from './circuit-breaker.ts';
import { bulkheadMiddleware, circuitBreakerMiddleware, rateLimitMiddleware } from './middleware.ts';
import { KeyedTokenBuckets } from './token-bucket.ts';

type ErrorBody = { error: { code: string; type?: string; details?: Record<string, unknown> } };

describe('circuitBreakerMiddleware', () => {
  function setup() {
    let t = 0;
    let upstreamStatus = 500;
    let calls = 0;
    const breaker = new CircuitBreaker({ failureThreshold: 2, openTimeoutMs: 10_000, now: () => t });
    const app = createApp();
    const handler: Handler = (w, r) => {
      calls++;
      if (upstreamStatus >= 500) throw new Error('upstream down');
      writeResponse(w, r, 200, { ok: true });
    };
    app.get('/upstream', handler, { middleware: [circuitBreakerMiddleware(breaker)] });
    return {
      app, breaker,
      advance: (ms: number) => void (t += ms),
      setUpstream: (s: number) => void (upstreamStatus = s),
      calls: () => calls,
    };
  }

  it('opens after failures and answers 503 CIRCUIT_OPEN with Retry-After without calling the handler', async () => {
    const s = setup();
    expect((await s.app.request('/upstream')).status).toBe(500);
    expect((await s.app.request('/upstream')).status).toBe(500);
    expect(s.breaker.state).toBe('open');
    const res = await s.app.request('/upstream');
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('10');
    const body = res.json<ErrorBody>();
    expect(body.error.code).toBe('CIRCUIT_OPEN');
    expect(body.error.type).toBe('service_unavailable');
    expect(s.calls()).toBe(2);
  });

  it('re-opens when the half-open probe fails, and closes when a later probe succeeds', async () => {
    const s = setup();
    await s.app.request('/upstream');
    await s.app.request('/upstream');
    s.advance(10_000);
    expect(s.breaker.state).toBe('half_open');
    expect((await s.app.request('/upstream')).status).toBe(500);
    expect(s.breaker.state).toBe('open');
    expect((await s.app.request('/upstream')).json<ErrorBody>().error.code).toBe('CIRCUIT_OPEN');
    s.advance(10_000);
    s.setUpstream(200);
    expect((await s.app.request('/upstream')).status).toBe(200);
    expect(s.breaker.state).toBe('closed');
  });

  it('counts 4xx responses as successes by default', async () => {
    const breaker = new CircuitBreaker({ failureThreshold: 1 });
    const app = createApp();
    app.get('/missing', (w) => { w.writeHead(404); w.end(); }, { middleware: [circuitBreakerMiddleware(breaker)] });
    await app.request('/missing');
    expect(breaker.state).toBe('closed');
  });

  it('refuses something that is not a breaker at wiring time', () => {
    expect(() => circuitBreakerMiddleware({} as CircuitBreaker)).toThrow('CircuitBreaker');
  });
});

describe('bulkheadMiddleware', () => {
  it('answers 503 BULKHEAD_FULL once slots and queue are taken', async () => {
    const app = createApp();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    app.get('/slow', async (w, r) => { await gate; writeResponse(w, r, 200, {}); }, { middleware: [bulkheadMiddleware(createBulkhead({ limit: 1 }))] });
    const first = app.request('/slow');
    const second = await app.request('/slow');
    expect(second.status).toBe(503);
    expect(second.json<ErrorBody>().error.code).toBe('BULKHEAD_FULL');
    release();
    expect((await first).status).toBe(200);
  });
});

describe('rateLimitMiddleware', () => {
  it('limits per key with 429 RATE_LIMITED and Retry-After', async () => {
    const buckets = new KeyedTokenBuckets({ ratePerSecond: 0.5, burst: 2, now: () => 0 });
    const app = createApp();
    app.get('/api', (w, r) => writeResponse(w, r, 200, {}), { middleware: [rateLimitMiddleware(buckets, { key: (r) => r.header('x-api-key') ?? '' })] });
    const as = (key: string) => app.request('/api', { headers: { 'x-api-key': key } });
    expect((await as('a')).status).toBe(200);
    expect((await as('a')).headers['x-ratelimit-remaining']).toBe('0');
    const denied = await as('a');
    expect(denied.status).toBe(429);
    expect(denied.headers['retry-after']).toBe('2');
    expect(denied.json<ErrorBody>().error.code).toBe('RATE_LIMITED');
    expect((await as('b')).status).toBe(200);
  });

  it('puts every keyless request into one shared bucket', async () => {
    const buckets = new KeyedTokenBuckets({ ratePerSecond: 1, burst: 1, now: () => 0 });
    const app = createApp();
    app.get('/api', (w, r) => writeResponse(w, r, 200, {}), { middleware: [rateLimitMiddleware(buckets, { key: () => '' })] });
    expect((await app.request('/api')).status).toBe(200);
    expect((await app.request('/api')).status).toBe(429);
  });
});
