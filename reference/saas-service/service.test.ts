import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadConfig, ConfigError } from './config.ts';
import { createSaasService, type SaasService } from './app/service.ts';

const services = inject('services');
const A = 'Bearer token-alice-0123456789';
const B = 'Bearer token-bobby-0123456789';
const USERS = 'token-alice-0123456789=alice@acme,token-bobby-0123456789=bob@beta';

type Body = {
  data: Record<string, unknown> & Record<string, unknown>[];
  meta?: { pagination: Record<string, unknown> };
  error?: { code: string };
};

/** The isolation suite: run on memory, and on PostgreSQL (+ Redis) when they are up. */
function isolationSuite(name: string, env: () => Record<string, string>) {
  describe(`saas-service on ${name}`, () => {
    let svc: SaasService;
    const call = (
      auth: string,
      path: string,
      init: { method?: string; body?: unknown; headers?: Record<string, string> } = {},
    ) =>
      svc.app.request(path, {
        method: init.method ?? 'GET',
        headers: {
          authorization: auth,
          ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
          ...init.headers,
        },
        ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
      });
    let aProject: number;
    let aTask: number;

    beforeAll(async () => {
      svc = await createSaasService(
        loadConfig({
          SAAS_USERS: USERS,
          SAAS_QUOTA_PER_MINUTE: '100000',
          SAAS_RATE_PER_SECOND: '100000',
          SAAS_BURST: '100000',
          ...env(),
        }),
      );
      const p = await call(A, '/api/projects', {
        method: 'POST',
        body: { name: `alpha-${randomUUID()}`, status: 'active', description: 'secret plans' },
      });
      expect(p.status).toBe(201);
      aProject = p.json<Body>().data['id'] as number;
      const t = await call(A, '/api/tasks', {
        method: 'POST',
        body: { project_id: aProject, title: 'a task', done: false, priority: 3 },
      });
      expect(t.status).toBe(201);
      aTask = t.json<Body>().data['id'] as number;
    });
    afterAll(async () => {
      await svc?.close();
    });

    it('lets the owner read its rows and hides the tenant column', async () => {
      const got = await call(A, `/api/projects/${aProject}`);
      expect(got.status).toBe(200);
      expect(got.json<Body>().data).not.toHaveProperty('tenant_id');
      expect((await call(A, '/api/tasks')).json<Body>().data.map((t) => t['id'])).toContain(aTask);
    });

    it('never shows tenant A rows to tenant B: get, list, filters, sorts, cursors', async () => {
      for (const path of [`/api/projects/${aProject}`, `/api/tasks/${aTask}`])
        expect((await call(B, path)).status, path).toBe(404);
      for (const q of [
        '',
        '?status=active',
        '?name[contains]=alpha',
        '?sort=-name',
        '?cursor=',
        '?page_size=100',
        '?status[in]=active,archived',
      ]) {
        const res = await call(B, `/api/projects${q}`);
        expect(res.status, q).toBe(200);
        expect(res.json<Body>().data, q).toEqual([]);
      }
      for (const q of [`?project_id=${aProject}`, '?done=false', '?priority[gte]=0&sort=-priority']) {
        expect((await call(B, `/api/tasks${q}`)).json<Body>().data, q).toEqual([]);
      }
    });

    it('keeps tenants apart when a list shape is served from the compiled-statement cache (A first, then B, then A again)', async () => {
      const shapes = [
        '/api/projects',
        '/api/projects?status=active',
        '/api/projects?name[contains]=alpha&sort=-name',
        '/api/projects?status[in]=active,archived&page_size=50',
        '/api/projects?cursor=',
        `/api/tasks?project_id=${aProject}`,
        '/api/tasks?priority[gte]=0&sort=-priority',
      ];
      for (const path of shapes) {
        const a = (await call(A, path)).json<Body>().data;
        expect(a.length, path).toBeGreaterThan(0);
        expect((await call(B, path)).json<Body>().data, path).toEqual([]);
        expect((await call(A, path)).json<Body>().data, path).toEqual(a);
      }
    });

    it('never lets tenant B change or delete tenant A rows, or hang a task off them', async () => {
      expect((await call(B, `/api/projects/${aProject}`, { method: 'PATCH', body: { name: 'pwned' } })).status).toBe(
        404,
      );
      expect(
        (await call(B, `/api/projects/${aProject}`, { method: 'PUT', body: { name: 'pwned', status: 'archived' } }))
          .status,
      ).toBe(404);
      expect(
        (await call(B, `/api/projects/${aProject}`, { method: 'DELETE', headers: { 'if-match': '*' } })).status,
      ).toBe(404);
      expect((await call(B, `/api/tasks/${aTask}`, { method: 'DELETE' })).status).toBe(404);
      const hijack = await call(B, '/api/tasks', {
        method: 'POST',
        body: { project_id: aProject, title: 'x', done: false, priority: 1 },
      });
      expect(hijack.status).toBe(422);
      const after = await call(A, `/api/projects/${aProject}`);
      expect(after.json<Body>().data).toMatchObject({ description: 'secret plans', version: 1 });
    });

    it('refuses a tenant header naming another tenant, and bodies that set the tenant or the id', async () => {
      const mismatch = await call(B, '/api/projects', { headers: { 'x-tenant-id': 'acme' } });
      expect(mismatch.status).toBe(403);
      expect(mismatch.json<Body>().error!.code).toBe('TENANT_MISMATCH');
      for (const body of [
        { name: 'n', status: 'active', tenant_id: 'acme' },
        { name: 'n', status: 'active', id: aProject },
      ]) {
        const res = await call(B, '/api/projects', { method: 'POST', body });
        expect(res.status).toBe(422);
        expect(res.json<Body>().error!.code).toBe('REST_IMMUTABLE_FIELD');
      }
      expect(
        (await call(B, `/api/projects/${aProject}`, { method: 'PATCH', body: { tenant_id: 'beta' } })).status,
      ).toBe(422);
    });

    it('never lets a batch reach tenant A rows: B cannot batch-delete them, batch items cannot name a tenant or hang off A', async () => {
      const mine = await call(B, '/api/projects/batch', {
        method: 'POST',
        body: { items: [{ name: `b-${randomUUID()}`, status: 'active' }] },
      });
      expect(mine.status).toBe(201);
      const bProject = mine.json<Body>().data[0]!['id'] as number;
      // A's id alone, and A's id beside B's own: refused whole, nothing deleted on either side.
      for (const ids of [[aProject], [bProject, aProject]]) {
        const res = await call(B, '/api/projects/batch-delete', { method: 'POST', body: { ids } });
        expect(res.status, JSON.stringify(ids)).toBe(422);
        expect(res.json<Body & { error: { details: Record<string, string> } }>().error.details).toEqual({
          [`ids[${ids.length - 1}]`]: 'no such projects',
        });
      }
      expect((await call(B, '/api/tasks/batch-delete', { method: 'POST', body: { ids: [aTask] } })).status).toBe(422);
      expect((await call(A, `/api/projects/${aProject}`)).status).toBe(200);
      expect((await call(A, `/api/tasks/${aTask}`)).status).toBe(200);
      expect((await call(B, `/api/projects/${bProject}`)).status).toBe(200);

      const before = (await call(B, '/api/projects?page_size=100')).json<Body>().data.length;
      for (const item of [{ tenant_id: 'acme' }, { tenant_id: 'beta' }, { id: aProject }]) {
        const res = await call(B, '/api/projects/batch', {
          method: 'POST',
          body: {
            items: [
              { name: `ok-${randomUUID()}`, status: 'active' },
              { name: `x-${randomUUID()}`, status: 'active', ...item },
            ],
          },
        });
        expect(res.status, JSON.stringify(item)).toBe(422);
        expect(res.json<Body>().error!.code).toBe('REST_IMMUTABLE_FIELD');
      }
      const hijack = await call(B, '/api/tasks/batch', {
        method: 'POST',
        body: {
          items: [
            { project_id: bProject, title: 'fine', done: false, priority: 1 },
            { project_id: aProject, title: 'x', done: false, priority: 1 },
          ],
        },
      });
      expect(hijack.status).toBe(422);
      expect(Object.keys(hijack.json<Body & { error: { details: Record<string, string> } }>().error.details)).toEqual([
        'items[1]',
      ]);
      const dup = `dup-${randomUUID()}`;
      const clash = await call(B, '/api/projects/batch', {
        method: 'POST',
        body: {
          items: [
            { name: dup, status: 'active' },
            { name: dup, status: 'archived' },
          ],
        },
      });
      expect(clash.status).toBe(409);
      expect((await call(B, '/api/projects?page_size=100')).json<Body>().data.length).toBe(before);
      expect((await call(B, `/api/tasks?project_id=${bProject}`)).json<Body>().data).toEqual([]);
      // Batch rows land in B only, and B can batch-delete what it owns.
      expect((await call(A, `/api/projects/${bProject}`)).status).toBe(404);
      expect((await call(B, '/api/projects/batch-delete', { method: 'POST', body: { ids: [bProject] } })).status).toBe(
        204,
      );
      expect((await call(B, `/api/projects/${bProject}`)).status).toBe(404);
    });

    it('treats SQL metacharacters in every parameter as data', async () => {
      const evil = "x' OR tenant_id <> '' --";
      for (const path of [
        `/api/projects?name=${encodeURIComponent(evil)}`,
        `/api/projects?name[contains]=${encodeURIComponent(evil)}`,
        `/api/projects/${encodeURIComponent(evil)}`,
        `/api/projects?sort=${encodeURIComponent(evil)}`,
      ]) {
        const res = await call(B, path);
        expect(res.status, path).toBeLessThan(500);
        if (res.status === 200) expect(res.json<Body>().data, path).toEqual([]);
      }
      const created = await call(B, '/api/projects', { method: 'POST', body: { name: evil, status: 'active' } });
      expect(created.status).toBe(201);
      expect((await call(A, `/api/projects?name=${encodeURIComponent(evil)}`)).json<Body>().data).toEqual([]);
    });

    it('answers 401 without a valid token and keeps /healthz open', async () => {
      expect((await svc.app.request('/api/projects')).status).toBe(401);
      expect((await call('Bearer not-a-real-token-000000', '/api/projects')).status).toBe(401);
      expect((await svc.app.request('/healthz')).status).toBe(200);
    });

    it('documents the resources from the same declarations', async () => {
      const doc = (await svc.app.request('/openapi.json')).json<{ paths: Record<string, unknown> }>();
      expect(Object.keys(doc.paths)).toEqual(
        expect.arrayContaining(['/api/projects', '/api/projects/{id}', '/api/tasks', '/api/tasks/{id}']),
      );
    });
  });
}

