import { describe, expect, it } from 'vitest';
import { BufferedResponseWriter, composeMiddleware, createRequest, type RequestInit } from 'plumego/contract';
import {
  CorsOptionsError,
  DEFAULT_CORS_OPTIONS,
  cors,
  createStrictCorsOptions,
  resolveCorsOptions,
  type CorsOptions,
} from './cors.ts';

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
  headers: {
    origin,
    'access-control-request-method': method,
    ...(headers ? { 'access-control-request-headers': headers } : {}),
  },
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
    const { w, reached, h } = await run(
      { allowedOrigins: ['https://a.example'], maxAgeSeconds: 600 },
      preflight('https://a.example', 'PUT', 'Content-Type, authorization'),
    );
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
    const { h } = await run(
      { allowCredentials: true, exposedHeaders: ['X-Total'] },
      { url: '/', headers: { origin: 'https://b.example' } },
    );
    expect(h('access-control-allow-origin')).toBe('https://b.example');
    expect(h('access-control-allow-credentials')).toBe('true');
    expect(h('access-control-expose-headers')).toBe('X-Total');
    expect(h('vary')).toBe('Origin');
  });

  it('matches origins case-insensitively', async () => {
    expect(
      (await run({ allowedOrigins: ['https://A.example'] }, { url: '/', headers: { origin: 'https://a.EXAMPLE' } })).h(
        'access-control-allow-origin',
      ),
    ).toBe('https://a.EXAMPLE');
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

  it('sends no credentials, exposed headers or Max-Age unless configured', async () => {
    const simple = await run({}, { url: '/', headers: { origin: 'https://x.example' } });
    expect(simple.h('access-control-allow-credentials')).toBeUndefined();
    expect(simple.h('access-control-expose-headers')).toBeUndefined();
    const pre = await run({}, preflight('https://x.example'));
    expect(pre.w.status).toBe(204);
    expect(pre.h('access-control-max-age')).toBeUndefined();
    expect(pre.h('access-control-allow-credentials')).toBeUndefined();
    expect(DEFAULT_CORS_OPTIONS.exposedHeaders).toEqual([]);
    expect(DEFAULT_CORS_OPTIONS.allowCredentials).toBe(false);
    expect(resolveCorsOptions().exposedHeaders).toEqual([]);
  });

  it('answers a wildcard preflight with * and the default method and header lists', async () => {
    const { w, reached, h } = await run({}, preflight('https://x.example', 'put'));
    expect([w.status, reached]).toEqual([204, false]);
    expect(h('access-control-allow-origin')).toBe('*');
    expect(h('access-control-allow-methods')).toBe('GET, POST, PUT, PATCH, DELETE, OPTIONS');
    expect(h('access-control-allow-headers')).toBe(
      'Accept, Accept-Language, Content-Language, Content-Type, Authorization',
    );
    expect(h('vary')).toBe('Origin, Access-Control-Request-Method, Access-Control-Request-Headers');
    expect(w.getBody().length).toBe(0);
  });

  it('echoes the origin on a credentialed wildcard preflight instead of *', async () => {
    const { w, h } = await run({ allowCredentials: true }, preflight('https://c.example'));
    expect(w.status).toBe(204);
    expect(h('access-control-allow-origin')).toBe('https://c.example');
    const origins = (list: readonly string[]) =>
      list.filter((_, i) => i % 2 === 1 && list[i - 1] === 'access-control-allow-origin');
    expect(origins(w.getHeaderList())).toEqual(['https://c.example']);
    const explicit = await run({ allowedOrigins: ['https://a.example'] }, preflight('https://a.example'));
    expect(origins(explicit.w.getHeaderList())).toEqual(['https://a.example']);
    expect(h('access-control-allow-credentials')).toBe('true');
  });

  it('answers a preflight that names no request headers, and ignores empty list entries', async () => {
    const opts = { allowedOrigins: ['https://a.example'] };
    expect((await run(opts, preflight('https://a.example', 'DELETE'))).w.status).toBe(204);
    const listed = await run(opts, preflight('https://a.example', 'GET', 'content-type, ,accept,'));
    expect([listed.w.status, listed.reached]).toEqual([204, false]);
  });

  it.each([
    {
      title: 'an OPTIONS request without Access-Control-Request-Method',
      init: { method: 'OPTIONS', url: '/x', headers: { origin: 'https://a.example' } },
    },
    {
      title: 'a GET carrying Access-Control-Request-Method',
      init: {
        method: 'GET',
        url: '/x',
        headers: { origin: 'https://a.example', 'access-control-request-method': 'PUT' },
      },
    },
  ])('passes $title to the app with the simple CORS headers', async ({ init }) => {
    const { w, reached, h } = await run({ allowedOrigins: ['https://a.example'] }, init);
    expect(reached).toBe(true);
    expect(w.status).toBe(200);
    expect(w.getBody().toString()).toBe('app');
    expect(h('access-control-allow-origin')).toBe('https://a.example');
    expect(h('vary')).toBe('Origin');
    expect(h('access-control-allow-methods')).toBeUndefined();
  });

  it('falls through without CORS headers for a simple request from a disallowed origin', async () => {
    const { reached, h } = await run(
      { allowedOrigins: ['https://a.example'] },
      { url: '/', headers: { origin: 'https://b.example' } },
    );
    expect(reached).toBe(true);
    expect(h('access-control-allow-origin')).toBeUndefined();
    expect(h('vary')).toBeUndefined();
  });

  it('sends no Vary for a plain wildcard answer', async () => {
    expect((await run({}, { url: '/', headers: { origin: 'https://x.example' } })).h('vary')).toBeUndefined();
  });

  it('treats empty option lists as the defaults', async () => {
    const o = resolveCorsOptions({ allowedOrigins: [], allowedMethods: [], allowedHeaders: [] });
    expect(o.allowedOrigins).toEqual(['*']);
    expect(o.allowedMethods).toEqual(DEFAULT_CORS_OPTIONS.allowedMethods);
    expect(o.allowedHeaders).toEqual(DEFAULT_CORS_OPTIONS.allowedHeaders);
    expect(
      (await run({ allowedOrigins: [] }, { url: '/', headers: { origin: 'https://x.example' } })).h(
        'access-control-allow-origin',
      ),
    ).toBe('*');
  });

  it('accepts http, https and null origins and refuses anything that only contains one', async () => {
    expect(
      resolveCorsOptions({ allowedOrigins: ['http://a.example:8080', 'HTTPS://B.example', 'null'] }).allowedOrigins,
    ).toHaveLength(3);
    expect(
      (await run({ allowedOrigins: ['null'] }, { url: '/', headers: { origin: 'null' } })).h(
        'access-control-allow-origin',
      ),
    ).toBe('null');
    for (const bad of [
      'xhttps://a.example',
      'javascript:https://a.example',
      'https://a.example/',
      'https://a example',
      'a.example',
      '',
    ]) {
      expect(() => resolveCorsOptions({ allowedOrigins: [bad] }), bad).toThrow(CorsOptionsError);
    }
    expect(() => cors({ maxAgeSeconds: 1.5 })).toThrow(CorsOptionsError);
    expect(resolveCorsOptions({ maxAgeSeconds: 0 }).maxAgeSeconds).toBe(0);
  });

  it('gives its options error a stable code', () => {
    try {
      cors({ maxAgeSeconds: -1 });
      expect.unreachable();
    } catch (e) {
      expect((e as CorsOptionsError).code).toBe('CORS_INVALID_OPTIONS');
    }
  });

  it('strict preset refuses a wildcard or blank origin anywhere in the list, padded or not', () => {
    for (const list of [['https://a.example', '*'], [' * '], ['https://a.example', '  '], ['']]) {
      expect(() => createStrictCorsOptions(list), JSON.stringify(list)).toThrow(CorsOptionsError);
    }
    expect(createStrictCorsOptions(['https://a.example'], { allowCredentials: true })).toEqual({
      allowCredentials: true,
      allowedOrigins: ['https://a.example'],
    });
  });
});
