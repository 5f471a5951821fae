import { describe, expect, it } from 'vitest';
import { createApp } from 'plumego/core';
import type { Handler, Middleware } from 'plumego/contract';
import { createPrincipal, withPrincipal } from 'plumego/security';
import { InMemoryTenantConfigs } from './config.ts';
import { createTenantChain } from './chain.ts';
import { MemoryTenantLimitsStore } from './memory-limits.ts';
import { fromPathSegment, fromSubdomain } from './extractors.ts';
import { isAllowedByPolicy } from './policy.ts';
import { resolveTenant } from './resolve.ts';
import { tenantIdFromContext } from './tenant-id.ts';

const ok: Handler = (w, r) => {
  w.setHeader('content-type', 'text/plain');
  w.writeHead(200);
  w.end(`tenant=${tenantIdFromContext(r.ctx)}`);
};

/** Stands in for authentication: a bearer token `sub@tenant` becomes the principal. */
const fakeAuth: Middleware = (next) => (w, r) => {
  const token = r.header('authorization')?.replace(/^Bearer /, '');
  if (!token) return next(w, r);
  const [subject, tenantId] = token.split('@');
  return next(w, r.withContext(withPrincipal(r.ctx, createPrincipal({ subject: subject!, tenantId }))));
};

function appWith(...mw: Middleware[]) {
  const app = createApp();
  app.use(...mw);
  for (const m of ['GET', 'POST', 'DELETE']) {
    app.addRoute(m, '/projects', ok);
    app.addRoute(m, '/projects/:id', ok);
    app.addRoute(m, '/admin/stats', ok);
  }
  return app;
}

const errorOf = (res: { json<T>(): T }) =>
  res.json<{ error: { code: string; type?: string; details?: Record<string, unknown> } }>().error;

describe('tenant resolution', () => {
  it('takes the tenant from the header and puts it in the context', async () => {
    const res = await appWith(resolveTenant()).request('/projects', { headers: { 'x-tenant-id': 'acme' } });
    expect(res.status).toBe(200);
    expect(res.text()).toBe('tenant=acme');
  });

  it('refuses a request without a tenant with 401 TENANT_REQUIRED, unless missing is allowed', async () => {
    const res = await appWith(resolveTenant()).request('/projects');
    expect(res.status).toBe(401);
    expect(errorOf(res)).toMatchObject({ code: 'TENANT_REQUIRED', type: 'unauthorized_request' });
    expect((await appWith(resolveTenant({ allowMissing: true })).request('/projects')).text()).toBe('tenant=');
  });

  it.each(['', 'a/b', '../x', 'x'.repeat(129), "a' OR 1=1 --", 'ünï'])(
    'refuses the malformed id %j with 400',
    async (id) => {
      const res = await appWith(resolveTenant()).request('/projects', { headers: { 'x-tenant-id': id } });
      expect(res.status).toBe(400);
      expect(errorOf(res).code).toBe('TENANT_INVALID_ID');
    },
  );

  it('refuses a repeated tenant header as ambiguous', async () => {
    const res = await appWith(resolveTenant()).request('/projects', { headers: { 'x-tenant-id': ['acme', 'beta'] } });
    expect(res.status).toBe(400);
  });

  it('prefers the principal and refuses a header that names another tenant', async () => {
    const app = appWith(fakeAuth, resolveTenant());
    expect((await app.request('/projects', { headers: { authorization: 'Bearer u1@acme' } })).text()).toBe(
      'tenant=acme',
    );
    expect(
      (await app.request('/projects', { headers: { authorization: 'Bearer u1@acme', 'x-tenant-id': 'acme' } })).status,
    ).toBe(200);
    const res = await app.request('/projects', { headers: { authorization: 'Bearer u1@acme', 'x-tenant-id': 'beta' } });
    expect(res.status).toBe(403);
    expect(errorOf(res).code).toBe('TENANT_MISMATCH');
  });

  it("lets the token win over the header when onMismatch is 'principal'", async () => {
    const app = appWith(fakeAuth, resolveTenant({ onMismatch: 'principal' }));
    expect(
      (await app.request('/projects', { headers: { authorization: 'Bearer u1@acme', 'x-tenant-id': 'beta' } })).text(),
    ).toBe('tenant=acme');
  });

  it('reads the tenant from a subdomain and refuses foreign or nested hosts', async () => {
    const app = appWith(resolveTenant({ extractors: [fromSubdomain('example.com')] }));
    expect((await app.request('/projects', { headers: { host: 'acme.example.com:8080' } })).text()).toBe('tenant=acme');
    expect((await app.request('/projects', { headers: { host: 'example.com' } })).status).toBe(401);
    expect((await app.request('/projects', { headers: { host: 'a.b.example.com' } })).status).toBe(400);
    expect((await app.request('/projects', { headers: { host: 'evil.test' } })).status).toBe(400);
  });

  it('reads the tenant from a path segment, decoding it, and refuses malformed encoding', async () => {
    const app = createApp();
    app.use(resolveTenant({ extractors: [fromPathSegment(1)] }));
    app.addRoute('GET', '/t/:tenant/projects', ok);
    expect((await app.request('/t/acme/projects')).text()).toBe('tenant=acme');
    expect((await app.request('/t/ac%6De/projects')).text()).toBe('tenant=acme');
    expect((await app.request('/t/%E0%A4%A/projects')).status).toBe(400);
  });

  it('refuses an unknown or disabled tenant when a config source is given, and a failing source with 503', async () => {
    const tenants = new InMemoryTenantConfigs([{ id: 'acme' }, { id: 'gone', disabled: true }]);
    const app = appWith(resolveTenant({ tenants }));
    expect((await app.request('/projects', { headers: { 'x-tenant-id': 'acme' } })).status).toBe(200);
    for (const id of ['nobody', 'gone']) {
      const res = await app.request('/projects', { headers: { 'x-tenant-id': id } });
      expect(res.status).toBe(403);
      expect(errorOf(res).code).toBe('TENANT_UNKNOWN');
    }
    const broken = appWith(
      resolveTenant({ tenants: { get: () => Promise.reject(new Error('db down at postgres://u:secret@h')) } }),
    );
    const res = await broken.request('/projects', { headers: { 'x-tenant-id': 'acme' } });
    expect(res.status).toBe(503);
    expect(res.text()).not.toContain('secret');
  });
});

