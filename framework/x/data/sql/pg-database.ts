import { StoreError, type Database, type DbExecutor, type ExecResult, type SqlParams } from 'plumego/store';
import { isDataError } from 'plumego/x/data';
import { toNumberedStatement } from './placeholders.ts';
import { SqlClient, type SqlExecutor, type TransactionOptions } from './sql-client.ts';
import type { SqlClientOptions } from './options.ts';

export interface PgDatabaseOptions extends SqlClientOptions {
  /** An existing client to share (its pool, hooks and limits); `close()` then leaves it open. */
  client?: SqlClient;
  /** Options for every `transaction()` (isolation, retries, statement timeout). Default: none. */
  transaction?: TransactionOptions;
}

/**
 * Maps to store's codes, which code written against the `Database` contract already handles: the
 * data family's precise code travels as `reason` (for example `PLUMEGO_ERR_DATA_STATEMENT_TIMEOUT`)
 * and the `DataError` as `cause`.
 */
function toStoreError(err: unknown): unknown {
  if (!isDataError(err)) return err;
  if (err.code === 'PLUMEGO_ERR_DATA_CLOSED') return new StoreError('PLUMEGO_ERR_DB_CLOSED', { cause: err });
  if (err.code === 'PLUMEGO_ERR_DATA_NESTED_TRANSACTION')
    return new StoreError('PLUMEGO_ERR_DB_NESTED_TRANSACTION', { cause: err });
  return new StoreError('PLUMEGO_ERR_DB_QUERY', { reason: err.code, cause: err });
}

function wrap<T>(run: () => Promise<T>): Promise<T> {
  return run().catch((err: unknown) => {
    throw toStoreError(err);
  });
}

function adapt(executor: SqlExecutor): DbExecutor {
  const run = async <T>(sql: string, params: SqlParams | undefined): Promise<T[]> => {
    const s = toNumberedStatement(sql, params);
    return executor.query<T>(s.text, s.values);
  };
  const adapted: DbExecutor = {
    query: <T>(sql: string, params?: SqlParams) => wrap(() => run<T>(sql, params)),
    queryOne: <T>(sql: string, params?: SqlParams) => wrap(async () => (await run<T>(sql, params))[0]),
    queryOneStrict: <T>(sql: string, params?: SqlParams) =>
      wrap(async () => {
        const row = (await run<T>(sql, params))[0];
        if (row === undefined) throw new StoreError('PLUMEGO_ERR_DB_NO_ROWS');
        return row;
      }),
    exec: (sql: string, params?: SqlParams) =>
      wrap(async (): Promise<ExecResult> => {
        const s = toNumberedStatement(sql, params);
        // PostgreSQL has no last-insert id; use `INSERT … RETURNING id` with `query` instead.
        return { changes: await executor.exec(s.text, s.values), lastInsertId: undefined };
      }),
  };
  return adapted;
}

/**
 * store's `Database` contract on PostgreSQL: the same `?` / `@name` statements as `SqliteDatabase`,
 * run through a `SqlClient` pool. Transactions hold one connection; statements outside run on
 * other connections and never see its uncommitted writes.
 */
export class PgDatabase implements Database {
  readonly #client: SqlClient;
  readonly #ownsClient: boolean;
  readonly #direct: DbExecutor;
  readonly #tx: TransactionOptions;
  #closed = false;

  constructor(options: PgDatabaseOptions) {
    const { client, transaction, ...rest } = options;
    // int8 as numbers, as SQLite returns them, so `count(*)` reads the same on both.
    this.#client = client ?? new SqlClient({ int8As: 'number', ...rest });
    this.#ownsClient = client === undefined;
    this.#tx = transaction ?? {};
    this.#direct = adapt(this.#client);
  }

  /** The `SqlClient` underneath, for `$n` statements, per-call signals and pool stats. */
  get client(): SqlClient {
    return this.#client;
  }

  #guard(): void {
    if (this.#closed) throw new StoreError('PLUMEGO_ERR_DB_CLOSED');
  }

  async query<T = Record<string, unknown>>(sql: string, params?: SqlParams): Promise<T[]> {
    this.#guard();
    return this.#direct.query<T>(sql, params);
  }
  async queryOne<T = Record<string, unknown>>(sql: string, params?: SqlParams): Promise<T | undefined> {
    this.#guard();
    return this.#direct.queryOne<T>(sql, params);
  }
  async queryOneStrict<T = Record<string, unknown>>(sql: string, params?: SqlParams): Promise<T> {
    this.#guard();
    return this.#direct.queryOneStrict<T>(sql, params);
  }
  async exec(sql: string, params?: SqlParams): Promise<ExecResult> {
    this.#guard();
    return this.#direct.exec(sql, params);
  }

  async transaction<T>(fn: (tx: DbExecutor) => Promise<T>): Promise<T> {
    this.#guard();
    return this.#client
      .transaction((tx) => fn(adapt(tx)), this.#tx)
      .catch((err: unknown) => {
        throw toStoreError(err);
      });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#ownsClient) await this.#client.close();
  }
}
