import type { Pool } from 'pg';
import { assertDataOption } from 'plumego/x/data';

export type IsolationLevel = 'read committed' | 'repeatable read' | 'serializable';

/** One finished statement, as handed to `onQuery` and `onSlowQuery`. Parameters are never included. */
export interface QueryEvent {
  /** The statement text (placeholders, no values). */
  sql: string;
  /** The caller's label for metrics, when given. */
  name: string | undefined;
  durationMs: number;
  /** Rows returned or changed; 0 on failure. */
  rowCount: number;
  ok: boolean;
  /** The `DataError` code on failure. */
  errorCode: string | undefined;
  /** True inside a transaction. */
  inTransaction: boolean;
}

export interface SqlClientOptions {
  /** `postgres://…` URL. Required unless `pool` is given. Never logged or put in errors. */
  connectionString?: string;
  /** A caller-owned `pg.Pool` to use instead of creating one (`close()` then leaves it open). */
  pool?: Pool;
  /** Most pooled connections. Default: 10. */
  maxConnections?: number;
  /** How long a call waits for a free connection (or a new one) before `POOL_EXHAUSTED` / `CONNECTION_LOST`, ms. Default: 5000. */
  connectionTimeoutMs?: number;
  /** Idle connections close after this many ms. Default: 30 000. */
  idleTimeoutMs?: number;
  /** Server-side `statement_timeout` for every statement, ms; 0 = none. Default: 0 (the caller decides, as store's contract says). */
  statementTimeoutMs?: number;
  /** Schema(s) to resolve unqualified names in (`search_path`). Default: the server's. */
  searchPath?: string;
  /** `application_name` shown in `pg_stat_activity`. Default: `plumego`. */
  applicationName?: string;
  /** Statements slower than this reach `onSlowQuery`, ms. Default: 500. */
  slowQueryMs?: number;
  /** Called after every statement (metrics). Must not throw; errors it throws are ignored. */
  onQuery?: (event: QueryEvent) => void;
  /** Called after a statement slower than `slowQueryMs` (slow-query log). */
  onSlowQuery?: (event: QueryEvent) => void;
  /** Called with a sanitised error when an idle pooled connection fails (the pool drops it). */
  onConnectionError?: (error: Error) => void;
  /** How many times a transaction is re-run after a serialization failure or deadlock. Default: 3. */
  transactionRetries?: number;
  /**
   * How `bigint` (int8) columns such as `count(*)` arrive: `string` (pg's default, lossless) or
   * `number` (a safe integer as a number, a larger one as a `bigint`). Default: `string`;
   * `PgDatabase` uses `number`, as SQLite returns. Ignored with a caller-owned `pool`.
   */
  int8As?: 'string' | 'number';
}

export interface ResolvedSqlClientOptions {
  connectionString: string | undefined;
  pool: Pool | undefined;
  maxConnections: number;
  connectionTimeoutMs: number;
  idleTimeoutMs: number;
  statementTimeoutMs: number;
  searchPath: string | undefined;
  applicationName: string;
  slowQueryMs: number;
  onQuery: ((event: QueryEvent) => void) | undefined;
  onSlowQuery: ((event: QueryEvent) => void) | undefined;
  onConnectionError: ((error: Error) => void) | undefined;
  transactionRetries: number;
  int8As: 'string' | 'number';
}

export const DEFAULT_SQL_CLIENT_OPTIONS = {
  maxConnections: 10,
  connectionTimeoutMs: 5000,
  idleTimeoutMs: 30_000,
  statementTimeoutMs: 0,
  applicationName: 'plumego',
  slowQueryMs: 500,
  transactionRetries: 3,
  int8As: 'string',
} as const;

const count = (v: number, min: number): boolean => Number.isSafeInteger(v) && v >= min;

export function resolveSqlClientOptions(options: SqlClientOptions): ResolvedSqlClientOptions {
  const d = DEFAULT_SQL_CLIENT_OPTIONS;
  const r: ResolvedSqlClientOptions = {
    connectionString: options.connectionString,
    pool: options.pool,
    maxConnections: options.maxConnections ?? d.maxConnections,
    connectionTimeoutMs: options.connectionTimeoutMs ?? d.connectionTimeoutMs,
    idleTimeoutMs: options.idleTimeoutMs ?? d.idleTimeoutMs,
    statementTimeoutMs: options.statementTimeoutMs ?? d.statementTimeoutMs,
    searchPath: options.searchPath,
    applicationName: options.applicationName ?? d.applicationName,
    slowQueryMs: options.slowQueryMs ?? d.slowQueryMs,
    onQuery: options.onQuery,
    onSlowQuery: options.onSlowQuery,
    onConnectionError: options.onConnectionError,
    transactionRetries: options.transactionRetries ?? d.transactionRetries,
    int8As: options.int8As ?? d.int8As,
  };
  assertDataOption(r.int8As === 'string' || r.int8As === 'number', 'int8As');
  assertDataOption(
    r.pool !== undefined || (typeof r.connectionString === 'string' && /^postgres(ql)?:\/\//.test(r.connectionString)),
    'connectionString',
  );
  assertDataOption(count(r.maxConnections, 1), 'maxConnections');
  assertDataOption(count(r.connectionTimeoutMs, 1), 'connectionTimeoutMs');
  assertDataOption(count(r.idleTimeoutMs, 0), 'idleTimeoutMs');
  assertDataOption(count(r.statementTimeoutMs, 0), 'statementTimeoutMs');
  assertDataOption(count(r.slowQueryMs, 0), 'slowQueryMs');
  assertDataOption(count(r.transactionRetries, 0) && r.transactionRetries <= 20, 'transactionRetries');
  assertDataOption(
    r.searchPath === undefined || /^[A-Za-z_][A-Za-z0-9_$]*(\s*,\s*[A-Za-z_][A-Za-z0-9_$]*)*$/.test(r.searchPath),
    'searchPath',
  );
  assertDataOption(/^[\x20-\x7e]{0,63}$/.test(r.applicationName), 'applicationName');
  return r;
}
