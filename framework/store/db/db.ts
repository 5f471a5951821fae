/** Positional (`?`) or named (`@name`) parameters. */
export type SqlParams = readonly unknown[] | Readonly<Record<string, unknown>>;

export interface ExecResult {
  /** Rows changed by the statement. */
  changes: number;
  /** Row id of the last insert, when the driver reports one. */
  lastInsertId: number | bigint | undefined;
}

/** Runs statements. Both a database and a transaction handle are executors. */
export interface DbExecutor {
  query<T = Record<string, unknown>>(sql: string, params?: SqlParams): Promise<T[]>;
  /** The first row, or undefined. */
  queryOne<T = Record<string, unknown>>(sql: string, params?: SqlParams): Promise<T | undefined>;
  /** The first row; throws `PLUMEGO_ERR_DB_NO_ROWS` when there is none. */
  queryOneStrict<T = Record<string, unknown>>(sql: string, params?: SqlParams): Promise<T>;
  exec(sql: string, params?: SqlParams): Promise<ExecResult>;
}

/**
 * A small database contract. `transaction` commits when `fn` resolves and rolls back when it
 * throws (rethrowing the error); statements outside the transaction wait until it ends, so they
 * never interleave with it. Driver errors surface as `PLUMEGO_ERR_DB_QUERY` with the driver error
 * as `cause` (parameters are never put in messages).
 */
export interface Database extends DbExecutor {
  transaction<T>(fn: (tx: DbExecutor) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
