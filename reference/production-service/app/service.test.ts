import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from 'plumego/log';
import { hashPassword } from 'plumego/security';
import { SqliteDatabase } from 'plumego/store';
import { loadConfig, ConfigError, type ProductionConfig } from '../config.ts';
import { createProductionService, type ProductionService } from './service.ts';

// Black-box tests: a real server on an ephemeral port, spoken to with fetch.
const FAST_HASH = { scryptLogN: 14 } as const;
const ADMIN_PASSWORD = 'Adm1n-password-for-tests';
const VIEWER_PASSWORD = 'Vi3wer-password-for-tests';
const dataRoot = mkdtempSync(join(tmpdir(), 'plumego-prod-'));
afterAll(() => rmSync(dataRoot, { recursive: true, force: true }));

interface Running {
  service: ProductionService;
  base: string;
  logs: string[];
}

let users: ProductionConfig['users'];
beforeAll(async () => {
  users = [
    {
      username: 'admin',
      passwordHash: await hashPassword(ADMIN_PASSWORD, FAST_HASH),
      roles: ['admin'],
      permissions: ['orders:write', 'orders:read'],
    },
    {
      username: 'viewer',
      passwordHash: await hashPassword(VIEWER_PASSWORD, FAST_HASH),
      roles: ['viewer'],
      permissions: ['orders:read'],
    },
  ];
});

async function start(dataDir: string, overrides: Record<string, string> = {}, now?: () => Date): Promise<Running> {
  const config = loadConfig({
    APP_DATA_DIR: dataDir,
    APP_OPS_TOKEN: 'ops-token-0123456789abcdef',
    APP_RATE_LIMIT_RPS: '1000',
    APP_RATE_LIMIT_BURST: '1000',
    ...overrides,
  });
  config.users = users;
  const logs: string[] = [];
  const logger = createLogger({
    format: 'json',
    buffered: false,
    level: 'debug',
    output: {
      write: (line: string) => {
        logs.push(line);
      },
    },
  });
  const service = await createProductionService(config, {
    logger,
    passwordHashOptions: FAST_HASH,
    ...(now === undefined ? {} : { now }),
  });
  const addr = await service.app.listen(0, '127.0.0.1');
  return { service, base: `http://127.0.0.1:${addr.port}`, logs };
}

