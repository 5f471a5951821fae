export { RETRYABLE_STATES, toDataError } from './classify.ts';
export { DEFAULT_SQL_CLIENT_OPTIONS, resolveSqlClientOptions } from './options.ts';
export type { IsolationLevel, QueryEvent, ResolvedSqlClientOptions, SqlClientOptions } from './options.ts';
export { PgDatabase } from './pg-database.ts';
export type { PgDatabaseOptions } from './pg-database.ts';
export { toNumberedStatement } from './placeholders.ts';
export type { NumberedStatement } from './placeholders.ts';
export { SqlClient } from './sql-client.ts';
export type { QueryOptions, SqlExecutor, SqlPoolStats, TransactionOptions } from './sql-client.ts';
