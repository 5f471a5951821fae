import { StoreError } from '../errors.ts';
import {
  assertCompletable,
  assertIdempotencyKey,
  assertIdempotencyRecord,
  type IdempotencyRecord,
  type IdempotencyStore,
} from './record.ts';

export interface MemoryIdempotencyStoreOptions {
  /** Most records; claims beyond it sweep expired records, then evict the oldest. Default: 100 000. */
  maxRecords?: number;
  /** Clock in ms, for tests. Default: `Date.now`. */
  now?: () => number;
}

function copy(record: IdempotencyRecord): IdempotencyRecord {
  return { ...record, response: record.response === undefined ? undefined : new Uint8Array(record.response) };
}

/** A single-process store; records are copied in and out so callers cannot mutate stored state. */
export class MemoryIdempotencyStore implements IdempotencyStore {
  readonly #records = new Map<string, IdempotencyRecord>();
  readonly #maxRecords: number;
  readonly #now: () => number;

  constructor(options: MemoryIdempotencyStoreOptions = {}) {
    this.#maxRecords = options.maxRecords ?? 100_000;
    if (!Number.isSafeInteger(this.#maxRecords) || this.#maxRecords <= 0)
      throw new TypeError('maxRecords must be a positive integer');
    this.#now = options.now ?? Date.now;
  }

  #live(key: string): IdempotencyRecord | undefined {
    const record = this.#records.get(key);
    if (record !== undefined && record.expiresAt <= this.#now()) {
      this.#records.delete(key);
      return undefined;
    }
    return record;
  }

  async get(key: string): Promise<IdempotencyRecord | undefined> {
    const record = this.#live(assertIdempotencyKey(key));
    return record === undefined ? undefined : copy(record);
  }

  async putIfAbsent(record: IdempotencyRecord): Promise<boolean> {
    assertIdempotencyRecord(record);
    if (this.#live(record.key) !== undefined) return false;
    if (this.#records.size >= this.#maxRecords) {
      const now = this.#now();
      for (const [key, r] of this.#records) if (r.expiresAt <= now) this.#records.delete(key);
      if (this.#records.size >= this.#maxRecords) this.#records.delete(this.#records.keys().next().value as string);
    }
    this.#records.set(record.key, copy(record));
    return true;
  }

  async complete(
    key: string,
    requestHash: string,
    response: Uint8Array,
    at: number = this.#now(),
  ): Promise<IdempotencyRecord> {
    const record = this.#records.get(assertIdempotencyKey(key));
    if (record === undefined) throw new StoreError('PLUMEGO_ERR_IDEMPOTENCY_NOT_FOUND');
    assertCompletable(record, requestHash, at);
    const done: IdempotencyRecord = {
      ...record,
      status: 'completed',
      response: new Uint8Array(response),
      updatedAt: Math.max(at, record.createdAt),
    };
    this.#records.set(key, done);
    return copy(done);
  }

  async delete(key: string): Promise<void> {
    this.#records.delete(assertIdempotencyKey(key));
  }
}
