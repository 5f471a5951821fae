import BetterSqlite3 from 'better-sqlite3';
import { StoreError } from '../errors.ts';
import type { Database, DbExecutor, ExecResult, SqlParams } from './db.ts';

export interface SqliteDatabaseOptions {
  /** Database file, or `':memory:'`. Required. */
  path: string;
  /** Open read-only. Default: false. */
  readonly?: boolean;
  /** Milliseconds to wait on a lock held by another connection. Default: 5000. */
  busyTimeoutMs?: number;
}

function bind(params: SqlParams | undefined): unknown[] {
  if (params === undefined) return [];
  return Array.isArray(params) ? [...params] : [params];
}

/**
 * The embedded adapter over better-sqlite3 (synchronous, so each call runs to completion on the
 * event loop). Transactions are serialised with a promise queue: while one is open, other
 * statements on this database wait for it, because SQLite has one connection here and an `await`
 * inside the transaction would otherwise let unrelated statements join it.
 */
export class SqliteDatabase implements Database {
  readonly #db: BetterSqlite3.Database;
  #queue: Promise<unknown> = Promise.resolve();
  #inTransaction = false;
  #closed = false;
  readonly #direct: DbExecutor;

  constructor(options: SqliteDatabaseOptions) {
    if (typeof options?.path !== 'string' || options.path === '') throw new TypeError('path is required');
    this.#db = new BetterSqlite3(options.path, { readonly: options.readonly ?? false });
    this.#db.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000))}`);
    if (!(options.readonly ?? false) && options.path !== ':memory:') this.#db.pragma('journal_mode = WAL');
    this.#direct = this.#executor();
  }

  #run<T>(fn: () => T): T {
    if (this.#closed) throw new StoreError('PLUMEGO_ERR_DB_CLOSED');
    try {
      return fn();
    } catch (err) {
      if (err instanceof StoreError) throw err;
      throw new StoreError('PLUMEGO_ERR_DB_QUERY', { cause: err });
    }
  }

  /** Waits for any open transaction, then runs `fn`. */
  #enqueue<T>(fn: () => T | Promise<T>): Promise<T> {
    const result = this.#queue.then(fn);
    this.#queue = result.catch(() => undefined);
    return result;
  }

  #executor(): DbExecutor {
    const db = this.#db;
    const executor: DbExecutor = {
      query: async <T>(sql: string, params?: SqlParams) => this.#run(() => db.prepare(sql).all(...bind(params)) as T[]),
      queryOne: async <T>(sql: string, params?: SqlParams) =>
        this.#run(() => db.prepare(sql).get(...bind(params)) as T | undefined),
      queryOneStrict: async <T>(sql: string, params?: SqlParams) => {
        const row = await executor.queryOne<T>(sql, params);
        if (row === undefined) throw new StoreError('PLUMEGO_ERR_DB_NO_ROWS');
        return row;
      },
      exec: async (sql: string, params?: SqlParams): Promise<ExecResult> =>
        this.#run(() => {
          const info = db.prepare(sql).run(...bind(params));
          return { changes: info.changes, lastInsertId: info.lastInsertRowid };
        }),
    };
    return executor;
  }

  query<T = Record<string, unknown>>(sql: string, params?: SqlParams): Promise<T[]> {
    return this.#enqueue(() => this.#direct.query<T>(sql, params));
  }
  queryOne<T = Record<string, unknown>>(sql: string, params?: SqlParams): Promise<T | undefined> {
    return this.#enqueue(() => this.#direct.queryOne<T>(sql, params));
  }
  queryOneStrict<T = Record<string, unknown>>(sql: string, params?: SqlParams): Promise<T> {
    return this.#enqueue(() => this.#direct.queryOneStrict<T>(sql, params));
  }
  exec(sql: string, params?: SqlParams): Promise<ExecResult> {
    return this.#enqueue(() => this.#direct.exec(sql, params));
  }

  transaction<T>(fn: (tx: DbExecutor) => Promise<T>): Promise<T> {
    if (this.#inTransaction) return Promise.reject(new StoreError('PLUMEGO_ERR_DB_NESTED_TRANSACTION'));
    return this.#enqueue(async () => {
      this.#run(() => this.#db.exec('BEGIN IMMEDIATE'));
      this.#inTransaction = true;
      try {
        const result = await fn(this.#direct);
        this.#run(() => this.#db.exec('COMMIT'));
        return result;
      } catch (err) {
        if (this.#db.inTransaction) this.#db.exec('ROLLBACK');
        throw err;
      } finally {
        this.#inTransaction = false;
      }
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    await this.#queue;
    this.#closed = true;
    this.#db.close();
  }
}
