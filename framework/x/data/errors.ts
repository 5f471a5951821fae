import { defineErrorFamily, getErrorOptions } from 'plumego/contract';

/**
 * The x/data family's error registry: one stable code per failure, with a fixed message that never
 * carries SQL, parameters, keys, hosts, connection strings or passwords. Subpackages share it, so a
 * caller handles a statement timeout the same way whether it came from sql, rw or sharding.
 */
export const DATA_ERRORS = {
  'PLUMEGO_ERR_DATA_INVALID_OPTIONS': { message: 'invalid data backend options', status: 500 },
  'PLUMEGO_ERR_DATA_QUERY': { message: 'database query failed', status: 500 },
  'PLUMEGO_ERR_DATA_STATEMENT_TIMEOUT': { message: 'database statement timed out', status: 504 },
  'PLUMEGO_ERR_DATA_ABORTED': { message: 'database call was aborted by the caller', status: 499 },
  'PLUMEGO_ERR_DATA_POOL_EXHAUSTED': { message: 'no database connection became free in time', status: 503 },
  'PLUMEGO_ERR_DATA_CONNECTION_LOST': { message: 'data backend connection failed or was lost', status: 503 },
  'PLUMEGO_ERR_DATA_SERIALIZATION_FAILURE': {
    message: 'transaction kept conflicting with concurrent transactions',
    status: 409,
  },
  'PLUMEGO_ERR_DATA_CLOSED': { message: 'data backend is closed', status: 503 },
  'PLUMEGO_ERR_DATA_NESTED_TRANSACTION': {
    message: 'a transaction was started inside another transaction',
    status: 500,
  },
  'PLUMEGO_ERR_DATA_CACHE_CORRUPT': { message: 'remote cache entry could not be decoded', status: 500 },
  'PLUMEGO_ERR_DATA_MIGRATION_LOCKED': { message: 'another instance holds the migration lock', status: 503 },
  'PLUMEGO_ERR_DATA_MIGRATION_DRIFT': { message: 'applied migrations differ from the migration files', status: 500 },
  'PLUMEGO_ERR_DATA_MIGRATION_IRREVERSIBLE': { message: 'migration has no down step', status: 409 },
  'PLUMEGO_ERR_DATA_MIGRATION_FAILED': { message: 'migration failed and was rolled back', status: 500 },
  'PLUMEGO_ERR_DATA_CROSS_SHARD': { message: 'the keys span several shards; use an explicit scatter', status: 500 },
  'PLUMEGO_ERR_DATA_SHARD_UNAVAILABLE': { message: 'a shard database is unavailable', status: 503 },
  'PLUMEGO_ERR_DATA_INVALID_SHARD_KEY': {
    message: 'shard key is missing, of the wrong type or outside every range',
    status: 400,
  },
  'PLUMEGO_ERR_DATA_OBJECT_STORAGE': { message: 'object storage request failed', status: 502 },
  'PLUMEGO_ERR_DATA_COMMIT_UNKNOWN': {
    message: 'connection lost during commit; the transaction may or may not have committed',
    status: 503,
  },
} as const satisfies Record<string, { message: string; status: number }>;

export type DataErrorCode = keyof typeof DATA_ERRORS;

// A brand rather than `instanceof`, so two copies of the package still recognise each other's errors.
const BRAND = Symbol.for('plumego.x.data.error');
const family = defineErrorFamily({
  name: 'DataError',
  brand: BRAND,
  codes: Object.keys(DATA_ERRORS) as DataErrorCode[],
});

export interface DataErrorOptions {
  /** A fixed, non-sensitive word narrowing the failure (for example `field:maxConnections`). */
  reason?: string;
  /** The SQLSTATE the server reported, when there is one (for example `40001`). */
  sqlState?: string;
  /** Underlying error, kept for debugging; never rendered into the message. */
  cause?: unknown;
}

export class DataError extends Error {
  declare readonly code: DataErrorCode;
  readonly status: number;
  readonly reason: string | undefined;
  readonly sqlState: string | undefined;
  readonly [BRAND] = true;

  constructor(code: DataErrorCode, options: DataErrorOptions = {}) {
    super(DATA_ERRORS[code].message, getErrorOptions(options.cause));
    family.stamp(this, code);
    this.status = DATA_ERRORS[code].status;
    this.reason = options.reason;
    this.sqlState = options.sqlState;
  }
}

/** Recognises a data error by brand, optionally of one code. */
export function isDataError(value: unknown, code?: DataErrorCode): value is DataError {
  if (!family.is(value)) return false;
  return code === undefined || (value as DataError).code === code;
}

/** Throws at factory time, never per call: bad options are a wiring bug. */
export function assertDataOption(ok: boolean, field: string): void {
  if (!ok) throw new DataError('PLUMEGO_ERR_DATA_INVALID_OPTIONS', { reason: `field:${field}` });
}
