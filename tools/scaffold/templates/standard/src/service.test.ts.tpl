import { describe, expect, it } from 'vitest';
import { createLogger } from 'plumego/log';
import { DEFAULT_CONFIG, type ServiceConfig } from './config.ts';
import { createService, type ServiceDependencies } from './service.ts';

const make = (config: Partial<ServiceConfig> = {}, deps: ServiceDependencies = {}) =>
  createService({ ...DEFAULT_CONFIG, ...config }, { logger: createLogger({ format: 'discard' }), ...deps });

const post = (body: string) => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body });

interface Envelope<T> { data: T; meta?: Record<string, number>; error?: { code: string; details?: Record<string, string> } }

describe('service routes', () => {
  it('answers liveness and readiness', async () => {
    const app = make();
    expect((await app.request('/healthz')).status).toBe(200);
    expect((await app.request('/readyz')).json<Envelope<{ ready: boolean }>>().data.ready).toBe(true);
  });

  it('reports not ready, without the failure message, when a checker fails', async () => {
    const app = make({}, { checkers: [{ name: 'database', check: () => { throw new Error('secret dsn refused'); } }] });
    const res = await app.request('/readyz');
    expect(res.status).toBe(503);
    expect(res.json<Envelope<unknown>>().error?.code).toBe('SERVICE_NOT_READY');
    expect(res.text()).not.toMatch(/secret/);
  });

  it('creates, reads, lists and deletes an item', async () => {
    const app = make();
    const created = await app.request('/api/v1/items', post(JSON.stringify({ name: ' lamp ', price: 12.5 })));
    expect(created.status).toBe(201);
    const { id, name } = created.json<Envelope<{ id: string; name: string }>>().data;
    expect(name).toBe('lamp');
    expect((await app.request(`/api/v1/items/${id}`)).json<Envelope<{ price: number }>>().data.price).toBe(12.5);
    expect((await app.request('/api/v1/items?limit=1')).json<Envelope<unknown[]>>().meta).toEqual({ total: 1, limit: 1, offset: 0 });
    expect((await app.request(`/api/v1/items/${id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await app.request(`/api/v1/items/${id}`)).status).toBe(404);
  });

  it.each([
    { body: '[1]', status: 400, code: 'ITEM_BODY_NOT_OBJECT' },
    { body: '{"name":"a","price":1,"color":"red"}', status: 400, code: 'ITEM_UNKNOWN_FIELD' },
    { body: '{"name":"","price":-1}', status: 400, code: 'ITEM_INVALID_FIELD' },
  ])('rejects the body $body with $code', async ({ body, status, code }) => {
    const res = await make().request('/api/v1/items', post(body));
    expect(res.status).toBe(status);
    expect(res.json<Envelope<unknown>>().error?.code).toBe(code);
  });

  it('rejects malformed JSON and a body over the limit', async () => {
    expect((await make().request('/api/v1/items', post('{"name":'))).status).toBe(400);
    expect((await make({ maxBodyBytes: 16 }).request('/api/v1/items', post(JSON.stringify({ name: 'x'.repeat(64), price: 1 })))).status).toBe(413);
  });

  it('rejects an out-of-range limit and an unknown method', async () => {
    expect((await make().request('/api/v1/items?limit=1000')).json<Envelope<unknown>>().error?.code).toBe('ITEMS_INVALID_PARAM');
    expect((await make().request('/api/v1/items', { method: 'PUT' })).status).toBe(405);
  });
});