isolationSuite('memory', () => ({}));

describe.skipIf(!services.postgres || !services.redis)('PostgreSQL and Redis', () => {
  const db = `saas_${randomUUID().replaceAll('-', '').slice(0, 20)}`;
  let admin: pg.Pool;
  beforeAll(async () => {
    admin = new pg.Pool({ connectionString: services.postgres!, max: 1 });
    await admin.query(`create database ${db}`);
  });
  afterAll(async () => {
    // The service's pool has ended, but its sockets may still be closing: a forced drop would kill
    // them mid-goodbye (FATAL 57P01 on a client nobody listens to any more). Wait for them first.
    for (let i = 0; i < 100; i++) {
      const { rows } = await admin.query('select count(*)::int as n from pg_stat_activity where datname = $1', [db]);
      if (rows[0].n === 0) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    await admin?.query(`drop database if exists ${db} with (force)`);
    await admin?.end();
  });
  const url = (): string => {
    const u = new URL(services.postgres!);
    u.pathname = `/${db}`;
    return u.toString();
  };
  isolationSuite('PostgreSQL + Redis', () => ({ SAAS_DATABASE_URL: url(), SAAS_REDIS_URL: services.redis! }));
});

describe('saas-service config', () => {
  it('refuses short tokens, bad tenant ids, missing users and malformed URLs, naming the variable', () => {
    expect(() => loadConfig({})).toThrow(ConfigError);
    expect(() => loadConfig({ SAAS_USERS: 'short=a@acme' })).toThrow(/SAAS_USERS/);
    expect(() => loadConfig({ SAAS_USERS: 'token-alice-0123456789=a@bad/tenant' })).toThrow(/tenant/);
    expect(() => loadConfig({ SAAS_USERS: USERS, SAAS_DATABASE_URL: 'not a url' })).toThrow(/SAAS_DATABASE_URL/);
    expect(() => loadConfig({ SAAS_USERS: USERS, SAAS_BURST: '0' })).toThrow(/SAAS_BURST/);
  });
});
