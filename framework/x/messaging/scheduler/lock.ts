import type { Redis } from 'ioredis';
import type { Pool } from 'pg';

/** Decides which replica runs an occurrence: the first to claim its key. */
export interface RunLock {
  /** True for exactly one caller per key until `ttlMs` passes. */
  claim(key: string, ttlMs: number): Promise<boolean>;
}

/**
 * Redis `SET key NX PX ttl`: one replica wins each occurrence key. The key is per occurrence
 * (`<job>:<scheduled time>`), so a slow winner never blocks the next occurrence, and the TTL only
 * has to outlast clock skew between replicas.
 */
export class RedisRunLock implements RunLock {
  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'plumego:scheduler',
  ) {}

  async claim(key: string, ttlMs: number): Promise<boolean> {
    return (await this.redis.set(`${this.prefix}:${key}`, '1', 'PX', ttlMs, 'NX')) === 'OK';
  }
}

/**
 * PostgreSQL: one row per occurrence key in `plumego_scheduler_runs`; the INSERT that creates it (or
 * takes over an expired one) wins. A transaction-scoped advisory lock on the key serialises the rare
 * race of two replicas taking over the same expired row.
 */
export class PostgresRunLock implements RunLock {
  private ready: Promise<void> | undefined;

  constructor(
    private readonly pool: Pool,
    private readonly table = 'plumego_scheduler_runs',
  ) {
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(table)) throw new TypeError('table must be a lower-case SQL identifier');
  }

  private ensureTable(): Promise<void> {
    this.ready ??= this.pool
      .query(`CREATE TABLE IF NOT EXISTS ${this.table} (key TEXT PRIMARY KEY, expires_at TIMESTAMPTZ NOT NULL)`)
      .then(() => undefined);
    return this.ready;
  }

  async claim(key: string, ttlMs: number): Promise<boolean> {
    await this.ensureTable();
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [key]);
      const r = await client.query(
        `INSERT INTO ${this.table} (key, expires_at) VALUES ($1, now() + make_interval(secs => $2::double precision / 1000))
         ON CONFLICT (key) DO UPDATE SET expires_at = EXCLUDED.expires_at WHERE ${this.table}.expires_at < now()
         RETURNING key`,
        [key, ttlMs],
      );
      await client.query('COMMIT');
      return r.rowCount === 1;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  }

  /** Deletes expired occurrence rows; call it now and then (e.g. from a daily job). */
  async prune(): Promise<number> {
    await this.ensureTable();
    return (await this.pool.query(`DELETE FROM ${this.table} WHERE expires_at < now()`)).rowCount ?? 0;
  }
}
