import { describe, expect, it } from 'vitest';
import { createApp } from 'plumego/core';
import { t } from 'plumego/x/validate';
import { REST_ERROR_CODES, RestError } from './errors.ts';
import { MemoryRepository } from './memory-repository.ts';
import { registerResource, type ResourceDefinition } from './resource.ts';
import type { Row } from './repository.ts';

const projectDef: ResourceDefinition<Row> = {
  name: 'projects',
  create: t.object({
    name: t.string({ minLength: 1, maxLength: 80 }),
    priority: t.integer({ minimum: 0, maximum: 9 }),
    owner: t.optional(t.string()),
  }),
  versionField: 'version',
  list: {
    sort: ['name', 'priority'],
    filters: {
      priority: { type: 'integer', ops: ['eq', 'gte', 'lt', 'in'] },
      name: { type: 'string', ops: ['eq', 'contains'] },
    },
    defaultPageSize: 2,
    maxPageSize: 5,
  },
};

function setup() {
  const app = createApp();
  const repo = new MemoryRepository<Row>({ unique: [['name']], versionField: 'version' });
  registerResource(app, projectDef, repo);
  return app;
}

const json = (body: unknown, headers: Record<string, string> = {}) => ({
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
});
type Envelope = {
  data: Row & Row[];
  meta?: { pagination: Record<string, unknown> };
  error?: { code: string; details?: Record<string, string> };
};

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
    expect(
      (await app.request('/projects/1', { method: 'PATCH', ...json({ priority: 5 }, { 'if-match': '"v1"' }) })).status,
    ).toBe(200);
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
    expect((await app.request('/projects?priority[gte]=2')).json<Envelope>().data.map((r) => r['name'])).toEqual([
      'p2',
    ]);
  });

  it('writes Link targets as URLSearchParams would: page replaced once, other parameters kept and escaped', async () => {
    const app = setup();
    await seed(app, 5);
    const res = await app.request('/projects?page=1&name[contains]=p&page=2&page_size=2');
    expect(res.status).toBe(200);
    expect(res.headers.link).toBe(
      [
        '</projects?page=1&name%5Bcontains%5D=p&page_size=2>; rel="first"',
        '</projects?page=3&name%5Bcontains%5D=p&page_size=2>; rel="last"',
        '</projects?page=2&name%5Bcontains%5D=p&page_size=2>; rel="next"',
      ].join(', '),
    );
    expect((await app.request('/projects?page=1&page=2')).status).toBe(200); // the first page parameter counts, as before
    const plain = await app.request('/projects?page_size=2&total=false&page=2');
    expect(plain.headers.link).toBe(
      '</projects?page_size=2&total=false&page=1>; rel="first", </projects?page_size=2&total=false&page=3>; rel="next", </projects?page_size=2&total=false&page=1>; rel="prev"',
    );
    const keyset = await app.request('/projects?sort=priority&cursor=&page_size=2');
    const next = keyset.json<Envelope>().meta!.pagination['next_cursor'] as string;
    expect(keyset.headers.link).toBe(`</projects?sort=priority&cursor=${next}&page_size=2>; rel="next"`);
  });

  it('hands the repository the request context and a signal created on demand', async () => {
    const app = createApp();
    const seen: unknown[] = [];
    const repo = new MemoryRepository<Row>({});
    const list = repo.list.bind(repo);
    repo.list = (q, rc) => {
      seen.push(rc.ctx.requestId, rc.signal instanceof AbortSignal, rc.signal === rc.signal);
      return list(q, rc);
    };
    registerResource(app, projectDef, repo);
    expect((await app.request('/projects', { headers: { 'x-request-id': 'req-1' } })).status).toBe(200);
    expect(seen).toEqual([expect.any(String), true, true]);
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
    ['page_size=0'],
    ['page_size=-1'],
    ['page_size=1000000000'],
    ['page=0'],
    ['page=abc'],
    ['sort=secret'],
    ['sort=name,name'],
    ['owner=ann'],
    ['priority[like]=1'],
    ['priority=abc'],
    ['priority=1&priority=2'],
    ['cursor=not-a-cursor'],
    ['cursor=&page=2'],
    ['name[contains]=x&__proto__=1'],
    ['total=maybe'],
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
    const bad = await app.request('/projects', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"name":',
    });
    expect(bad.status).toBeGreaterThanOrEqual(400);
    expect(bad.status).toBeLessThan(500);
  });

  it('refuses impossible definitions at registration', () => {
    const app = createApp();
    const repo = new MemoryRepository<Row>();
    expect(() => registerResource(app, { ...projectDef, name: 'Bad Name' }, repo)).toThrow(/name/);
    expect(() => registerResource(app, { ...projectDef, list: { sort: ['x;drop'] } }, repo)).toThrow(/list.sort/);
    expect(() =>
      registerResource(app, { ...projectDef, list: { filters: { page: { type: 'string' } } } }, repo),
    ).toThrow(/list.filters.page/);
    expect(() => registerResource(app, { ...projectDef, list: { defaultPageSize: 500 } }, repo)).toThrow(
      /defaultPageSize/,
    );
  });
});