describe('the tenant chain', () => {
  function chainApp(now: { t: number }) {
    const tenants = new InMemoryTenantConfigs([
      {
        id: 'acme',
        policy: { methods: ['GET', 'POST'], paths: ['/projects/*'] },
        quota: { limit: 3, windowMs: 60_000 },
        rateLimit: { ratePerSecond: 1, burst: 2 },
      },
      { id: 'open' },
    ]);
    return { app: appWith(...createTenantChain({ tenants, now: () => now.t })), tenants };
  }
  const as = (id: string) => ({ headers: { 'x-tenant-id': id } });

  it('denies what the policy does not list with 403, without spending quota', async () => {
    const now = { t: 1_000_000 };
    const { app } = chainApp(now);
    for (const [method, path] of [
      ['DELETE', '/projects/1'],
      ['GET', '/admin/stats'],
      ['GET', '/projects/..%2Fadmin'],
      ['GET', '/projects/%2E%2E/admin/stats'],
    ] as const) {
      const res = await app.request(path, { method, ...as('acme') });
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(errorOf(res).code).toBe('TENANT_POLICY_DENIED');
    }
    const res = await app.request('/projects', as('acme'));
    expect(res.status).toBe(200);
    expect(res.headers['x-quota-remaining']).toBe('2');
  });

  it('judges an allow-list changed in place by its new entries, never by what was compiled before', () => {
    const paths = ['/projects/*', '/reports'];
    const policy = { paths };
    expect([
      isAllowedByPolicy(policy, 'GET', '/projects/1'),
      isAllowedByPolicy(policy, 'GET', '/reports'),
      isAllowedByPolicy(policy, 'GET', '/reports/x'),
    ]).toEqual([true, true, false]);
    paths[0] = '/admin/*';
    expect([isAllowedByPolicy(policy, 'GET', '/projects/1'), isAllowedByPolicy(policy, 'GET', '/admin/x')]).toEqual([
      false,
      true,
    ]);
    paths.pop();
    expect(isAllowedByPolicy(policy, 'GET', '/reports')).toBe(false);
    paths.push('/reports/*');
    expect([isAllowedByPolicy(policy, 'GET', '/reports/x'), isAllowedByPolicy({ paths: [] }, 'GET', '/')]).toEqual([
      true,
      false,
    ]);
  });

  it('matches decoded segments, skips empty ones and refuses paths it cannot judge', () => {
    const policy = { paths: ['/projects/*', '/a b'] };
    const judged = (path: string): boolean => isAllowedByPolicy(policy, 'GET', path);
    // Empty segments (doubled or trailing slashes) are skipped; escapes are decoded before comparing.
    expect(['//projects//7/', '/projects', '/%70rojects/x', '/a%20b', '/a%20b/'].map(judged)).toEqual([
      true,
      true,
      true,
      true,
      true,
    ]);
    // Dot segments (plain or encoded), an encoded slash and malformed escapes are never allowed.
    expect(
      [
        '/projects/./x',
        '/projects/%2e%2e/admin',
        '/projects/a%2Fb',
        '/projects/%E0%A4',
        '/projects/%zz',
        '/a%20b/c',
      ].map(judged),
    ).toEqual([false, false, false, false, false, false]);
    // Whatever precedes the first slash is not a segment; no slash at all is the root.
    expect([judged('x/projects/1'), isAllowedByPolicy({ paths: ['/'] }, 'GET', 'projects')]).toEqual([true, true]);
  });

  it('answers 429 TENANT_RATE_LIMITED with Retry-After once the burst is spent, and refills over time', async () => {
    const now = { t: 2_000_000 };
    const { app } = chainApp(now);
    expect((await app.request('/projects', as('acme'))).headers['x-ratelimit-remaining']).toBe('1');
    expect((await app.request('/projects', as('acme'))).status).toBe(200);
    const limited = await app.request('/projects', as('acme'));
    expect(limited.status).toBe(429);
    expect(errorOf(limited).code).toBe('TENANT_RATE_LIMITED');
    expect(limited.headers['retry-after']).toBe('1');
    now.t += 1000;
    expect((await app.request('/projects', as('acme'))).status).toBe(200);
  });

  it('answers 429 TENANT_QUOTA_EXCEEDED when the window is used up, until the next window', async () => {
    const now = { t: 60_000 * 100 };
    const { app } = chainApp(now);
    for (let i = 0; i < 3; i++) {
      expect((await app.request('/projects', as('acme'))).status).toBe(200);
      now.t += 5000; // keep the token bucket full
    }
    const res = await app.request('/projects', as('acme'));
    expect(res.status).toBe(429);
    expect(errorOf(res)).toMatchObject({ code: 'TENANT_QUOTA_EXCEEDED', details: { limit: 3 } });
    expect(Number(res.headers['retry-after'])).toBe(45);
    expect(res.headers['x-quota-remaining']).toBe('0');
    now.t += 45_000;
    expect((await app.request('/projects', as('acme'))).status).toBe(200);
  });

  it('keeps each tenant to its own counters and lets a tenant without limits through', async () => {
    const now = { t: 5_000_000 };
    const { app, tenants } = chainApp(now);
    tenants.set({ id: 'beta', quota: { limit: 1, windowMs: 60_000 } });
    expect((await app.request('/admin/stats', as('beta'))).status).toBe(200);
    expect((await app.request('/admin/stats', as('beta'))).status).toBe(429);
    expect((await app.request('/projects', as('acme'))).status).toBe(200);
    for (let i = 0; i < 20; i++)
      expect((await app.request('/admin/stats', { method: 'DELETE', ...as('open') })).status).toBe(200);
  });

  it('applies a config change to the next request', async () => {
    const now = { t: 9_000_000 };
    const { app, tenants } = chainApp(now);
    expect((await app.request('/admin/stats', as('acme'))).status).toBe(403);
    tenants.set({ id: 'acme', policy: { paths: ['/admin/*'] } });
    expect((await app.request('/admin/stats', as('acme'))).status).toBe(200);
    tenants.delete('acme');
    expect((await app.request('/admin/stats', as('acme'))).status).toBe(403);
  });

  it('closes when a limit store fails (503), never opens', async () => {
    const tenants = new InMemoryTenantConfigs([{ id: 'acme', quota: { limit: 5, windowMs: 1000 } }]);
    const failing = { consume: () => Promise.reject(new Error('connection reset')) };
    const app = appWith(...createTenantChain({ tenants, quotaStore: failing }));
    const res = await app.request('/projects', as('acme'));
    expect(res.status).toBe(503);
    expect(errorOf(res).code).toBe('TENANT_STATE_UNAVAILABLE');
  });
});

