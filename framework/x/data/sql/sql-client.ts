import { AsyncLocalStorage } from 'node:async_hooks';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import type { Pool, PoolClient, PoolConfig, QueryResult } from 'pg';
import { DataError } from 'plumego/x/data';
import { RETRYABLE_STATES, isBrokenConnection, toDataError, type CancelReason } from './classify.ts';
import {
  resolveSqlClientOptions,
  type IsolationLevel,
  type QueryEvent,
  type ResolvedSqlClientOptions,
  type SqlClientOptions,
} from './options.ts';

/** Per-call controls. */
export interface QueryOptions {
  /** Cancels the statement on the server (`pg_cancel_backend`); rejects with `DATA_ABORTED`. */
  signal?: AbortSignal;
  /** Cancels the statement after this many ms; rejects with `DATA_STATEMENT_TIMEOUT`. */
  timeoutMs?: number;
  /** A label for `onQuery` / `onSlowQuery` (metrics). */
  name?: string;
}

/** Runs statements with `$1`-style parameters. A client and a transaction handle are both executors. */
export interface SqlExecutor {
  query<T = Record<string, unknown>>(sql: string, params?: readonly unknown[], options?: QueryOptions): Promise<T[]>;
  /** The first row, or undefined. */
  queryOne<T = Record<string, unknown>>(
    sql: string,
    params?: readonly unknown[],
    options?: QueryOptions,
  ): Promise<T | undefined>;
  /** Rows changed (or returned). */
  exec(sql: string, params?: readonly unknown[], options?: QueryOptions): Promise<number>;
}

export interface TransactionOptions {
  /** Default: the server's (read committed). */
  isolation?: IsolationLevel;
  readOnly?: boolean;
  /** Re-runs after a serialization failure or deadlock. Default: the client's `transactionRetries`. */
  retries?: number;
  /** Cancels the running statement and rolls back. */
  signal?: AbortSignal;
  /** `SET LOCAL statement_timeout` for every statement of the transaction, ms. */
  statementTimeoutMs?: number;
}

export interface SqlPoolStats {
  total: number;
  idle: number;
  waiting: number;
}

/** How long a cancelled statement may take to stop before its connection is dropped instead. */
const CANCEL_GRACE_MS = 2000;
const noop = (): void => {};
const INT8_OID = 20;

/** int8 text as a number when it is a safe integer, else as a bigint (never a rounded number). */
function parseInt8(text: string): number | bigint {
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : BigInt(text);
}

type TypeParsers = NonNullable<PoolConfig['types']>;
/** pg's own parsers, except int8 (`count(*)`, `bigint` columns) through `parseInt8`. */
const INT8_AS_NUMBER: TypeParsers = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID && format !== 'binary'
      ? parseInt8
      : pg.types.getTypeParser(oid, format)) as TypeParsers['getTypeParser'],
};

/**
 * A thin typed layer over a `pg` pool: parameterised statements, transactions that retry on
 * serialization failures, server-side cancellation by timeout or `AbortSignal`, query metrics and a
 * slow-query hook. Every failure is a `DataError` whose message and cause carry no SQL parameters,
 * hosts or credentials.
 */
export class SqlClient implements SqlExecutor {
  readonly #o: ResolvedSqlClientOptions;
  readonly #pool: Pool;
  readonly #ownsPool: boolean;
  readonly #observed: boolean;
  readonly #inTransaction = new AsyncLocalStorage<true>();
  #closed = false;

  constructor(options: SqlClientOptions) {
    this.#o = resolveSqlClientOptions(options);
    this.#observed = this.#o.onQuery !== undefined || this.#o.onSlowQuery !== undefined;
    if (this.#o.pool !== undefined) {
      this.#pool = this.#o.pool;
      this.#ownsPool = false;
    } else {
      this.#pool = new pg.Pool(this.#poolConfig());
      this.#ownsPool = true;
    }
    // An idle connection killed by the server emits 'error' on the pool; unhandled, it would end the process.
    this.#pool.on('error', (err) => this.#o.onConnectionError?.(toDataError(err)));
  }