async function call(
  base: string,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
) {
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  if (options.token !== undefined) headers['authorization'] = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(base + path, {
    method,
    headers,
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  const text = await res.text();
  return {
    status: res.status,
    headers: res.headers,
    json: text === '' ? undefined : (JSON.parse(text) as Record<string, any>),
  };
}

async function login(base: string, username = 'admin', password = ADMIN_PASSWORD) {
  const res = await call(base, 'POST', '/api/v1/auth/token', { body: { username, password } });
  expect(res.status).toBe(200);
  return res.json?.['data'] as { access_token: string; refresh_token: string; token_type: string; expires_in: number };
}

describe('production-service', () => {
  let run: Running;
  beforeAll(async () => {
    run = await start(join(dataRoot, 'main'));
  });
  afterAll(async () => {
    await run.service.close();
  });

  it('serves liveness and readiness with strict security headers', async () => {
    const live = await call(run.base, 'GET', '/healthz');
    expect(live.status).toBe(200);
    expect(live.headers.get('x-frame-options')).toBe('DENY');
    expect(live.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(live.headers.get('x-request-id')).toBeTruthy();
    // Plain HTTP from an untrusted peer: no HSTS.
    expect(live.headers.get('strict-transport-security')).toBeNull();
    const ready = await call(run.base, 'GET', '/readyz');
    expect(ready.status).toBe(200);
    expect(ready.json?.['data']).toMatchObject({ ready: true });
  });

  it('refuses writes without a token, with a Bearer challenge', async () => {
    const res = await call(run.base, 'POST', '/api/v1/orders', {
      body: { item: 'book', quantity: 1 },
      headers: { 'idempotency-key': 'k0' },
    });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="production-service"');
    expect(res.json?.['error']).toMatchObject({ code: 'UNAUTHORIZED' });
  });

  it('refuses bad credentials and answers login failures identically for unknown users', async () => {
    const wrong = await call(run.base, 'POST', '/api/v1/auth/token', { body: { username: 'admin', password: 'nope' } });
    const unknown = await call(run.base, 'POST', '/api/v1/auth/token', {
      body: { username: 'ghost', password: 'nope' },
    });
    const huge = await call(run.base, 'POST', '/api/v1/auth/token', {
      body: { username: 'admin', password: 'x'.repeat(5000) },
    });
    for (const res of [wrong, unknown, huge]) {
      expect(res.status).toBe(401);
      expect(res.json?.['error']).toMatchObject({ code: 'AUTH_LOGIN_FAILED', message: 'invalid username or password' });
    }
  });

  it('refuses tampered, alg-none and oversized tokens', async () => {
    const pair = await login(run.base);
    const [h, p, s] = pair.access_token.split('.') as [string, string, string];
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT', kid: 'x' })).toString('base64url')}.${p}.`;
    const tampered = `${h}.${Buffer.from(JSON.stringify({ identity: { sub: 'root' } })).toString('base64url')}.${s}`;
    // Over the 8 KiB segment cap but under Node's 16 KiB header limit, so the JWT check is what refuses it.
    const oversized = `${h}.${'A'.repeat(9000)}.${s}`;
    for (const token of [none, tampered, oversized, pair.refresh_token]) {
      const res = await call(run.base, 'POST', '/api/v1/orders', {
        token,
        body: { item: 'x', quantity: 1 },
        headers: { 'idempotency-key': 'k-bad' },
      });
      expect(res.status).toBe(401);
      expect(res.json?.['error']?.code).toBe('INVALID_TOKEN');
      expect(res.headers.get('www-authenticate')).toContain('error="invalid_token"');
    }
  });

  it('forbids a user without the orders:write permission', async () => {
    const viewer = await login(run.base, 'viewer', VIEWER_PASSWORD);
    const res = await call(run.base, 'POST', '/api/v1/orders', {
      token: viewer.access_token,
      body: { item: 'x', quantity: 1 },
      headers: { 'idempotency-key': 'k-viewer' },
    });
    expect(res.status).toBe(403);
    expect(res.json?.['error']?.code).toBe('FORBIDDEN');
  });

  it('creates an order once per Idempotency-Key, replays it, and rejects the key with another body', async () => {
    const { access_token: token } = await login(run.base);
    const first = await call(run.base, 'POST', '/api/v1/orders', {
      token,
      body: { item: 'lamp', quantity: 2 },
      headers: { 'idempotency-key': 'order-lamp-1' },
    });
    expect(first.status).toBe(201);
    const order = first.json?.['data'] as { id: string; owner: string };
    expect(order.owner).toBe('admin');
    expect(first.headers.get('location')).toBe(`/api/v1/orders/${order.id}`);
    const again = await call(run.base, 'POST', '/api/v1/orders', {
      token,
      body: { item: 'lamp', quantity: 2 },
      headers: { 'idempotency-key': 'order-lamp-1' },
    });
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect((again.json?.['data'] as { id: string }).id).toBe(order.id);
    const reused = await call(run.base, 'POST', '/api/v1/orders', {
      token,
      body: { item: 'lamp', quantity: 3 },
      headers: { 'idempotency-key': 'order-lamp-1' },
    });
    expect(reused.status).toBe(422);
    expect(reused.json?.['error']?.code).toBe('IDEMPOTENCY_KEY_REUSED');
    const missing = await call(run.base, 'POST', '/api/v1/orders', { token, body: { item: 'lamp', quantity: 2 } });
    expect(missing.status).toBe(400);
    const list = await call(run.base, 'GET', '/api/v1/orders');
    expect((list.json?.['data'] as Array<{ item: string }>).filter((o) => o.item === 'lamp')).toHaveLength(1);
    const got = await call(run.base, 'GET', `/api/v1/orders/${order.id}`);
    expect(got.json?.['data']).toMatchObject({ id: order.id, quantity: 2 });
  });

  it('validates order input and reports missing orders', async () => {
    const { access_token: token } = await login(run.base);
    const bad = await call(run.base, 'POST', '/api/v1/orders', {
      token,
      body: { item: '', quantity: 0 },
      headers: { 'idempotency-key': 'k-invalid' },
    });
    expect(bad.status).toBe(400);
    expect(bad.json?.['error']).toMatchObject({ code: 'ORDER_INVALID', details: { field: 'item' } });
    expect((await call(run.base, 'GET', '/api/v1/orders/nope')).json?.['error']?.code).toBe('ORDER_NOT_FOUND');
    expect((await call(run.base, 'GET', '/api/v1/orders?limit=1000')).status).toBe(400);
  });

  it('compresses large responses through the whole stack, timeout included', async () => {
    const { access_token: token } = await login(run.base);
    for (let i = 0; i < 12; i++) {
      const res = await call(run.base, 'POST', '/api/v1/orders', {
        token,
        body: { item: `bulk item ${i} with a longer name`, quantity: i + 1 },
        headers: { 'idempotency-key': `bulk-${i}` },
      });
      expect(res.status).toBe(201);
    }
    const raw = await fetch(`${run.base}/api/v1/orders?limit=100`, { headers: { 'accept-encoding': 'gzip' } });
    expect(raw.headers.get('content-encoding')).toBe('gzip');
    expect(raw.headers.get('vary')).toContain('Accept-Encoding');
    const body = (await raw.json()) as { data: unknown[]; meta: { total: number } };
    expect(body.data.length).toBe(body.meta.total);
    const small = await fetch(`${run.base}/healthz`, { headers: { 'accept-encoding': 'gzip' } });
    expect(small.headers.get('content-encoding')).toBeNull();
  });

  it('exchanges a refresh token for a new pair', async () => {
    const pair = await login(run.base);
    const res = await call(run.base, 'POST', '/api/v1/auth/refresh', { body: { refresh_token: pair.refresh_token } });
    expect(res.status).toBe(200);
    const bad = await call(run.base, 'POST', '/api/v1/auth/refresh', { body: { refresh_token: pair.access_token } });
    expect(bad.status).toBe(401);
  });

  it('guards /ops/metrics with the ops token', async () => {
    expect((await call(run.base, 'GET', '/ops/metrics')).status).toBe(401);
    const ok = await call(run.base, 'GET', '/ops/metrics', { token: 'ops-token-0123456789abcdef' });
    expect(ok.status).toBe(200);
    expect(ok.json?.['data']).toHaveProperty('totalRecords');
  });

  it('never writes a password or token into the logs', async () => {
    const pair = await login(run.base);
    await call(run.base, 'POST', '/api/v1/auth/token', {
      body: { username: 'admin', password: 'Wrong-but-secret-pw' },
    });
    await call(run.base, 'POST', '/api/v1/orders', {
      token: `${pair.access_token}x`,
      body: { item: 'x', quantity: 1 },
      headers: { 'idempotency-key': 'k-log' },
    });
    const all = run.logs.join('\n');
    expect(all).toContain('login failed');
    expect(all).toContain('authentication failed');
    for (const secret of [
      ADMIN_PASSWORD,
      'Wrong-but-secret-pw',
      pair.access_token,
      pair.refresh_token,
      pair.access_token.split('.')[2] as string,
      'ops-token-0123456789abcdef',
    ]) {
      expect(all).not.toContain(secret);
    }
  });
});

describe('production-service: limits and durability', () => {
  it('rate limits with X-RateLimit-* headers and a 429 envelope', async () => {
    // A frozen clock: no token refills between requests, however slow the machine is.
    const frozen = new Date(Date.UTC(2026, 0, 1));
    const run = await start(
      join(dataRoot, 'limited'),
      { APP_RATE_LIMIT_RPS: '1', APP_RATE_LIMIT_BURST: '3' },
      () => frozen,
    );
    try {
      const statuses: number[] = [];
      let last: Awaited<ReturnType<typeof call>> | undefined;
      for (let i = 0; i < 4; i++) {
        last = await call(run.base, 'GET', '/healthz');
        statuses.push(last.status);
      }
      expect(statuses).toEqual([200, 200, 200, 429]);
      expect(last?.headers.get('retry-after')).toBe('1');
      expect(last?.headers.get('x-ratelimit-limit')).toBe('3');
      expect(last?.headers.get('x-ratelimit-remaining')).toBe('0');
      expect(last?.json?.['error']).toMatchObject({ code: 'RATE_LIMITED' });
    } finally {
      await run.service.close();
    }
  });

  it('keeps signing keys, orders and idempotency records across a restart', async () => {
    const dir = join(dataRoot, 'restart');
    const first = await start(dir);
    const { access_token: token } = await login(first.base);
    const created = await call(first.base, 'POST', '/api/v1/orders', {
      token,
      body: { item: 'desk', quantity: 1 },
      headers: { 'idempotency-key': 'desk-1' },
    });
    await first.service.close();

    const second = await start(dir);
    try {
      const replay = await call(second.base, 'POST', '/api/v1/orders', {
        token,
        body: { item: 'desk', quantity: 1 },
        headers: { 'idempotency-key': 'desk-1' },
      });
      expect(replay.status).toBe(201);
      expect(replay.headers.get('idempotent-replayed')).toBe('true');
      expect((replay.json?.['data'] as { id: string }).id).toBe((created.json?.['data'] as { id: string }).id);
    } finally {
      await second.service.close();
    }
  });
});

describe('production-service: connections per address', () => {
  it('refuses connections over APP_MAX_CONNECTIONS_PER_IP with a 429 envelope', async () => {
    const run = await start(join(dataRoot, 'per-ip'), { APP_MAX_CONNECTIONS_PER_IP: '1' });
    const port = Number(new URL(run.base).port);
    const held = await new Promise<Socket>((resolve) => {
      const s = connect(port, '127.0.0.1', () => resolve(s));
    });
    try {
      const text = await new Promise<string>((resolve) => {
        let out = '';
        const s = connect(port, '127.0.0.1', () => s.end('GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n'));
        s.on('data', (c: Buffer) => (out += c.toString()));
        s.on('error', () => undefined);
        s.on('close', () => resolve(out));
      });
      expect(text).toMatch(/^HTTP\/1\.1 429 /);
      expect(JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4)).error.code).toBe('TOO_MANY_CONNECTIONS');
    } finally {
      held.destroy();
      await run.service.close();
    }
  });

  it('rejects a negative APP_MAX_CONNECTIONS_PER_IP', () => {
    expect(() => loadConfig({ APP_MAX_CONNECTIONS_PER_IP: '-1' })).toThrow(/APP_MAX_CONNECTIONS_PER_IP/);
  });
});

describe('production-service: crash between the order and its idempotency record', () => {
  it('answers a retry with the order already written instead of creating a second one', async () => {
    const dir = join(dataRoot, 'crash-window');
    const first = await start(dir);
    const { access_token: token } = await login(first.base);
    const body = { item: 'lamp', quantity: 2 };
    const created = await call(first.base, 'POST', '/api/v1/orders', {
      token,
      body,
      headers: { 'idempotency-key': 'lamp-1' },
    });
    expect(created.status).toBe(201);
    await first.service.close();
    // The crash: the order row is durable, its idempotency record never completed.
    const records = new SqliteDatabase({ path: join(dir, 'idempotency.sqlite') });
    await records.exec('DELETE FROM plumego_idempotency');
    await records.close();

    const second = await start(dir);
    try {
      const retry = await call(second.base, 'POST', '/api/v1/orders', {
        token,
        body,
        headers: { 'idempotency-key': 'lamp-1' },
      });
      expect(retry.status).toBe(201);
      expect(retry.json?.['data']).toEqual(created.json?.['data']);
      const other = await call(second.base, 'POST', '/api/v1/orders', {
        token,
        body,
        headers: { 'idempotency-key': 'lamp-2' },
      });
      expect((other.json?.['data'] as { id: string }).id).not.toBe((created.json?.['data'] as { id: string }).id);
      const list = await call(second.base, 'GET', '/api/v1/orders');
      expect(list.json?.['meta']).toMatchObject({ total: 2 });
      expect(list.json?.['data'][0]).not.toHaveProperty('request_key');
    } finally {
      await second.service.close();
    }
  });
});

describe('production-service: config', () => {
  it('rejects bad settings naming the variable, never the value', () => {
    expect(() => loadConfig({ APP_OPS_TOKEN: 'short-secret' })).toThrow(ConfigError);
    try {
      loadConfig({ APP_OPS_TOKEN: 'short-secret' });
    } catch (err) {
      expect((err as Error).message).toContain('APP_OPS_TOKEN');
      expect((err as Error).message).not.toContain('short-secret');
    }
    expect(() => loadConfig({ APP_JWT_ALGORITHM: 'none' })).toThrow(/APP_JWT_ALGORITHM/);
    expect(() => loadConfig({ APP_USERS: '{"not":"an array"}' })).toThrow(/APP_USERS/);
  });
});
