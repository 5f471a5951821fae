import { afterEach, describe, expect, it } from 'vitest';
import { createRequest } from 'plumego/contract';
import { Backend } from './backend.ts';
import { BackendPool, type BackendPoolOptions } from './backend-pool.ts';
import { createRoundRobinBalancer } from './balancer.ts';
import { GATEWAY_ERROR_CODES, isGatewayError } from './errors.ts';
import { HealthChecker } from './health-check.ts';
import { createProxy } from './proxy.ts';
import { startHandler, startUpstream, type Running } from './test-servers.ts';

const SETTINGS = { connections: 4, keepAliveTimeoutMs: 1000, connectTimeoutMs: 1000, maxResponseHeaderBytes: 16384 };
const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanup.length > 0) await cleanup.pop()!();
});

function makePool(
  urls: string[],
  options: BackendPoolOptions,
): { pool: BackendPool; backends: Backend[]; clock: { t: number } } {
  const clock = { t: 1_000_000 };
  const backends = urls.map((url) => new Backend({ url }, SETTINGS));
  const pool = new BackendPool(backends, createRoundRobinBalancer(), { now: () => clock.t, ...options });
  cleanup.push(() => pool.close());
  return { pool, backends, clock };
}

const r = createRequest({ url: '/' });

function fail(pool: BackendPool, b: Backend, times: number): void {
  for (let i = 0; i < times; i++) pool.begin(b)!('connect_failed');
}

describe('backend pool: passive outlier ejection', () => {
  it('ejects after consecutive failures, returns after the ejection time, and ejects longer the second time', () => {
    const {
      pool,
      backends: [a, b],
      clock,
    } = makePool(['http://a.test', 'http://b.test'], {
      circuitBreaker: false,
      outlierDetection: { consecutiveFailures: 3, baseEjectionMs: 1_000, maxEjectionMs: 10_000 },
    });
    fail(pool, a!, 2);
    pool.begin(a!)!('ok');
    fail(pool, a!, 2);
    expect(pool.getAvailable()).toEqual([a, b]);
    fail(pool, a!, 1);
    expect(pool.getAvailable()).toEqual([b]);
    clock.t += 1_000;
    expect(pool.getAvailable()).toEqual([a, b]);
    fail(pool, a!, 3);
    clock.t += 1_999;
    expect(pool.getAvailable()).toEqual([b]);
    clock.t += 1;
    expect(pool.getAvailable()).toEqual([a, b]);
  });

  it('never ejects the last available backend', () => {
    const {
      pool,
      backends: [a, b],
    } = makePool(['http://a.test', 'http://b.test'], {
      circuitBreaker: false,
      outlierDetection: { consecutiveFailures: 1 },
    });
    fail(pool, a!, 1);
    fail(pool, b!, 5);
    expect(pool.getAvailable()).toEqual([b]);
  });

  it('does not count cancelled attempts or 2xx as failures, but counts upstream 5xx', () => {
    const {
      pool,
      backends: [a],
    } = makePool(['http://a.test', 'http://b.test'], {
      circuitBreaker: false,
      outlierDetection: { consecutiveFailures: 2 },
    });
    pool.begin(a!)!('server_error');
    pool.begin(a!)!('cancelled');
    expect(pool.getAvailable()).toHaveLength(2);
    pool.begin(a!)!('server_error');
    expect(pool.getAvailable()).toHaveLength(1);
  });

  it('tracks in-flight attempts and settles each attempt once', () => {
    const {
      pool,
      backends: [a],
    } = makePool(['http://a.test'], {});
    const done = pool.begin(a!)!;
    pool.begin(a!)!('ok');
    expect(a!.inflight).toBe(1);
    done('ok');
    done('ok');
    expect(a!.inflight).toBe(0);
  });
});

