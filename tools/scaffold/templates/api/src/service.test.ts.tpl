import { describe, expect, it } from 'vitest';
import { createLogger } from 'plumego/log';
import { DEFAULT_CONFIG } from './config.ts';
import { createService } from './service.ts';

const make = () => createService({ ...DEFAULT_CONFIG, addr: '127.0.0.1:0' }, { logger: createLogger({ format: 'discard' }) });
const post = (body: unknown) => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });

interface Envelope<T> { data: T; meta?: Record<string, number>; error?: { code: string; details?: unknown } }

describe('items API with x/validate', () => {
  it('creates an item, fills defaults and reads it back', async () => {
    const app = make();
    const created = await app.request('/api/v1/items', post({ name: 'lamp', price_cents: 1250 }));
    expect(created.status).toBe(201);
    const item = created.json<Envelope<{ id: string; tags: string[] }>>().data;
    expect(item.tags).toEqual([]);
    expect((await app.request(`/api/v1/items/${item.id}`)).status).toBe(200);
    expect((await app.request('/api/v1/items')).json<Envelope<unknown[]>>().meta).toEqual({ total: 1, limit: 20, offset: 0 });
  });

  it.each([
    { title: 'a missing name', body: { price_cents: 1 }, field: 'name' },
    { title: 'a negative price', body: { name: 'x', price_cents: -1 }, field: 'price_cents' },
    { title: 'too many tags', body: { name: 'x', price_cents: 1, tags: ['a', 'b', 'c', 'd', 'e', 'f'] }, field: 'tags' },
  ])('rejects $title with a validation error naming the field', async ({ body, field }) => {
    const res = await make().request('/api/v1/items', post(body));
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(JSON.stringify(res.json<Envelope<unknown>>().error)).toContain(field);
  });

  it('rejects a malformed id, an out-of-range limit and a body that is not JSON', async () => {
    const app = make();
    expect((await app.request('/api/v1/items/not-a-uuid')).status).toBe(400);
    expect((await app.request('/api/v1/items?limit=500')).status).toBe(400);
    expect((await app.request('/api/v1/items', post('{"name":'))).status).toBe(400);
    expect((await app.request('/api/v1/items/00000000-0000-4000-8000-000000000000')).json<Envelope<unknown>>().error?.code).toBe('ITEM_NOT_FOUND');
  });
});

describe('OpenAPI document from the route table', () => {
  it('describes every API route with its operation id, in JSON and YAML', async () => {
    const app = make();
    const doc = (await app.request('/openapi.json')).json<{ openapi: string; paths: Record<string, Record<string, { operationId?: string }>> }>();
    expect(doc.openapi).toMatch(/^3\.1\./);
    expect(Object.keys(doc.paths).sort()).toEqual(['/api/v1/items', '/api/v1/items/{id}', '/healthz']);
    expect(doc.paths['/api/v1/items']?.['post']?.operationId).toBe('createItem');
    const yaml = (await app.request('/openapi.yaml')).text();
    expect(yaml).toMatch(/operationId: getItem/);
  });
});
