import { describe, expect, it } from 'vitest';
import { writeResponse } from 'plumego/contract';
import { createApp } from 'plumego/core';
import { bindJson, bindParams, bindQuery } from './bind.ts';
import { t } from './schema.ts';

const createItem = t.object({
  name: t.string({ minLength: 1 }),
  price: t.number({ minimum: 0 }),
  tags: t.optional(t.array(t.string())),
});
const listQuery = t.object({
  limit: t.integer({ minimum: 1, maximum: 100, default: 20 }),
  sort: t.optional(t.enum(['name', '-name'])),
  ids: t.optional(t.array(t.integer())),
});
const itemParams = t.object({ id: t.integer({ minimum: 1 }) });

function makeApp() {
  const app = createApp();
  app.post('/items', async (w, r) => {
    const body = await bindJson(r, createItem, { maxBytes: 256 });
    writeResponse(w, r, 201, body);
  });
  app.get('/items', (w, r) => writeResponse(w, r, 200, bindQuery(r, listQuery)));
  app.get('/items/:id', (w, r) => writeResponse(w, r, 200, bindParams(r, itemParams)));
  return app;
}

const json = { 'content-type': 'application/json' };

function createAppWithLimit() {
  const app = createApp();
  app.post('/items', async (w, r) => writeResponse(w, r, 201, await bindJson(r, createItem, { maxBytes: 1 << 20 })));
  return app;
}

describe('bindJson', () => {
  const app = makeApp();

  it('returns the typed, validated body', async () => {
    const res = await app.request('/items', { method: 'POST', headers: json, body: '{"name":"Dune","price":9}' });
    expect(res.status).toBe(201);
    expect(res.json()).toEqual({ data: { name: 'Dune', price: 9 } });
  });

  it('answers 400 VALIDATION_ERROR with one detail per failing field', async () => {
    const res = await app.request('/items', {
      method: 'POST',
      headers: json,
      body: '{"price":-1,"tags":[1],"extra":true}',
    });
    expect(res.status).toBe(400);
    const body = res.json<{ error: { code: string; category: string; details: Record<string, string> } }>();
    expect(body.error.code).toBe('VALIDATION_ERROR');
    expect(body.error.category).toBe('validation_error');
    expect(Object.keys(body.error.details).sort()).toEqual(['extra', 'name', 'price', 'tags[0]']);
  });

  it.each([
    { title: 'a non-object body', body: '[1,2]', status: 400, code: 'VALIDATION_ERROR', headers: json },
    { title: 'malformed JSON', body: '{"name":', status: 400, code: 'INVALID_JSON', headers: json },
    { title: 'an empty body', body: '', status: 400, code: 'INVALID_JSON', headers: json },
    {
      title: 'a non-JSON content type',
      body: 'name=x',
      status: 415,
      code: 'UNSUPPORTED_MEDIA_TYPE',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    },
    {
      title: 'an oversize body',
      body: JSON.stringify({ name: 'x'.repeat(300), price: 1 }),
      status: 413,
      code: 'REQUEST_BODY_TOO_LARGE',
      headers: json,
    },
  ])('refuses $title', async ({ body, status, code, headers }) => {
    const res = await app.request('/items', { method: 'POST', headers, body });
    expect(res.status).toBe(status);
    expect(res.json<{ error: { code: string } }>().error.code).toBe(code);
  });

  it('caps the details of a huge invalid body at 100 fields', async () => {
    const tags = Array.from({ length: 500 }, (_, i) => i);
    const res = await createAppWithLimit().request('/items', {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ name: 'x', price: 1, tags }),
    });
    const details = res.json<{ error: { details: Record<string, string> } }>().error.details;
    expect(Object.keys(details)).toHaveLength(101);
    expect(details['_more']).toBe('400 more fields failed');
  });

  it('keys an issue about the whole body as "body"', async () => {
    const res = await app.request('/items', { method: 'POST', headers: json, body: '"just a string"' });
    expect(res.json<{ error: { details: Record<string, string> } }>().error.details).toHaveProperty('body');
  });
});

describe('bindQuery and bindParams', () => {
  const app = makeApp();

  it('coerces query text, fills defaults and collects repeated keys', async () => {
    expect((await app.request('/items?ids=3&ids=4&sort=-name')).json()).toEqual({
      data: { limit: 20, ids: [3, 4], sort: '-name' },
    });
    expect((await app.request('/items?limit=5&ids=7')).json()).toEqual({ data: { limit: 5, ids: [7] } });
  });

  it('refuses bad query values field by field', async () => {
    const res = await app.request('/items?limit=0&sort=price&ids=x');
    expect(res.status).toBe(400);
    expect(Object.keys(res.json<{ error: { details: object } }>().error.details).sort()).toEqual([
      'ids[0]',
      'limit',
      'sort',
    ]);
  });

  it('refuses an unknown query parameter', async () => {
    const res = await app.request('/items?limt=5');
    expect(res.json<{ error: { details: object } }>().error.details).toHaveProperty('limt');
  });

  it('coerces and checks route params', async () => {
    expect((await app.request('/items/42')).json()).toEqual({ data: { id: 42 } });
    const res = await app.request('/items/abc');
    expect(res.status).toBe(400);
    expect(res.json<{ error: { details: object } }>().error.details).toHaveProperty('id');
  });
});
