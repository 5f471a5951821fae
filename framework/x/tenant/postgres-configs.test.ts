import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { isTenantError } from './errors.ts';
import { PostgresTenantConfigs } from './postgres-configs.ts';

const services = inject('services');

describe('PostgresTenantConfigs options', () => {
  it('refuses identifiers that would be spliced into SQL and a missing pool', () => {
    const pool = {
      query: async () => ({ rows: [] }),
      connect: async () => {
        throw new Error('no');
      },
    };
    expect(() => new PostgresTenantConfigs({ pool, table: 'x; drop table y' })).toThrow(/table/);
    expect(() => new PostgresTenantConfigs({ pool, channel: 'Bad-Channel' })).toThrow(/channel/);
    expect(() => new PostgresTenantConfigs({ pool: {} as never })).toThrow(/pool/);
  });

  it('reports a failing database as TENANT_STATE_UNAVAILABLE without the driver message', async () => {
    const pool = {
      query: async () => {
        throw new Error('connect ECONNREFUSED postgres://admin:s3cret@db');
      },
      connect: async () => {
        throw new Error('x');
      },
    };
    const err = await new PostgresTenantConfigs({ pool }).get('acme').catch((e: unknown) => e);
    expect(isTenantError(err) && err.code).toBe('TENANT_STATE_UNAVAILABLE');
    expect((err as Error).message).not.toContain('s3cret');
  });
});

describe.skipIf(!services.postgres)('PostgresTenantConfigs on PostgreSQL', () => {
  const table = `tenant_cfg_${randomUUID().replaceAll('-', '')}`;
  const channel = `${table}_ch`;
  let pool: pg.Pool;
  let a: PostgresTenantConfigs;
  let b: PostgresTenantConfigs;

  beforeAll(async () => {
    pool = new pg.Pool({ connectionString: services.postgres!, max: 4 });
    a = new PostgresTenantConfigs({ pool, table, channel, cacheTtlMs: 60_000 });
    b = new PostgresTenantConfigs({ pool, table, channel, cacheTtlMs: 60_000 });
    await a.ensureSchema();
    await a.start();
    await b.start();
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await pool?.query(`drop table if exists ${table}`);
    await pool?.end();
  });

  it('stores and validates configs, and answers undefined for an unknown tenant', async () => {
    await a.set({ id: 'acme', quota: { limit: 5, windowMs: 1000 } });
    expect(await b.get('acme')).toEqual({ id: 'acme', quota: { limit: 5, windowMs: 1000 } });
    expect(await b.get('nobody')).toBeUndefined();
    await expect(a.set({ id: 'bad', quota: { limit: -1, windowMs: 1000 } })).rejects.toThrow(/quota.limit/);
  });

  it("invalidates every instance's cache through NOTIFY", async () => {
    await a.set({ id: 'beta', policy: { methods: ['GET'] } });
    expect((await b.get('beta'))?.policy?.methods).toEqual(['GET']);
    const changed = new Promise<string>((resolve) => {
      const off = b.onChange((id) => {
        off();
        resolve(id);
      });
    });
    await a.set({ id: 'beta', policy: { methods: ['GET', 'POST'] } });
    expect(await changed).toBe('beta');
    expect((await b.get('beta'))?.policy?.methods).toEqual(['GET', 'POST']);
    const gone = new Promise<string>((resolve) => {
      const off = b.onChange((id) => {
        off();
        resolve(id);
      });
    });
    expect(await a.delete('beta')).toBe(true);
    await gone;
    expect(await b.get('beta')).toBeUndefined();
  });

  it('treats a row edited into an invalid config as no tenant (closed)', async () => {
    await pool.query(`insert into ${table} (id, config) values ('hand', '{"id":"hand","quota":{"limit":"lots"}}')`);
    expect(await a.get('hand')).toBeUndefined();
  });

  it('bypasses the cache once its listening connection is killed', async () => {
    const c = new PostgresTenantConfigs({ pool, table, channel: `${channel}_c`, cacheTtlMs: 60_000 });
    await c.start();
    try {
      await a.set({ id: 'gamma', quota: { limit: 1, windowMs: 1000 } });
      expect((await c.get('gamma'))?.quota?.limit).toBe(1);
      await pool.query(`select pg_terminate_backend(pid) from pg_stat_activity where query = 'listen ${channel}_c'`);
      // Written directly (no NOTIFY reaches c): once c has lost its listener it must read again.
      await pool.query(
        `update ${table} set config = '{"id":"gamma","quota":{"limit":2,"windowMs":1000}}' where id = 'gamma'`,
      );
      let limit: number | undefined;
      for (let i = 0; i < 50 && limit !== 2; i++) {
        limit = (await c.get('gamma'))?.quota?.limit;
        if (limit !== 2) await new Promise((r) => setTimeout(r, 20));
      }
      expect(limit).toBe(2);
    } finally {
      await c.close();
    }
  });
});
