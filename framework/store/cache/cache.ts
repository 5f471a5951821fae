/** A hit; wrapping the value lets `null` be cached and still be told apart from a miss. */
export interface CacheHit<V> {
  value: V;
}

/**
 * A key→value cache. Misses are explicit: `get` throws `PLUMEGO_ERR_CACHE_NOT_FOUND`, `find`
 * returns undefined. Deleting a missing key is not an error. After `close`, every call throws
 * `PLUMEGO_ERR_CACHE_CLOSED`.
 */
export interface Cache<V = unknown> {
  get(key: string): Promise<V>;
  find(key: string): Promise<CacheHit<V> | undefined>;
  /** `ttlMs`: undefined → the cache default, 0 → never expires. */
  set(key: string, value: V, ttlMs?: number): Promise<void>;
  delete(key: string): Promise<void>;
  has(key: string): Promise<boolean>;
  clear(): Promise<void>;
  close(): Promise<void>;
}

/** Atomic integer counters; a missing key starts at 0. */
export interface CounterCache {
  incr(key: string, delta?: number, ttlMs?: number): Promise<number>;
  decr(key: string, delta?: number, ttlMs?: number): Promise<number>;
}

export interface CacheStats {
  entries: number;
  bytes: number;
  hits: number;
  misses: number;
  sets: number;
  deletes: number;
  evictions: number;
  expirations: number;
}
