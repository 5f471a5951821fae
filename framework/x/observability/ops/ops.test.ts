import { describe, expect, it } from 'vitest';
import { createApp } from 'plumego/core';
import { PrometheusCollector } from 'plumego/x/observability';
import { HealthManager } from './healthhttp/index.ts';
import { isOpsError } from './errors.ts';
import { registerOpsRoutes } from './ops-routes.ts';

const TOKEN = 'ops-token-0123456789';
const auth = { authorization: `Bearer ${TOKEN}` };

function setup() {
  const app = createApp();
  const health = new HealthManager().register({ name: 'db', check: () => undefined });
  const metrics = new PrometheusCollector({ runtimeMetrics: false });
  const registered = registerOpsRoutes(app, {
    enabled: true,
    token: TOKEN,
    health,
    metrics,
    build: { name: 'orders', version: '1.2.3', commit: 'abc123' },
  });
  return { app, registered };
}

describe('registerOpsRoutes', () => {
  it('registers nothing unless enabled', async () => {
    const app = createApp();
    expect(registerOpsRoutes(app, { token: TOKEN })).toBe(false);
    app.get('/', (w) => w.end('x'));
    expect((await app.request('/ops/runtime', { headers: auth })).status).toBe(404);
  });

  it.each(['/ops/runtime', '/ops/build', '/ops/health', '/ops/health/db', '/ops/health-history', '/ops/metrics'])(
    'refuses %s without the token, and with a wrong one, with 401',
    async (path) => {
      const { app } = setup();
      const none = await app.request(path);
      expect(none.status).toBe(401);
      expect(none.headers['www-authenticate']).toBe('Bearer realm="ops"');
      expect(none.json<{ error: { code: string } }>().error.code).toBe('OPS_UNAUTHORIZED');
      const wrong = await app.request(path, { headers: { authorization: `Bearer ${TOKEN}x` } });
      expect(wrong.status).toBe(401);
      expect(wrong.text()).not.toContain(TOKEN);
      expect((await app.request(path, { headers: { authorization: TOKEN } })).status).toBe(401);
    },
  );

  it('serves runtime stats, build info, health and metrics with the token', async () => {
    const { app, registered } = setup();
    expect(registered).toBe(true);
    const runtime = await app.request('/ops/runtime', { headers: auth });
    expect(runtime.status).toBe(200);
    const stats = runtime.json<{ uptimeSeconds: number; memory: { rss: number }; eventLoopUtilization: number }>();
    expect(stats.memory.rss).toBeGreaterThan(0);
    expect(stats.eventLoopUtilization).toBeGreaterThanOrEqual(0);
    expect(runtime.text()).not.toContain(process.cwd());
    expect((await app.request('/ops/build', { headers: auth })).json()).toEqual({
      name: 'orders',
      version: '1.2.3',
      commit: 'abc123',
      node: process.version,
    });
    expect((await app.request('/ops/health', { headers: auth })).json<{ status: string }>().status).toBe('healthy');
    expect((await app.request('/ops/health/db', { headers: auth })).status).toBe(200);
    expect((await app.request('/ops/metrics', { headers: auth })).text()).toContain('plumego_http_requests_total');
  });

  it('fails at registration without a long enough token or with a bad prefix', () => {
    for (const bad of [
      { enabled: true },
      { enabled: true, token: 'short' },
      { enabled: true, token: TOKEN, prefix: 'ops' },
      { enabled: true, token: TOKEN, prefix: '/ops/' },
    ]) {
      try {
        registerOpsRoutes(createApp(), bad);
        expect.unreachable();
      } catch (err) {
        expect(isOpsError(err, 'OPS_INVALID_OPTIONS')).toBe(true);
      }
    }
  });
});
