import { StoreError } from '../errors.ts';

export type IdempotencyStatus = 'in_progress' | 'completed';

/** One idempotency key's state. `response` is opaque bytes chosen by the caller (see http.ts). */
export interface IdempotencyRecord {
  key: string;
  /** A digest of the request the key was first used with. */
  requestHash: string;
  status: IdempotencyStatus;
  response?: Uint8Array | undefined;
  /** Unix ms. */
  createdAt: number;
  updatedAt: number;
  expiresAt: number;
}

/**
 * Where records live. `get` hides expired records; `putIfAbsent` claims a key for one caller
 * (false when a live record exists); `complete` validates in the contract's order — mismatched
 * request → `PLUMEGO_ERR_IDEMPOTENCY_REQUEST_MISMATCH`, expired → `_EXPIRED`, already completed →
 * `_ALREADY_COMPLETED` — before storing the response.
 */
export interface IdempotencyStore {
  get(key: string): Promise<IdempotencyRecord | undefined>;
  putIfAbsent(record: IdempotencyRecord): Promise<boolean>;
  complete(key: string, requestHash: string, response: Uint8Array, at?: number): Promise<IdempotencyRecord>;
  delete(key: string): Promise<void>;
}

const KEY = /^[\x21-\x7e]{1,255}$/;

/** Returns the key when it is 1–255 visible ASCII characters; throws otherwise. */
export function assertIdempotencyKey(key: unknown): string {
  if (typeof key !== 'string' || !KEY.test(key)) throw new StoreError('PLUMEGO_ERR_IDEMPOTENCY_INVALID_KEY');
  return key;
}

function isTime(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** Returns the record when its fields are consistent; throws `PLUMEGO_ERR_IDEMPOTENCY_INVALID_RECORD`. */
export function assertIdempotencyRecord(record: IdempotencyRecord): IdempotencyRecord {
  assertIdempotencyKey(record.key);
  const bad = (reason: string): never => {
    throw new StoreError('PLUMEGO_ERR_IDEMPOTENCY_INVALID_RECORD', { reason });
  };
  if (typeof record.requestHash !== 'string' || record.requestHash === '' || record.requestHash.length > 256)
    bad('request_hash');
  if (record.status !== 'in_progress' && record.status !== 'completed') bad('status');
  if (!isTime(record.createdAt) || !isTime(record.updatedAt) || !isTime(record.expiresAt)) bad('time');
  if (record.expiresAt <= record.createdAt || record.updatedAt < record.createdAt) bad('time');
  if (record.status === 'completed' && !(record.response instanceof Uint8Array)) bad('response');
  return record;
}

/** Checks that `record` may be completed for `requestHash` at `now`, in the contract's order. */
export function assertCompletable(record: IdempotencyRecord, requestHash: string, now: number): void {
  if (record.requestHash !== requestHash) throw new StoreError('PLUMEGO_ERR_IDEMPOTENCY_REQUEST_MISMATCH');
  if (record.expiresAt <= now) throw new StoreError('PLUMEGO_ERR_IDEMPOTENCY_EXPIRED');
  if (record.status === 'completed') throw new StoreError('PLUMEGO_ERR_IDEMPOTENCY_ALREADY_COMPLETED');
}
