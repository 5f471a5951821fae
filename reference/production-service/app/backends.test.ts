import { describe, it, expect, beforeAll, afterAll, inject } from 'vitest';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { hashPassword } from 'plumego/security';
import { SqlClient } from 'plumego/x/data/sql';
import { ConfigError, loadConfig, type ProductionConfig } from '../config.ts';
import { createProductionService, type ProductionService } from './service.ts';

// The same service on PostgreSQL (and Redis), chosen by environment variables only; two instances
// share the backends as two processes behind a load balancer would.
const { postgres, redis } = inject('services');
const FAST_HASH = { scryptLogN: 14 } as const;
const PASSWORD = 'Adm1n-password-for-backend-tests';
const suffix = randomBytes(4).toString('hex');
const dataRoot = mkdtempSync(join(tmpdir(), 'plumego-prod-backends-'));
let users: ProductionConfig['users'];

afterAll(() => rmSync(dataRoot, { recursive: true, force: true }));
beforeAll(async () => {
  users = [
    {
      username: 'admin',
      passwordHash: await hashPassword(PASSWORD, FAST_HASH),
      roles: ['admin'],
      permissions: ['orders:write', 'orders:read'],
    },
  ];
});

function withSchema(url: string, schema: string): string {
  const u = new URL(url);
  u.searchParams.set('options', `-c search_path=${schema}`);
  return u.toString();
}

async function start(env: Record<string, string>): Promise<{ service: ProductionService; base: string }> {
  const config = loadConfig({ APP_RATE_LIMIT_RPS: '1000', APP_RATE_LIMIT_BURST: '1000', ...env });
  config.users = users;
  const service = await createProductionService(config, { passwordHashOptions: FAST_HASH });
  const addr = await service.app.listen(0, '127.0.0.1');
  return { service, base: `http://127.0.0.1:${addr.port}` };
}

async function call(
  base: string,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; key?: string } = {},
) {
  const headers: Record<string, string> = {};
  if (options.token !== undefined) headers['authorization'] = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (options.key !== undefined) headers['idempotency-key'] = options.key;
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

const setups = [
  { name: 'PostgreSQL', needsRedis: false },
  { name: 'PostgreSQL and Redis', needsRedis: true },
];

for (const setup of setups) {
  describe.skipIf(!postgres || (setup.needsRedis && !redis))(`production-service on ${setup.name}`, () => {
    const schema = `prod_service_${suffix}_${setup.needsRedis ? 'redis' : 'pg'}`;
    const prefix = `plumego-test:prod:${suffix}:`;
    const dataDir = join(dataRoot, setup.needsRedis ? 'redis' : 'pg');
    let admin: SqlClient;
    let a: { service: ProductionService; base: string };
    let b: { service: ProductionService; base: string };

    beforeAll(async () => {
      admin = new SqlClient({ connectionString: postgres as string });
      await admin.exec(`CREATE SCHEMA ${schema}`);
      const env: Record<string, string> = {
        APP_DATA_DIR: dataDir,
        APP_DATABASE_URL: withSchema(postgres as string, schema),
      };
      if (setup.needsRedis) Object.assign(env, { APP_REDIS_URL: redis as string, APP_REDIS_KEY_PREFIX: prefix });
      a = await start(env);
      b = await start(env);
    });
    afterAll(async () => {
      await a?.service.close();
      await b?.service.close();
      await admin.exec(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await admin.close();
      if (setup.needsRedis) {
        const r = new Redis(redis as string);
        const keys = await r.keys(`${prefix}*`);
        if (keys.length > 0) await r.del(...keys);
        await r.quit();
      }
    });

    it('is ready, keeps orders in the database and not in SQLite files', async () => {
      const ready = await call(a.base, 'GET', '/readyz');
      expect(ready.status).toBe(200);
      expect(existsSync(join(dataDir, 'orders.sqlite'))).toBe(false);
      expect(existsSync(join(dataDir, 'idempotency.sqlite'))).toBe(false);
      expect(
        await admin.queryOne(
          `SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = $1 AND table_name IN ('orders', 'plumego_idempotency')`,
          [schema],
        ),
      ).toEqual({ n: setup.needsRedis ? 1 : 2 });
    });

    it('creates an order once per key and replays it from either instance', async () => {
      const token = (
        await call(a.base, 'POST', '/api/v1/auth/token', { body: { username: 'admin', password: PASSWORD } })
      ).json?.['data']?.access_token as string;
      const first = await call(a.base, 'POST', '/api/v1/orders', {
        token,
        body: { item: 'lamp', quantity: 2 },
        key: 'order-lamp-1',
      });
      expect(first.status).toBe(201);
      const id = (first.json?.['data'] as { id: string }).id;
      const fromB = await call(b.base, 'POST', '/api/v1/orders', {
        token,
        body: { item: 'lamp', quantity: 2 },
        key: 'order-lamp-1',
      });
      expect(fromB.status).toBe(201);
      expect(fromB.headers.get('idempotent-replayed')).toBe('true');
      expect((fromB.json?.['data'] as { id: string }).id).toBe(id);
      const reused = await call(b.base, 'POST', '/api/v1/orders', {
        token,
        body: { item: 'lamp', quantity: 3 },
        key: 'order-lamp-1',
      });
      expect(reused.json?.['error']?.code).toBe('IDEMPOTENCY_KEY_REUSED');
      const list = await call(b.base, 'GET', '/api/v1/orders');
      expect(list.json?.['meta']).toMatchObject({ total: 1 });
      expect((await call(a.base, 'GET', `/api/v1/orders/${id}`)).json?.['data']).toMatchObject({ id, quantity: 2 });
    });

    it('lets only one of two instances create the order for a key sent to both at once', async () => {
      const token = (
        await call(a.base, 'POST', '/api/v1/auth/token', { body: { username: 'admin', password: PASSWORD } })
      ).json?.['data']?.access_token as string;
      const results = await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          call(i % 2 === 0 ? a.base : b.base, 'POST', '/api/v1/orders', {
            token,
            body: { item: 'race', quantity: 1 },
            key: 'race-key',
          }),
        ),
      );
      expect(results.every((r) => r.status === 201 || r.status === 409)).toBe(true);
      const created = new Set(
        results.filter((r) => r.status === 201).map((r) => (r.json?.['data'] as { id: string }).id),
      );
      expect(created.size).toBe(1);
      const rows = await admin.queryOne<{ n: number }>(
        `SELECT count(*)::int AS n FROM ${schema}.orders WHERE item = 'race'`,
      );
      expect(rows).toEqual({ n: 1 });
    });
  });
}

describe('production-service backend configuration', () => {
  it('refuses URLs of the wrong kind without echoing them', () => {
    for (const [name, value] of [
      ['APP_DATABASE_URL', 'mysql://app:s3cret@db/app'],
      ['APP_REDIS_URL', 'http://user:s3cret@cache'],
    ] as const) {
      let error: unknown;
      try {
        loadConfig({ [name]: value });
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).variable).toBe(name);
      expect((error as Error).message).not.toContain('s3cret');
    }
    expect(loadConfig({})).toMatchObject({ databaseUrl: '', redisUrl: '' });
  });
});
