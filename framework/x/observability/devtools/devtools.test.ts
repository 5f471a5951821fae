import { describe, expect, it } from 'vitest';
import { createApp } from 'plumego/core';
import { registerDevtools } from './devtools-routes.ts';
import { isDevtoolsError } from './errors.ts';
import { readEventLoopStats } from './profiler.ts';

const TOKEN = 'devtools-token-0123456789';
const auth = { authorization: `Bearer ${TOKEN}` };

function setup(maxSampleMs = 2_000) {
  const app = createApp();
  registerDevtools(app, { enabled: true, token: TOKEN, environment: 'development', maxSampleMs });
  return app;
}

describe('registerDevtools', () => {
  it('registers nothing unless enabled', async () => {
    const app = createApp();
    expect(registerDevtools(app, { token: TOKEN })).toBe(false);
    app.get('/', (w) => w.end());
    expect((await app.request('/_devtools/event-loop', { headers: auth })).status).toBe(404);
  });

  it('refuses to mount in production unless explicitly allowed, and without a long token', () => {
    const cases = [
      { enabled: true, token: TOKEN, environment: 'production' },
      { enabled: true, environment: 'development' },
      { enabled: true, token: 'short', environment: 'development' },
      { enabled: true, token: TOKEN, environment: 'development', maxSampleMs: 0 },
    ];
    for (const options of cases) {
      try {
        registerDevtools(createApp(), options);
        expect.unreachable();
      } catch (err) {
        expect(isDevtoolsError(err, 'DEVTOOLS_INVALID_OPTIONS')).toBe(true);
      }
    }
    expect(
      registerDevtools(createApp(), {
        enabled: true,
        token: TOKEN,
        environment: 'production',
        allowInProduction: true,
      }),
    ).toBe(true);
  });

  it.each([
    ['POST', '/_devtools/cpu-profile?ms=10'],
    ['POST', '/_devtools/heap-snapshot'],
    ['GET', '/_devtools/event-loop?ms=10'],
  ])('refuses %s %s without the token with 401', async (method, url) => {
    const app = setup();
    const res = await app.request(url, { method });
    expect(res.status).toBe(401);
    expect(res.json<{ error: { code: string } }>().error.code).toBe('DEVTOOLS_UNAUTHORIZED');
    expect(
      (await app.request(url, { method, headers: { authorization: 'Bearer devtools-token-012345678X' } })).status,
    ).toBe(401);
  });

  it('records a CPU profile for the requested window', async () => {
    const res = await setup().request('/_devtools/cpu-profile?ms=50', { method: 'POST', headers: auth });
    expect(res.status).toBe(200);
    expect(res.headers['content-disposition']).toMatch(/attachment; filename="cpu-\d+\.cpuprofile"/);
    const profile = res.json<{
      nodes: { callFrame: { functionName: string } }[];
      startTime: number;
      endTime: number;
    }>();
    expect(profile.nodes.length).toBeGreaterThan(0);
    expect(profile.endTime - profile.startTime).toBeGreaterThanOrEqual(40_000);
  });

  it('streams a heap snapshot that parses as one V8 snapshot', async () => {
    const res = await setup().request('/_devtools/heap-snapshot', { method: 'POST', headers: auth });
    expect(res.status).toBe(200);
    const snapshot = res.json<{ snapshot: { meta: { node_fields: string[] }; node_count: number } }>();
    expect(snapshot.snapshot.meta.node_fields).toContain('name');
    expect(snapshot.snapshot.node_count).toBeGreaterThan(1000);
  }, 30_000);

  it('samples event-loop delay and utilisation', async () => {
    const res = await setup().request('/_devtools/event-loop?ms=50', { headers: auth });
    expect(res.status).toBe(200);
    const stats = res.json<{ windowMs: number; delayMs: { p99: number; max: number }; utilization: number }>();
    expect(stats.windowMs).toBe(50);
    expect(stats.delayMs.max).toBeGreaterThanOrEqual(stats.delayMs.p99);
    expect(stats.utilization).toBeGreaterThanOrEqual(0);
    expect(stats.utilization).toBeLessThanOrEqual(1);
  });

  it('keeps delay statistics ordered and finite, also for a window too short to sample', async () => {
    for (const ms of [1, 30]) {
      const { delayMs } = await readEventLoopStats(ms);
      const values = [delayMs.min, delayMs.p50, delayMs.p99, delayMs.max];
      for (const v of [...values, delayMs.mean]) expect(Number.isFinite(v) && v >= 0 && v < 60_000).toBe(true);
      expect([...values].sort((a, b) => a - b)).toEqual(values);
    }
  });

  it.each(['0', '-5', 'abc', '1e3', '999999'])('answers 400 to ms=%s', async (ms) => {
    const res = await setup().request(`/_devtools/event-loop?ms=${ms}`, { headers: auth });
    expect(res.status).toBe(400);
    expect(res.json<{ error: { code: string } }>().error.code).toBe('DEVTOOLS_BAD_REQUEST');
  });

  it('runs one profile at a time and answers 409 to a second', async () => {
    const app = setup();
    const first = app.request('/_devtools/cpu-profile?ms=150', { method: 'POST', headers: auth });
    await new Promise((r) => setTimeout(r, 20));
    const second = await app.request('/_devtools/cpu-profile?ms=10', { method: 'POST', headers: auth });
    expect(second.status).toBe(409);
    expect(second.json<{ error: { code: string } }>().error.code).toBe('DEVTOOLS_BUSY');
    expect((await first).status).toBe(200);
    expect((await app.request('/_devtools/cpu-profile?ms=10', { method: 'POST', headers: auth })).status).toBe(200);
  });
});
