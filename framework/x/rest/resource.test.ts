import { describe, expect, it } from 'vitest';
import { createApp } from 'plumego/core';
import { t } from 'plumego/x/validate';
import { MemoryRepository } from './memory-repository.ts';
import { registerResource, type ResourceDefinition } from './resource.ts';
import type { Row } from './repository.ts';

const projectDef: ResourceDefinition<Row> = {
  name: 'projects',
  create: t.object({ name: t.string({ minLength: 1, maxLength: 80 }), priority: t.integer({ minimum: 0, maximum: 9 }), owner: t.optional(t.string()) }),
  versionField: 'version',
  list: { sort: ['name', 'priority'], filters: { priority: { type: 'integer', ops: ['eq', 'gte', 'lt', 'in'] }, name: { type: 'string', ops: ['eq', 'contains'] } }, defaultPageSize: 2, maxPageSize: 5 },
};

function setup() {
  const app = createApp();
  const repo = new MemoryRepository<Row>({ unique: [['name']], versionField: 'version' });
  registerResource(app, projectDef, repo);
  return app;
}

const json = (body: unknown, headers: Record<string, string> = {}) => ({ headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
type Envelope = { data: Row & Row[]; meta?: { pagination: Record<string, unknown> }; error?: { code: string; details?: Record<string, string> } };

async function seed(app: ReturnType<typeof setup>, n = 5) {
  for (let i = 0; i < n; i++) {
    const res = await app.request('/projects', { method: 'POST', ...json({ name: `p${i}`, priority: i % 3 }) });
    expect(res.status).toBe(201);
  }
}

describe('resource routes', () => {
  it('creates with 201, Location and ETag, then reads the row back', async () => {
    const app = setup();
    const res = await app.request('/projects', { method: 'POST', ...json({ name: 'alpha', priority: 3 }) });
    expect(res.status).toBe(201);
    expect(res.headers.location).toBe('/projects/1');
    expect(res.headers.etag).toBe('"v1"');
    const got = await app.request('/projects/1');
    expect(got.json<Envelope>().data).toEqual({ id: 1, name: 'alpha', priority: 3, version: 1 });
    expect((await app.request('/projects/1', { headers: { 'if-none-match': '"v1"' } })).status).toBe(304);
  });

  it('answers 422 with one detail per failing field, and changes nothing', async () => {
    const app = setup();
    const res = await app.request('/projects', { method: 'POST', ...json({ name: '', priority: 42, color: 'red' }) });
    expect(res.status).toBe(422);
    const e = res.json<Envelope>().error!;
    expect(e.code).toBe('REST_VALIDATION_FAILED');
    expect(Object.keys(e.details!).sort()).toEqual(['color', 'name', 'priority']);
    expect((await app.request('/projects')).json<Envelope>().data).toEqual([]);
  });

  it('refuses a body that sets the id or the version (422 REST_IMMUTABLE_FIELD)', async () => {
    const app = setup();
    await seed(app, 1);
    for (const body of [{ id: 7 }, { version: 9 }, { id: 2, name: 'x' }]) {
      const res = await app.request('/projects/1', { method: 'PATCH', ...json(body) });
      expect(res.status).toBe(422);
      expect(res.json<Envelope>().error!.code).toBe('REST_IMMUTABLE_FIELD');
    }
    expect((await app.request('/projects/1')).json<Envelope>().data).toMatchObject({ id: 1, name: 'p0', version: 1 });
  });

  it('maps a unique violation to 409 and a missing or malformed id to 404', async () => {
    const app = setup();
    await seed(app, 1);
    const dup = await app.request('/projects', { method: 'POST', ...json({ name: 'p0', priority: 1 }) });
    expect(dup.status).toBe(409);
    expect(dup.json<Envelope>().error!.code).toBe('REST_CONFLICT');
    for (const id of ['99', '0', '-1', 'abc', '1.5', "1' or '1'='1", '9'.repeat(20)]) {
      expect((await app.request(`/projects/${encodeURIComponent(id)}`)).status, id).toBe(404);
    }
  });

  it('patches, replaces (clearing left-out optional fields) and bumps the version', async () => {
    const app = setup();
    await app.request('/projects', { method: 'POST', ...json({ name: 'a', priority: 1, owner: 'ann' }) });
    const patched = await app.request('/projects/1', { method: 'PATCH', ...json({ priority: 2 }) });
    expect(patched.json<Envelope>().data).toEqual({ id: 1, name: 'a', priority: 2, owner: 'ann', version: 2 });
    expect(patched.headers.etag).toBe('"v2"');
    const replaced = await app.request('/projects/1', { method: 'PUT', ...json({ name: 'b', priority: 0 }) });
    expect(replaced.json<Envelope>().data).toEqual({ id: 1, name: 'b', priority: 0, owner: null, version: 3 });
    expect((await app.request('/projects/1', { method: 'PATCH', ...json({}) })).status).toBe(422);
    expect((await app.request('/projects/1', { method: 'PUT', ...json({ name: 'c' }) })).status).toBe(422);
  });

  it('enforces If-Match: a stale or malformed version is 412 and changes nothing', async () => {
    const app = setup();
    await seed(app, 1);
    expect((await app.request('/projects/1', { method: 'PATCH', ...json({ priority: 5 }, { 'if-match': '"v1"' }) })).status).toBe(200);
    for (const tag of ['"v1"', 'v2', '"v2", "v3"', '"x2"']) {
      const res = await app.request('/projects/1', { method: 'PATCH', ...json({ priority: 7 }, { 'if-match': tag }) });
      expect(res.status, tag).toBe(412);
      expect(res.json<Envelope>().error!.code).toBe('REST_PRECONDITION_FAILED');
    }
    expect((await app.request('/projects/1', { method: 'DELETE', headers: { 'if-match': '"v1"' } })).status).toBe(412);
    expect((await app.request('/projects/1', { method: 'DELETE', headers: { 'if-match': '*' } })).status).toBe(204);
    expect((await app.request('/projects/1', { method: 'DELETE' })).status).toBe(404);
  });

  it('pages with meta and Link headers, sorts on the allow-list and filters with typed operators', async () => {
    const app = setup();
    await seed(app, 5);
    const first = await app.request('/projects?sort=-priority,name');
    const body = first.json<Envelope>();
    expect(body.data.map((r) => r['name'])).toEqual(['p2', 'p1']);
    expect(body.meta!.pagination).toEqual({ page: 1, page_size: 2, total: 5, total_pages: 3 });
    expect(first.headers.link).toContain('rel="next"');
    expect(first.headers.link).toContain('page=3>; rel="last"');
    const filtered = await app.request('/projects?priority[in]=0,2&name[contains]=p&page_size=5');
    expect(filtered.json<Envelope>().data.map((r) => r['name'])).toEqual(['p0', 'p2', 'p3']);
    expect((await app.request('/projects?priority[gte]=2')).json<Envelope>().data.map((r) => r['name'])).toEqual(['p2']);
  });

  it('walks every row exactly once with cursors', async () => {
    const app = setup();
    await seed(app, 5);
    const seen: unknown[] = [];
    let url = '/projects?cursor=&sort=priority';
    for (let i = 0; i < 10 && url; i++) {
      const res = await app.request(url);
      const b = res.json<Envelope>();
      seen.push(...b.data.map((r) => r['name']));
      const next = b.meta!.pagination['next_cursor'] as string | null;
      url = next ? `/projects?sort=priority&cursor=${next}` : '';
    }
    expect(seen).toEqual(['p0', 'p3', 'p1', 'p4', 'p2']);
  });

  it.each([
    ['page_size=0'], ['page_size=-1'], ['page_size=1000000000'], ['page=0'], ['page=abc'], ['sort=secret'], ['sort=name,name'],
    ['owner=ann'], ['priority[like]=1'], ['priority=abc'], ['priority=1&priority=2'], ['cursor=not-a-cursor'], ['cursor=&page=2'],
    ["name[contains]=x&__proto__=1"], ['total=maybe'],
  ])('refuses the query %s with 400 REST_INVALID_QUERY', async (q) => {
    const app = setup();
    const res = await app.request(`/projects?${q}`);
    expect(res.status).toBe(400);
    expect(res.json<Envelope>().error!.code).toBe('REST_INVALID_QUERY');
  });

  it('passes SQL and JSON metacharacters through as plain data', async () => {
    const app = setup();
    const evil = `'; drop table projects; -- " \\ %_`;
    const res = await app.request('/projects', { method: 'POST', ...json({ name: evil, priority: 1 }) });
    expect(res.status).toBe(201);
    const found = await app.request(`/projects?name=${encodeURIComponent(evil)}`);
    expect(found.json<Envelope>().data.map((r) => r['name'])).toEqual([evil]);
  });

  it('answers OPTIONS with Allow and refuses a malformed JSON body with a 4xx envelope', async () => {
    const app = setup();
    const opt = await app.request('/projects/1', { method: 'OPTIONS' });
    expect(opt.status).toBe(204);
    expect(opt.headers.allow).toBe('GET, HEAD, PUT, PATCH, DELETE, OPTIONS');
    const bad = await app.request('/projects', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":' });
    expect(bad.status).toBeGreaterThanOrEqual(400);
    expect(bad.status).toBeLessThan(500);
  });

  it('refuses impossible definitions at registration', () => {
    const app = createApp();
    const repo = new MemoryRepository<Row>();
    expect(() => registerResource(app, { ...projectDef, name: 'Bad Name' }, repo)).toThrow(/name/);
    expect(() => registerResource(app, { ...projectDef, list: { sort: ['x;drop'] } }, repo)).toThrow(/list.sort/);
    expect(() => registerResource(app, { ...projectDef, list: { filters: { page: { type: 'string' } } } }, repo)).toThrow(/list.filters.page/);
    expect(() => registerResource(app, { ...projectDef, list: { defaultPageSize: 500 } }, repo)).toThrow(/defaultPageSize/);
  });
});
