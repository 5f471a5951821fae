import { describe, expect, it } from 'vitest';
import { writeResponse, type Handler } from 'plumego/contract';
import { createApp } from 'plumego/core';
import { CircuitBreaker } from './circuit-breaker.ts';
import { circuitBreakerMiddleware } from './middleware.ts';

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
      app,
      breaker,
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
    app.get(
      '/missing',
      (w) => {
        w.writeHead(404);
        w.end();
      },
      { middleware: [circuitBreakerMiddleware(breaker)] },
    );
    await app.request('/missing');
    expect(breaker.state).toBe('closed');
  });

  it('refuses something that is not a breaker at wiring time', () => {
    expect(() => circuitBreakerMiddleware({} as CircuitBreaker)).toThrow('CircuitBreaker');
  });
});
