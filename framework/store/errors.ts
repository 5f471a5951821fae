/**
 * The store module's error registry: one stable code per failure, with a fixed message that never
 * carries keys, values, paths or SQL parameters.
 */
export const STORE_ERRORS = {
  'PLUMEGO_ERR_CACHE_NOT_FOUND': { message: 'cache entry not found', status: 404 },
  'PLUMEGO_ERR_CACHE_INVALID_KEY': { message: 'cache key is empty or not a string', status: 400 },
  'PLUMEGO_ERR_CACHE_KEY_TOO_LONG': { message: 'cache key exceeds the maximum length', status: 400 },
  'PLUMEGO_ERR_CACHE_INVALID_VALUE': { message: 'cache value is not storable', status: 400 },
  'PLUMEGO_ERR_CACHE_FULL': { message: 'cache entry exceeds the memory limit', status: 507 },
  'PLUMEGO_ERR_CACHE_NOT_INTEGER': { message: 'cache value is not an integer', status: 409 },
  'PLUMEGO_ERR_CACHE_CLOSED': { message: 'cache is closed', status: 503 },
  'PLUMEGO_ERR_CACHE_INVALID_OPTIONS': { message: 'invalid cache options', status: 500 },
  'PLUMEGO_ERR_KV_NOT_FOUND': { message: 'key not found', status: 404 },
  'PLUMEGO_ERR_KV_EXPIRED': { message: 'key expired', status: 404 },
  'PLUMEGO_ERR_KV_INVALID_KEY': { message: 'key is empty, too long or not a string', status: 400 },
  'PLUMEGO_ERR_KV_VALUE_TOO_LARGE': { message: 'value exceeds the maximum size', status: 413 },
  'PLUMEGO_ERR_KV_FULL': { message: 'key-value store is full', status: 507 },
  'PLUMEGO_ERR_KV_CORRUPT': { message: 'key-value store data is corrupt', status: 500 },
  'PLUMEGO_ERR_KV_CLOSED': { message: 'key-value store is closed', status: 503 },
  'PLUMEGO_ERR_KV_INVALID_OPTIONS': { message: 'invalid key-value store options', status: 500 },
  'PLUMEGO_ERR_IDEMPOTENCY_INVALID_KEY': {
    message: 'idempotency key is empty, too long or has invalid characters',
    status: 400,
  },
  'PLUMEGO_ERR_IDEMPOTENCY_INVALID_RECORD': { message: 'idempotency record is invalid', status: 500 },
  'PLUMEGO_ERR_IDEMPOTENCY_REQUEST_MISMATCH': {
    message: 'idempotency key was used with a different request',
    status: 422,
  },
  'PLUMEGO_ERR_IDEMPOTENCY_EXPIRED': { message: 'idempotency record expired', status: 410 },
  'PLUMEGO_ERR_IDEMPOTENCY_ALREADY_COMPLETED': { message: 'idempotency record is already completed', status: 409 },
  'PLUMEGO_ERR_IDEMPOTENCY_NOT_FOUND': { message: 'idempotency record not found', status: 404 },
  'PLUMEGO_ERR_FILE_NOT_FOUND': { message: 'file not found', status: 404 },
  'PLUMEGO_ERR_FILE_INVALID_PATH': { message: 'file path is invalid', status: 400 },
  'PLUMEGO_ERR_FILE_PATH_ESCAPE': { message: 'file path escapes the storage root', status: 400 },
  'PLUMEGO_ERR_DB_NO_ROWS': { message: 'query returned no rows', status: 404 },
  'PLUMEGO_ERR_DB_QUERY': { message: 'database query failed', status: 500 },
  'PLUMEGO_ERR_DB_CLOSED': { message: 'database is closed', status: 503 },
  'PLUMEGO_ERR_DB_NESTED_TRANSACTION': { message: 'nested transactions are not supported', status: 500 },
} as const satisfies Record<string, { message: string; status: number }>;

export type StoreErrorCode = keyof typeof STORE_ERRORS;

const STORE_ERROR_BRAND = Symbol.for('plumego.store.error');

export interface StoreErrorOptions {
  /** A fixed, non-sensitive word narrowing the failure (e.g. `checksum`). */
  reason?: string;
  /** Underlying error, kept for debugging; never rendered into the message. */
  cause?: unknown;
}

export class StoreError extends Error {
  readonly code: StoreErrorCode;
  readonly status: number;
  readonly reason: string | undefined;
  readonly [STORE_ERROR_BRAND] = true;

  constructor(code: StoreErrorCode, options: StoreErrorOptions = {}) {
    super(STORE_ERRORS[code].message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'StoreError';
    this.code = code;
    this.status = STORE_ERRORS[code].status;
    this.reason = options.reason;
  }
}

/** Recognises a store error by brand, so two copies of the package still agree. */
export function isStoreError(value: unknown, code?: StoreErrorCode): value is StoreError {
  if (typeof value !== 'object' || value === null) return false;
  if ((value as Record<symbol, unknown>)[STORE_ERROR_BRAND] !== true) return false;
  return code === undefined || (value as StoreError).code === code;
}
