import { describe, expect, it } from 'vitest';
import { BufferedResponseWriter, composeMiddleware, createRequest, type RequestInit } from 'plumego/contract';
import { CorsOptionsError, cors, createStrictCorsOptions, type CorsOptions } from './cors.ts';

async function run(options: CorsOptions, init: RequestInit) {
  const w = new BufferedResponseWriter();
  let reached = false;
  await composeMiddleware([cors(options)], (w2) => {
    reached = true;
    w2.end('app');
  })(w, createRequest(init));
  return { w, reached, h: (n: string) => w.getHeader(n) };
}

const preflight = (origin: string, method = 'PUT', headers?: string): RequestInit => ({
  method: 'OPTIONS',
  url: '/x',
  headers: { origin, 'access-control-request-method': method, ...(headers ? { 'access-control-request-headers': headers } : {}) },
});

describe('cors', () => {
  it('adds * for a wildcard config and leaves requests without Origin alone', async () => {
    const a = await run({}, { url: '/', headers: { origin: 'https://x.example' } });
    expect(a.h('access-control-allow-origin')).toBe('*');
    const b = await run({}, { url: '/' });
    expect(b.h('access-control-allow-origin')).toBeUndefined();
    expect(b.reached).toBe(true);
  });

  it('answers a valid preflight with 204 and does not reach the app', async () => {
    const { w, reached, h } = await run({ allowedOrigins: ['https://a.example'], maxAgeSeconds: 600 }, preflight('https://a.example', 'PUT', 'Content-Type, authorization'));
    expect(w.status).toBe(204);
    expect(reached).toBe(false);
    expect(h('access-control-allow-origin')).toBe('https://a.example');
    expect(h('access-control-allow-methods')).toContain('PUT');
    expect(h('access-control-max-age')).toBe('600');
    expect(h('vary')).toContain('Origin');
  });

  it.each([
    { title: 'a disallowed origin', init: preflight('https://evil.example') },
    { title: 'a disallowed method', init: preflight('https://a.example', 'TRACE') },
    { title: 'a disallowed header', init: preflight('https://a.example', 'GET', 'x-secret') },
  ])('falls through without CORS headers for $title', async ({ init }) => {
    const { reached, h } = await run({ allowedOrigins: ['https://a.example'] }, init);
    expect(reached).toBe(true);
    expect(h('access-control-allow-origin')).toBeUndefined();
  });

  it('echoes the origin with credentials, even for a wildcard list', async () => {
    const { h } = await run({ allowCredentials: true, exposedHeaders: ['X-Total'] }, { url: '/', headers: { origin: 'https://b.example' } });
    expect(h('access-control-allow-origin')).toBe('https://b.example');
    expect(h('access-control-allow-credentials')).toBe('true');
    expect(h('access-control-expose-headers')).toBe('X-Total');
    expect(h('vary')).toBe('Origin');
  });

  it('matches origins case-insensitively', async () => {
    expect((await run({ allowedOrigins: ['https://A.example'] }, { url: '/', headers: { origin: 'https://a.EXAMPLE' } })).h('access-control-allow-origin')).toBe('https://a.EXAMPLE');
  });

  it('strict preset refuses wildcards and empty lists', () => {
    expect(() => createStrictCorsOptions([])).toThrow(CorsOptionsError);
    expect(() => createStrictCorsOptions(['*'])).toThrow(CorsOptionsError);
    expect(createStrictCorsOptions(['https://a.example']).allowedOrigins).toEqual(['https://a.example']);
  });

  it('rejects bad options at construction', () => {
    expect(() => cors({ allowedOrigins: ['https://a.example/path'] })).toThrow(CorsOptionsError);
    expect(() => cors({ maxAgeSeconds: -1 })).toThrow(CorsOptionsError);
  });
});