describe('batch routes', () => {
  function batchApp(options: { maxItems?: number; reject?: string } = {}) {
    const app = createApp();
    const repo = new MemoryRepository<Row>({ unique: [['name']], versionField: 'version' });
    const hooks = options.reject
      ? {
          beforeCreate: (data: Row) => {
            if (data['name'] === options.reject)
              throw new RestError(REST_ERROR_CODES.validation, 'bad', { name: 'is reserved' });
            return data;
          },
        }
      : {};
    registerResource(
      app,
      {
        ...projectDef,
        hooks,
        batch: { create: true, delete: true, ...(options.maxItems ? { maxItems: options.maxItems } : {}) },
      },
      repo,
    );
    return app;
  }
  const names = async (app: ReturnType<typeof createApp>) =>
    (await app.request('/projects?page_size=5')).json<Envelope>().data.map((r) => r['name']);
  const post = (app: ReturnType<typeof createApp>, path: string, body: unknown) =>
    app.request(path, { method: 'POST', ...json(body) });

  it('creates every item in order with 201, or none with one detail per failing item', async () => {
    const app = batchApp();
    const ok = await post(app, '/projects/batch', {
      items: [
        { name: 'a', priority: 1 },
        { name: 'b', priority: 2 },
      ],
    });
    expect(ok.status).toBe(201);
    expect(ok.json<Envelope>().data.map((r) => [r['id'], r['name'], r['version']])).toEqual([
      [1, 'a', 1],
      [2, 'b', 1],
    ]);
    const bad = await post(app, '/projects/batch', {
      items: [
        { name: 'c', priority: 1 },
        { name: '', priority: 1 },
        { name: 'd', priority: 1 },
        { name: 'e', priority: 99, x: 1 },
      ],
    });
    expect(bad.status).toBe(422);
    const e = bad.json<Envelope>().error!;
    expect(e.code).toBe('REST_VALIDATION_FAILED');
    expect(Object.keys(e.details!)).toEqual(['items[1]', 'items[3]']);
    expect(e.details!['items[1]']).toMatch(/^name: /);
    expect(await names(app)).toEqual(['a', 'b']);
  });

  it('refuses items that set server fields (422 REST_IMMUTABLE_FIELD) or clash on a unique field (409), writing nothing', async () => {
    const app = batchApp();
    await post(app, '/projects/batch', { items: [{ name: 'a', priority: 1 }] });
    const immutable = await post(app, '/projects/batch', {
      items: [
        { name: 'x', priority: 1 },
        { id: 1, name: 'y', priority: 1 },
      ],
    });
    expect(immutable.status).toBe(422);
    expect(immutable.json<Envelope>().error).toMatchObject({
      code: 'REST_IMMUTABLE_FIELD',
      details: { 'items[1]': 'id: is set by the server' },
    });
    const clash = await post(app, '/projects/batch', {
      items: [
        { name: 'n', priority: 1 },
        { name: 'a', priority: 1 },
        { name: 'n', priority: 2 },
      ],
    });
    expect(clash.status).toBe(409);
    expect(Object.keys(clash.json<Envelope>().error!.details!)).toEqual(['items[1]', 'items[2]']);
    expect(await names(app)).toEqual(['a']);
  });

  it('maps a hook refusal to its item and stores nothing', async () => {
    const app = batchApp({ reject: 'admin' });
    const res = await post(app, '/projects/batch', {
      items: [
        { name: 'ok', priority: 1 },
        { name: 'admin', priority: 1 },
      ],
    });
    expect(res.status).toBe(422);
    expect(res.json<Envelope>().error!.details).toEqual({ 'items[1]': 'name: is reserved' });
    expect(await names(app)).toEqual([]);
  });

  it.each([
    [{ items: [] }, 'items'],
    [{ items: {} }, 'items'],
    [[{ name: 'a', priority: 1 }], 'items'],
    [{ items: [{ name: 'a', priority: 1 }], extra: 1 }, 'items'],
    [{ items: Array.from({ length: 4 }, (_, i) => ({ name: `n${i}`, priority: 1 })) }, 'items'],
  ])('refuses the malformed or oversized batch %j with 422', async (body, field) => {
    const app = batchApp({ maxItems: 3 });
    const res = await post(app, '/projects/batch', body);
    expect(res.status).toBe(422);
    expect(res.json<Envelope>().error!.details).toHaveProperty([field]);
    expect(await names(app)).toEqual([]);
  });

  it('deletes every id with 204, or none when any is missing, malformed or repeated', async () => {
    const app = batchApp();
    await post(app, '/projects/batch', { items: ['a', 'b', 'c', 'd'].map((name) => ({ name, priority: 1 })) });
    const missing = await post(app, '/projects/batch-delete', { ids: [1, 77, 2, 88] });
    expect(missing.status).toBe(422);
    expect(missing.json<Envelope>().error!.details).toEqual({
      'ids[1]': 'no such projects',
      'ids[3]': 'no such projects',
    });
    const malformed = await post(app, '/projects/batch-delete', { ids: [1, 'x', 1, null, -3] });
    expect(Object.keys(malformed.json<Envelope>().error!.details!)).toEqual(['ids[1]', 'ids[2]', 'ids[3]', 'ids[4]']);
    expect(await names(app)).toEqual(['a', 'b', 'c', 'd']);
    expect((await post(app, '/projects/batch-delete', { ids: [1, '3'] })).status).toBe(204);
    expect(await names(app)).toEqual(['b', 'd']);
  });

  it('has no batch routes unless asked, and refuses batch on a repository without createMany/deleteMany', async () => {
    const app = setup();
    expect((await post(app, '/projects/batch', { items: [{ name: 'a', priority: 1 }] })).status).toBeGreaterThanOrEqual(
      400,
    );
    expect(await names(app)).toEqual([]);
    const bare = {
      list: () => Promise.resolve({ items: [] }),
      get: () => Promise.resolve(undefined),
      create: () => Promise.reject(new Error('x')),
      update: () => Promise.resolve('not_found' as const),
      delete: () => Promise.resolve('not_found' as const),
    };
    expect(() => registerResource(createApp(), { ...projectDef, batch: { create: true } }, bare)).toThrow(
      /batch.create/,
    );
    expect(() => registerResource(createApp(), { ...projectDef, batch: { delete: true } }, bare)).toThrow(
      /batch.delete/,
    );
    expect(() =>
      registerResource(
        createApp(),
        { ...projectDef, batch: { create: true, maxItems: 0 } },
        new MemoryRepository<Row>(),
      ),
    ).toThrow(/maxItems/);
  });
});