describe('backend pool: circuit breaker and slow start', () => {
  it('skips a backend whose breaker opened and admits one half-open probe after the open window', () => {
    const {
      pool,
      backends: [a, b],
      clock,
    } = makePool(['http://a.test', 'http://b.test'], {
      outlierDetection: false,
      circuitBreaker: { failureThreshold: 2, openTimeoutMs: 5_000 },
    });
    fail(pool, a!, 2);
    expect(pool.getAvailable()).toEqual([b]);
    expect(pool.getBreaker(a!)!.state).toBe('open');
    clock.t += 5_000;
    expect(pool.getAvailable()).toEqual([a, b]);
    const probe = pool.begin(a!);
    expect(probe).toBeTypeOf('function');
    expect(pool.begin(a!)).toBeUndefined();
    probe!('ok');
    expect(pool.getBreaker(a!)!.state).toBe('closed');
  });

  it('ramps a recovered backend from 10% of its weight to full over slowStartMs', () => {
    const {
      pool,
      backends: [a],
      clock,
    } = makePool(['http://a.test'], { slowStartMs: 10_000 });
    expect(pool.getEffectiveWeight(a!)).toBe(1);
    pool.setHealthy(a!, false);
    pool.setHealthy(a!, true);
    expect(pool.getEffectiveWeight(a!)).toBeCloseTo(0.1);
    clock.t += 5_000;
    expect(pool.getEffectiveWeight(a!)).toBeCloseTo(0.5);
    clock.t += 5_000;
    expect(pool.getEffectiveWeight(a!)).toBe(1);
  });

  it('starts slow start when an ejection ends', () => {
    const {
      pool,
      backends: [a],
      clock,
    } = makePool(['http://a.test', 'http://b.test'], {
      circuitBreaker: false,
      slowStartMs: 1_000,
      outlierDetection: { consecutiveFailures: 1, baseEjectionMs: 1_000 },
    });
    fail(pool, a!, 1);
    clock.t += 1_000;
    expect(pool.getAvailable()).toContain(a);
    expect(pool.getEffectiveWeight(a!)).toBeCloseTo(0.1);
    clock.t += 500;
    expect(pool.getEffectiveWeight(a!)).toBeCloseTo(0.5);
  });

  it('rejects bad pool options at construction', () => {
    for (const options of [
      { slowStartMs: -1 },
      { outlierDetection: { consecutiveFailures: 0 } },
      { outlierDetection: { baseEjectionMs: 10, maxEjectionMs: 5 } },
    ]) {
      let caught: unknown;
      try {
        makePool(['http://a.test'], options);
      } catch (e) {
        caught = e;
      }
      expect(isGatewayError(caught)).toBe(true);
    }
  });

  it('prefers a backend not yet tried by the request', () => {
    const {
      pool,
      backends: [a, b],
    } = makePool(['http://a.test', 'http://b.test'], {});
    expect(pool.select(r, [a!])).toBe(b);
    expect(pool.select(r, [a!, b!])).toBeDefined();
  });
});

describe('active health checks', () => {
  it('takes a backend out after failing probes and brings it back after passing ones', async () => {
    let status = 200;
    const probes: string[] = [];
    const up = await startUpstream((req, res) => {
      probes.push(`${req.method} ${req.url} ${req.headers['user-agent']}`);
      res.statusCode = status;
      res.end();
    });
    cleanup.push(() => up.close());
    const {
      pool,
      backends: [a],
    } = makePool([`${up.url}/svc`], {});
    const hc = new HealthChecker(pool, { unhealthyThreshold: 2, healthyThreshold: 2, path: '/health' });
    await hc.checkNow();
    expect(a!.healthy).toBe(true);
    status = 503;
    await hc.checkNow();
    expect(a!.healthy).toBe(true);
    await hc.checkNow();
    expect(a!.healthy).toBe(false);
    expect(pool.getAvailable()).toEqual([]);
    status = 204;
    await hc.checkNow();
    expect(a!.healthy).toBe(false);
    await hc.checkNow();
    expect(a!.healthy).toBe(true);
    expect(a!.recoveredAt).toBeGreaterThan(0);
    expect(probes[0]).toBe('GET /svc/health plumego-gateway-health');
  });

  it('counts a probe that exceeds its timeout as failing', async () => {
    const up = await startUpstream(() => undefined);
    cleanup.push(() => up.close());
    const {
      backends: [a],
      pool,
    } = makePool([up.url], {});
    const hc = new HealthChecker(pool, { unhealthyThreshold: 1, timeoutMs: 100 });
    await hc.checkNow();
    expect(a!.healthy).toBe(false);
  });

  it('rejects bad health check options', () => {
    const { pool } = makePool(['http://a.test'], {});
    expect(() => new HealthChecker(pool, { path: 'health' })).toThrow(/healthCheck.path/);
    expect(() => new HealthChecker(pool, { intervalMs: 0 })).toThrow(/intervalMs/);
  });
});