  #poolConfig(): PoolConfig {
    const o = this.#o;
    const config: PoolConfig = {
      connectionString: o.connectionString as string,
      max: o.maxConnections,
      connectionTimeoutMillis: o.connectionTimeoutMs,
      idleTimeoutMillis: o.idleTimeoutMs,
      application_name: o.applicationName,
    };
    if (o.statementTimeoutMs > 0) config.statement_timeout = o.statementTimeoutMs;
    if (o.searchPath !== undefined) config.options = `-c search_path=${o.searchPath}`;
    if (o.int8As === 'number') config.types = INT8_AS_NUMBER;
    return config;
  }

  /** The underlying pool, for libraries that take one (a query builder, say). */
  get pool(): Pool {
    return this.#pool;
  }

  getPoolStats(): SqlPoolStats {
    return { total: this.#pool.totalCount, idle: this.#pool.idleCount, waiting: this.#pool.waitingCount };
  }

  #assertOpen(): void {
    if (this.#closed) throw new DataError('PLUMEGO_ERR_DATA_CLOSED');
  }

  #emit(
    sql: string,
    options: QueryOptions | undefined,
    started: number,
    rowCount: number,
    error: DataError | undefined,
    inTransaction: boolean,
  ): void {
    const durationMs = performance.now() - started;
    const event: QueryEvent = {
      sql,
      name: options?.name,
      durationMs,
      rowCount,
      ok: error === undefined,
      errorCode: error?.code,
      inTransaction,
    };
    try {
      this.#o.onQuery?.(event);
      if (durationMs >= this.#o.slowQueryMs) this.#o.onSlowQuery?.(event);
    } catch {
      // Observers must not turn a successful query into a failure.
    }
  }

  #toConnectError(err: unknown): DataError {
    // pg-pool's own wording when every connection stayed busy for connectionTimeoutMillis.
    if (err instanceof Error && err.message === 'timeout exceeded when trying to connect')
      return new DataError('PLUMEGO_ERR_DATA_POOL_EXHAUSTED');
    const mapped = toDataError(err);
    return mapped.code === 'PLUMEGO_ERR_DATA_QUERY'
      ? new DataError('PLUMEGO_ERR_DATA_CONNECTION_LOST', { cause: mapped.cause })
      : mapped;
  }

  /** Checks out a connection; an abort while waiting rejects at once and returns the late connection. */
  async #acquire(signal: AbortSignal | undefined): Promise<PoolClient> {
    if (signal?.aborted) throw new DataError('PLUMEGO_ERR_DATA_ABORTED');
    const connecting = this.#pool.connect();
    let client: PoolClient;
    try {
      if (signal === undefined) client = await connecting;
      else {
        let onAbort = noop;
        const aborted = new Promise<never>((_, reject) => {
          onAbort = () => reject(new DataError('PLUMEGO_ERR_DATA_ABORTED'));
          signal.addEventListener('abort', onAbort, { once: true });
        });
        try {
          client = await Promise.race([connecting, aborted]);
        } finally {
          signal.removeEventListener('abort', onAbort);
        }
      }
    } catch (err) {
      connecting.then((late) => late.release(), noop);
      throw err instanceof DataError ? err : this.#toConnectError(err);
    }
    // A checked-out connection that the server kills between statements emits 'error'; keep it from crashing the process.
    client.on('error', noop);
    return client;
  }

  #release(client: PoolClient, broken: boolean): void {
    client.removeListener('error', noop);
    client.release(broken);
  }

  /** Asks the server to cancel whatever `client` runs, over a separate short-lived connection. */
  async #cancelBackend(client: PoolClient): Promise<void> {
    const pid = (client as unknown as { processID?: unknown }).processID;
    if (typeof pid !== 'number') return;
    const canceller = new pg.Client({
      ...this.#pool.options,
      connectionTimeoutMillis: this.#o.connectionTimeoutMs,
      statement_timeout: 0,
    } as pg.ClientConfig);
    canceller.on('error', noop);
    try {
      await canceller.connect();
      await canceller.query('SELECT pg_cancel_backend($1)', [pid]);
    } finally {
      await canceller.end().catch(noop);
    }
  }

  /** Runs one statement on `client`, cancelling it on the server when `signal` fires or `timeoutMs` passes. */
  async #runCancellable(
    client: PoolClient,
    sql: string,
    params: readonly unknown[] | undefined,
    signal: AbortSignal | undefined,
    timeoutMs: number | undefined,
  ): Promise<QueryResult> {
    if (signal === undefined && timeoutMs === undefined) {
      return client.query({ text: sql, values: params as unknown[] }).catch((err: unknown) => {
        throw toDataError(err);
      });
    }
    let reason: CancelReason;
    let cancelling: Promise<void> | undefined;
    let giveUp = noop;
    const hard = new Promise<never>((_, reject) => {
      giveUp = () =>
        reject(
          new DataError(reason === 'abort' ? 'PLUMEGO_ERR_DATA_ABORTED' : 'PLUMEGO_ERR_DATA_STATEMENT_TIMEOUT', {
            reason: 'connection_dropped',
          }),
        );
    });
    let graceTimer: NodeJS.Timeout | undefined;
    const trigger = (why: Exclude<CancelReason, undefined>): void => {
      if (reason !== undefined) return;
      reason = why;
      cancelling = this.#cancelBackend(client).catch(noop);
      // A server that does not answer the cancel (network cut) would hold the caller forever.
      graceTimer = setTimeout(giveUp, CANCEL_GRACE_MS);
    };
    const timer =
      timeoutMs !== undefined && timeoutMs > 0 ? setTimeout(() => trigger('timeout'), timeoutMs) : undefined;
    const onAbort = (): void => trigger('abort');
    if (signal?.aborted) trigger('abort');
    else signal?.addEventListener('abort', onAbort, { once: true });
    const running = client.query({ text: sql, values: params as unknown[] });
    try {
      return await Promise.race([running, hard]);
    } catch (err) {
      running.catch(noop);
      throw toDataError(err, reason);
    } finally {
      clearTimeout(timer);
      clearTimeout(graceTimer);
      signal?.removeEventListener('abort', onAbort);
      // Hold the connection until the cancel is delivered, so it cannot hit the next statement.
      if (cancelling !== undefined) await cancelling;
    }
  }

  async #statement(
    client: PoolClient | undefined,
    sql: string,
    params: readonly unknown[] | undefined,
    options: QueryOptions | undefined,
    tx: TransactionOptions | undefined,
  ): Promise<QueryResult> {
    this.#assertOpen();
    const started = this.#observed ? performance.now() : 0;
    const signal = options?.signal ?? tx?.signal;
    const timeoutMs = options?.timeoutMs;
    let result: QueryResult | undefined;
    let error: DataError | undefined;
    try {
      if (client !== undefined) result = await this.#runCancellable(client, sql, params, signal, timeoutMs);
      else if (signal === undefined && timeoutMs === undefined) {
        result = await this.#pool.query({ text: sql, values: params as unknown[] }).catch((err: unknown) => {
          throw err instanceof Error && err.message === 'timeout exceeded when trying to connect'
            ? this.#toConnectError(err)
            : toDataError(err);
        });
      } else {
        const own = await this.#acquire(signal);
        let broken = false;
        try {
          result = await this.#runCancellable(own, sql, params, signal, timeoutMs);
        } catch (err) {
          broken = isDataErrorBroken(err);
          throw err;
        } finally {
          this.#release(own, broken);
        }
      }
      return result;
    } catch (err) {
      error = toDataError(err);
      throw error;
    } finally {
      if (this.#observed)
        this.#emit(sql, options, started, result?.rowCount ?? result?.rows.length ?? 0, error, client !== undefined);
    }
  }

  /**
   * The common case — no signal, timeout or observer — goes straight to the pool with one
   * continuation, so the layer costs about what one extra `.then` costs.
   */
  #direct(
    sql: string,
    params: readonly unknown[] | undefined,
    options: QueryOptions | undefined,
  ): Promise<QueryResult> | undefined {
    if (options !== undefined || this.#observed || this.#closed) return undefined;
    return this.#pool.query(sql, params as unknown[]).catch(this.#rethrowPoolError);
  }

  readonly #rethrowPoolError = (err: unknown): never => {
    throw err instanceof Error && err.message === 'timeout exceeded when trying to connect'
      ? this.#toConnectError(err)
      : toDataError(err);
  };

  query<T = Record<string, unknown>>(sql: string, params?: readonly unknown[], options?: QueryOptions): Promise<T[]> {
    const result = this.#direct(sql, params, options) ?? this.#statement(undefined, sql, params, options, undefined);
    return result.then(rowsOf) as Promise<T[]>;
  }

  queryOne<T = Record<string, unknown>>(
    sql: string,
    params?: readonly unknown[],
    options?: QueryOptions,
  ): Promise<T | undefined> {
    const result = this.#direct(sql, params, options) ?? this.#statement(undefined, sql, params, options, undefined);
    return result.then(firstRowOf) as Promise<T | undefined>;
  }

  exec(sql: string, params?: readonly unknown[], options?: QueryOptions): Promise<number> {
    const result = this.#direct(sql, params, options) ?? this.#statement(undefined, sql, params, options, undefined);
    return result.then(rowCountOf);
  }

  #executor(client: PoolClient, tx: TransactionOptions): SqlExecutor {
    return {
      query: async <T>(sql: string, params?: readonly unknown[], options?: QueryOptions) =>
        (await this.#statement(client, sql, params, options, tx)).rows as T[],
      queryOne: async <T>(sql: string, params?: readonly unknown[], options?: QueryOptions) =>
        (await this.#statement(client, sql, params, options, tx)).rows[0] as T | undefined,
      exec: async (sql: string, params?: readonly unknown[], options?: QueryOptions) =>
        (await this.#statement(client, sql, params, options, tx)).rowCount ?? 0,
    };
  }

  /** True while the caller runs inside a transaction of this client. */
  isInTransaction(): boolean {
    return this.#inTransaction.getStore() === true;
  }

  /**
   * Runs `fn` in a transaction on one connection: commits when it resolves, rolls back when it
   * throws. A serialization failure or deadlock (SQLSTATE 40001/40P01) re-runs `fn` from the start
   * (`attempt` counts from 1), so `fn` must not have effects outside the database; after the last
   * retry it fails with `DATA_SERIALIZATION_FAILURE`. A connection lost during COMMIT is
   * `DATA_COMMIT_UNKNOWN`: the outcome cannot be known and is never retried. Starting a transaction
   * inside one of this client's transactions is refused (`DATA_NESTED_TRANSACTION`): it would take
   * a second connection and can deadlock against the first.
   */
  async transaction<T>(
    fn: (tx: SqlExecutor, attempt: number) => Promise<T>,
    options: TransactionOptions = {},
  ): Promise<T> {
    this.#assertOpen();
    if (this.isInTransaction()) throw new DataError('PLUMEGO_ERR_DATA_NESTED_TRANSACTION');
    const retries = options.retries ?? this.#o.transactionRetries;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#attempt(fn, options, attempt);
      } catch (err) {
        const state = findDataError(err)?.sqlState;
        const retryable = state !== undefined && RETRYABLE_STATES.has(state);
        if (!retryable || attempt > retries || options.signal?.aborted) throw err;
        // Jittered backoff so two conflicting transactions do not collide again in lockstep.
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * attempt));
      }
    }
  }

  async #attempt<T>(
    fn: (tx: SqlExecutor, attempt: number) => Promise<T>,
    options: TransactionOptions,
    attempt: number,
  ): Promise<T> {
    const client = await this.#acquire(options.signal);
    let broken = false;
    try {
      const tx = this.#executor(client, options);
      let begin = 'BEGIN';
      if (options.isolation !== undefined) begin += ` ISOLATION LEVEL ${assertIsolation(options.isolation)}`;
      if (options.readOnly === true) begin += ' READ ONLY';
      await tx.exec(begin);
      if (options.statementTimeoutMs !== undefined) {
        await tx.exec(`SET LOCAL statement_timeout = ${Math.max(0, Math.floor(options.statementTimeoutMs))}`);
      }
      let result: T;
      try {
        result = await this.#inTransaction.run(true, () => fn(tx, attempt));
      } catch (err) {
        broken = isDataErrorBroken(err);
        if (!broken)
          await client.query('ROLLBACK').catch(() => {
            broken = true;
          });
        throw err;
      }
      try {
        await this.#statement(client, 'COMMIT', undefined, undefined, undefined);
      } catch (err) {
        broken = isDataErrorBroken(err);
        if (broken) throw new DataError('PLUMEGO_ERR_DATA_COMMIT_UNKNOWN', { cause: (err as DataError).cause });
        await client.query('ROLLBACK').catch(() => {
          broken = true;
        });
        throw err;
      }
      return result;
    } finally {
      this.#release(client, broken);
    }
  }

  /** Closes the pool it created (waiting for checked-out connections); a caller-owned pool stays open. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#ownsPool) await this.#pool.end();
  }
}

const rowsOf = (r: QueryResult): unknown[] => r.rows;
const firstRowOf = (r: QueryResult): unknown => r.rows[0];
const rowCountOf = (r: QueryResult): number => r.rowCount ?? 0;

/** The `DataError` itself, or one an adapter (store's `Database`, say) wrapped as `cause`. */
function findDataError(err: unknown): DataError | undefined {
  if (err instanceof DataError) return err;
  const cause = (err as { cause?: unknown } | null)?.cause;
  return cause instanceof DataError ? cause : undefined;
}

function isDataErrorBroken(err: unknown): boolean {
  const found = findDataError(err);
  return found !== undefined && (isBrokenConnection(found) || found.reason === 'connection_dropped');
}

const ISOLATION: ReadonlySet<string> = new Set(['read committed', 'repeatable read', 'serializable']);

function assertIsolation(level: string): string {
  if (!ISOLATION.has(level)) throw new DataError('PLUMEGO_ERR_DATA_INVALID_OPTIONS', { reason: 'field:isolation' });
  return level.toUpperCase();
}
