import { describe, expect, it } from 'vitest';
import { createApp } from 'plumego/core';
import type { Handler } from 'plumego/contract';
import { apiVersion, apiVersionFromContext, type ApiVersionOptions } from './versioning.ts';

const echo: Handler = (w, r) => {
  w.writeHead(200);
  w.end(apiVersionFromContext(r.ctx));
};

function app(options: ApiVersionOptions) {
  const a = createApp();
  a.use(apiVersion(options));
  a.addRoute('GET', '/things', echo);
  a.addRoute('GET', '/v1/things', echo);
  a.addRoute('GET', '/v2/things', echo);
  return a;
}

describe('API version negotiation', () => {
  it('reads the header first, then the Accept vendor type, then falls back to the default', async () => {
    const a = app({ supported: ['1', '2'], default: '1', vendor: 'acme' });
    expect((await a.request('/things', { headers: { 'api-version': '2' } })).text()).toBe('2');
    expect((await a.request('/things', { headers: { accept: 'application/vnd.acme.v2+json' } })).text()).toBe('2');
    expect((await a.request('/things', { headers: { accept: 'application/json; version=2' } })).text()).toBe('2');
    const plain = await a.request('/things');
    expect(plain.text()).toBe('1');
    expect(plain.headers['api-version']).toBe('1');
  });

  it('reads the path and the query when configured', async () => {
    const a = app({ supported: ['1', '2'], from: ['path', 'query'] });
    expect((await a.request('/v2/things')).text()).toBe('2');
    expect((await a.request('/things?version=1')).text()).toBe('1');
  });

  it('refuses an unsupported version, and a missing one without a default, with 400 REST_UNSUPPORTED_VERSION', async () => {
    const a = app({ supported: ['1', '2'] });
    for (const headers of [
      { 'api-version': '3' },
      { 'api-version': '../1' },
      {},
      { accept: 'application/vnd.other.v9+json' },
    ]) {
      const res = await a.request('/things', { headers });
      expect(res.status).toBe(400);
      expect(res.json<{ error: { code: string; details: { supported: string[] } } }>().error).toMatchObject({
        code: 'REST_UNSUPPORTED_VERSION',
        details: { supported: ['1', '2'] },
      });
    }
  });

  it('refuses impossible options', () => {
    expect(() => apiVersion({ supported: [] })).toThrow(/supported/);
    expect(() => apiVersion({ supported: ['1'], default: '2' })).toThrow(/default/);
    expect(() => apiVersion({ supported: ['1'], from: ['cookie' as 'header'] })).toThrow(/from/);
  });
});