describe('proxy over an unhealthy pool', () => {
  async function upstream(handler: Parameters<typeof startUpstream>[0]): Promise<Running> {
    const u = await startUpstream(handler);
    cleanup.push(() => u.close());
    return u;
  }

  it('answers 503 GATEWAY_UNAVAILABLE when no backend may take traffic', async () => {
    const up = await upstream((_q, s) => s.end('ok'));
    const proxy = createProxy({ targets: [up.url] });
    cleanup.push(() => proxy.close());
    proxy.pool.setHealthy(proxy.pool.backends[0]!, false);
    const front = await startHandler(proxy.handler);
    cleanup.push(() => front.close());
    const res = await fetch(`${front.url}/x`);
    expect(res.status).toBe(503);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe(GATEWAY_ERROR_CODES.unavailable);
  });

  it('keeps serving while one backend flaps under concurrent load', async () => {
    let n = 0;
    const flappy = await upstream((req, res) => {
      n++;
      if (n % 2 === 0) req.socket.resetAndDestroy();
      else res.end('flappy');
    });
    const steady = await upstream((_q, s) => s.end('steady'));
    const proxy = createProxy({
      targets: [flappy.url, steady.url],
      retries: 2,
      outlierDetection: { consecutiveFailures: 3, baseEjectionMs: 60_000 },
    });
    cleanup.push(() => proxy.close());
    const front = await startHandler(proxy.handler);
    cleanup.push(() => front.close());
    const results = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        fetch(`${front.url}/r${i}`).then(async (res) => `${res.status}:${await res.text()}`),
      ),
    );
    for (const r of results) expect(r).toMatch(/^200:(flappy|steady)$/);
  });
});

describe('dynamic backends', () => {
  it('keeps the state of backends that stay, adds new ones and drops removed ones', () => {
    const {
      pool,
      backends: [a, b],
    } = makePool(['http://a.test', 'http://b.test'], {
      circuitBreaker: false,
      outlierDetection: { consecutiveFailures: 1 },
    });
    fail(pool, a!, 1);
    expect(pool.getAvailable()).toEqual([b]);
    const c = new Backend({ url: 'http://c.test' }, SETTINGS);
    const a2 = new Backend({ url: 'http://a.test' }, SETTINGS);
    pool.setBackends([a2, c]);
    expect(pool.backends).toEqual([a, c]);
    expect(pool.getAvailable()).toEqual([c]);
    expect(pool.begin(b!)).toBeUndefined();
  });

  it('follows a discovery source and answers 503 while it lists nothing', async () => {
    const up = await startUpstream((_q, s) => s.end('found'));
    cleanup.push(() => up.close());
    let push: (targets: { url: string }[]) => void = () => undefined;
    let unsubscribed = false;
    const proxy = createProxy({
      targets: [],
      discovery: {
        subscribe: (listener) => {
          push = listener;
          return () => void (unsubscribed = true);
        },
        close: () => undefined,
      },
    });
    cleanup.push(() => proxy.close());
    const front = await startHandler(proxy.handler);
    cleanup.push(() => front.close());
    expect((await fetch(`${front.url}/x`)).status).toBe(503);
    push([{ url: up.url }, { url: 'not a url' }]);
    expect(await (await fetch(`${front.url}/x`)).text()).toBe('found');
    push([]);
    expect((await fetch(`${front.url}/x`)).status).toBe(503);
    await proxy.close();
    expect(unsubscribed).toBe(true);
  });
});
