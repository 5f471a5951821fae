import { join } from 'node:path';
import { Redis } from 'ioredis';
import { SqliteDatabase, SqliteIdempotencyStore, type Database, type IdempotencyStore } from 'plumego/store';
import { RedisIdempotencyStore, PgIdempotencyStore } from 'plumego/x/data/idempotency';
import { PgDatabase } from 'plumego/x/data/sql';
import type { ProductionConfig } from '../config.ts';

export interface ServiceStores {
  db: Database;
  idempotency: IdempotencyStore;
  /** Readiness probe of the idempotency backend. */
  pingIdempotency(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The service's storage, chosen by configuration alone: SQLite files under `dataDir` by default;
 * `APP_DATABASE_URL` moves orders and idempotency records to PostgreSQL, `APP_REDIS_URL` moves the
 * idempotency records to Redis. The code using them sees only store's contracts either way.
 */
export async function openStores(config: ProductionConfig): Promise<ServiceStores> {
  const closers: Array<() => Promise<unknown> | unknown> = [];
  let db: Database;
  let pg: PgDatabase | undefined;
  if (config.databaseUrl === '') {
    db = new SqliteDatabase({ path: join(config.dataDir, 'orders.sqlite') });
  } else {
    pg = new PgDatabase({ connectionString: config.databaseUrl });
    db = pg;
  }
  closers.push(() => db.close());
  let idempotency: IdempotencyStore;
  let pingIdempotency: () => Promise<void>;
  if (config.redisUrl !== '') {
    const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 2 });
    idempotency = new RedisIdempotencyStore({ redis, prefix: config.redisKeyPrefix });
    pingIdempotency = async () => {
      await redis.ping();
    };
    closers.push(() => redis.quit().catch(() => redis.disconnect()));
  } else if (pg !== undefined) {
    const store = new PgIdempotencyStore({ client: pg.client });
    await store.ensureSchema();
    idempotency = store;
    pingIdempotency = async () => {
      await pg.client.query('SELECT 1');
    };
  } else {
    const store = new SqliteIdempotencyStore({ path: join(config.dataDir, 'idempotency.sqlite') });
    idempotency = store;
    pingIdempotency = async () => {
      await store.get('readiness-probe');
    };
    closers.push(() => store.close());
  }
  return {
    db,
    idempotency,
    pingIdempotency,
    close: async () => {
      for (const close of closers.reverse()) await close();
    },
  };
}
