import { describe, expect, it } from 'vitest';
import { createApp } from 'plumego/core';
import { isHealthHttpError } from './errors.ts';
import { componentHandler, detailedHandler, historyHandler, liveHandler, readyHandler } from './handlers.ts';
import { HealthManager, type HealthReport } from './health-manager.ts';

const ok = (name: string) => ({ name, check: () => undefined });
const failing = (
  name: string,
  err: unknown = Object.assign(new Error('connect ECONNREFUSED 10.0.0.5:5432 password=hunter2'), {
    code: 'ECONNREFUSED',
  }),
) => ({
  name,
  check: () => {
    throw err;
  },
});

function app(manager: HealthManager) {
  const a = createApp();
  a.get('/live', liveHandler());
  a.get('/ready', readyHandler(manager));
  a.get('/health', detailedHandler(manager));
  a.get('/health/:component', componentHandler(manager));
  a.get('/health-history', historyHandler(manager));
  return a;
}

describe('HealthManager', () => {
  it('is healthy and ready when every check passes', async () => {
    const m = new HealthManager().register(ok('db')).register(ok('cache'));
    const report = await m.check();
    expect(report).toMatchObject({ status: 'healthy', ready: true });
    expect(report.components.map((c) => c.name)).toEqual(['db', 'cache']);
  });

  it('is unhealthy and not ready when a critical check fails, degraded but ready when a non-critical one does', async () => {
    const critical = await new HealthManager().register(ok('cache')).register(failing('db')).check();
    expect(critical).toMatchObject({ status: 'unhealthy', ready: false });
    const optional = await new HealthManager()
      .register(ok('db'))
      .register(failing('search'), { critical: false })
      .check();
    expect(optional).toMatchObject({ status: 'degraded', ready: true });
  });

  it('reports the error code or name, never the error message', async () => {
    const r = await new HealthManager().register(failing('db')).check();
    expect(r.components[0]!.error).toBe('ECONNREFUSED');
    expect(JSON.stringify(r)).not.toContain('hunter2');
    expect(JSON.stringify(r)).not.toContain('10.0.0.5');
    const named = await new HealthManager().register(failing('x', new TypeError('secret'))).check();
    expect(named.components[0]!.error).toBe('TypeError');
    const odd = await new HealthManager().register(failing('y', 'a string with secret')).check();
    expect(odd.components[0]!.error).toBe('Error');
  });

  it('times out a hanging check, aborting its signal, without blocking the others', async () => {
    let aborted = false;
    const hanging = {
      name: 'slow',
      check: (signal: AbortSignal) => new Promise<void>(() => signal.addEventListener('abort', () => (aborted = true))),
    };
    const m = new HealthManager().register(hanging, { timeoutMs: 30 }).register(ok('fast'));
    const r = await m.check();
    expect(r.components.find((c) => c.name === 'slow')).toMatchObject({ status: 'unhealthy', error: 'CheckTimeout' });
    expect(r.components.find((c) => c.name === 'fast')!.status).toBe('healthy');
    expect(aborted).toBe(true);
  });

  it('retries a failing check and succeeds when a later attempt passes', async () => {
    let calls = 0;
    const flaky = {
      name: 'flaky',
      check: () => {
        if (++calls < 3) throw new Error('not yet');
      },
    };
    const r = await new HealthManager().register(flaky, { retries: 2, retryDelayMs: 1 }).check();
    expect(r.components[0]).toMatchObject({ status: 'healthy', attempts: 3 });
    const exhausted = await new HealthManager().register(failing('never'), { retries: 1, retryDelayMs: 1 }).check();
    expect(exhausted.components[0]).toMatchObject({ status: 'unhealthy', attempts: 2 });
  });

  it('shares a run between concurrent callers and caches it for cacheMs', async () => {
    let t = 0;
    let runs = 0;
    const m = new HealthManager({ cacheMs: 1000, now: () => t }).register({
      name: 'db',
      check: async () => {
        runs++;
      },
    });
    await Promise.all([m.check(), m.check(), m.check()]);
    expect(runs).toBe(1);
    t = 500;
    await m.check();
    expect(runs).toBe(1);
    t = 1500;
    await m.check();
    expect(runs).toBe(2);
  });

  it('keeps a bounded history per component', async () => {
    const m = new HealthManager({ historySize: 3, cacheMs: 0 }).register(ok('db'));
    for (let i = 0; i < 5; i++) await m.check();
    expect(m.getHistory()['db']).toHaveLength(3);
    expect(m.getHistory('nope')).toEqual({});
  });

  it('refuses bad names, duplicates and options at registration', () => {
    const m = new HealthManager().register(ok('db'));
    for (const f of [
      () => m.register(ok('db')),
      () => m.register(ok('bad name')),
      () => m.register(ok('x'), { timeoutMs: 0 }),
      () => m.register(ok('y'), { retries: 11 }),
      () => new HealthManager({ historySize: 0 }),
    ]) {
      try {
        f();
        expect.unreachable();
      } catch (err) {
        expect(isHealthHttpError(err, 'HEALTH_INVALID_OPTIONS')).toBe(true);
      }
    }
  });
});

describe('health handlers', () => {
  it('live is 200 even when dependencies fail; ready is 503 with no component details', async () => {
    const a = app(new HealthManager().register(failing('db')));
    expect((await a.request('/live')).status).toBe(200);
    const ready = await a.request('/ready');
    expect(ready.status).toBe(503);
    expect(ready.headers['cache-control']).toBe('no-store');
    expect(JSON.stringify(ready.json())).not.toContain('db');
  });

  it('detailed, component and history handlers report per component', async () => {
    const a = app(
      new HealthManager({ cacheMs: 0 }).register(ok('db')).register(failing('search'), { critical: false }),
    );
    const detailed = await a.request('/health');
    expect(detailed.status).toBe(200);
    expect(detailed.json<HealthReport>().status).toBe('degraded');
    expect((await a.request('/health/db')).status).toBe(200);
    expect((await a.request('/health/search')).status).toBe(503);
    const missing = await a.request('/health/nope');
    expect(missing.status).toBe(404);
    expect(missing.json<{ error: { code: string } }>().error.code).toBe('HEALTH_COMPONENT_NOT_FOUND');
    expect(JSON.stringify((await a.request('/health-history')).json())).toContain('search');
  });
});