describe('stage order', () => {
  it.each(['separate', 'combined'] as const)('a rate-limited request spends no quota (%s stages)', async (kind) => {
    const now = { t: 7_000_000 };
    const tenants = new InMemoryTenantConfigs([
      { id: 'acme', quota: { limit: 2, windowMs: 3_600_000 }, rateLimit: { ratePerSecond: 1, burst: 1 } },
    ]);
    const app = appWith(
      ...createTenantChain({
        tenants,
        now: () => now.t,
        ...(kind === 'combined' ? { limitsStore: new MemoryTenantLimitsStore() } : {}),
      }),
    );
    const h = { headers: { 'x-tenant-id': 'acme' } };
    expect((await app.request('/projects', h)).status).toBe(200);
    for (let i = 0; i < 5; i++) expect(errorOf(await app.request('/projects', h)).code).toBe('TENANT_RATE_LIMITED');
    now.t += 1000;
    const second = await app.request('/projects', h);
    expect(second.status).toBe(200);
    expect(second.headers['x-quota-remaining']).toBe('0');
  });
});

describe('combined limits stage', () => {
  const as = { headers: { 'x-tenant-id': 'acme' } };

  it('writes the same headers and refusals as the two separate stages', async () => {
    const now = { t: 60_000 * 500 };
    const configs = [{ id: 'acme', quota: { limit: 3, windowMs: 60_000 }, rateLimit: { ratePerSecond: 1, burst: 2 } }];
    const separate = appWith(...createTenantChain({ tenants: new InMemoryTenantConfigs(configs), now: () => now.t }));
    const combined = appWith(
      ...createTenantChain({
        tenants: new InMemoryTenantConfigs(configs),
        now: () => now.t,
        limitsStore: new MemoryTenantLimitsStore(),
      }),
    );
    for (const step of [0, 0, 0, 1000, 1000, 5000, 0]) {
      now.t += step;
      const [a, b] = [await separate.request('/projects', as), await combined.request('/projects', as)];
      expect(b.status).toBe(a.status);
      expect(b.text()).toBe(a.text());
      const pick = (h: Record<string, unknown>) =>
        Object.fromEntries(Object.entries(h).filter(([k]) => k.startsWith('x-') || k === 'retry-after'));
      expect(pick(b.headers)).toEqual(pick(a.headers));
    }
  });

  it('closes with 503 when its store fails, lets a tenant without limits through, and refuses a chain given both kinds of store', async () => {
    const tenants = new InMemoryTenantConfigs([{ id: 'acme', quota: { limit: 5, windowMs: 1000 } }, { id: 'open' }]);
    const failing = { check: () => Promise.reject(new Error('connection reset')) };
    const app = appWith(...createTenantChain({ tenants, limitsStore: failing }));
    const res = await app.request('/projects', as);
    expect(res.status).toBe(503);
    expect(errorOf(res).code).toBe('TENANT_STATE_UNAVAILABLE');
    const throwing = appWith(
      ...createTenantChain({
        tenants,
        limitsStore: {
          check: () => {
            throw new Error('sync');
          },
        },
      }),
    );
    expect((await throwing.request('/projects', as)).status).toBe(503);
    expect((await app.request('/projects', { headers: { 'x-tenant-id': 'open' } })).status).toBe(200);
    expect(() =>
      createTenantChain({
        tenants,
        limitsStore: failing,
        quotaStore: { consume: () => Promise.reject(new Error('x')) },
      }),
    ).toThrow(/limitsStore/);
  });
});
