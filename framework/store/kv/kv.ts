export interface KvSetOptions {
  /** Time to live in ms; undefined or 0 = never expires. */
  ttlMs?: number;
}

export interface KvListOptions {
  /** Only keys starting with this prefix. Default: all keys. */
  prefix?: string;
  /** Most keys returned, in key order. Default: 1000. */
  limit?: number;
}

export interface KvStats {
  entries: number;
  reads: number;
  writes: number;
  deletes: number;
  expired: number;
}

/**
 * A durable key→bytes store. `get` throws `PLUMEGO_ERR_KV_NOT_FOUND` or `PLUMEGO_ERR_KV_EXPIRED`;
 * `find` returns undefined for both. A write that resolved survives a crash of the process; a
 * damaged file fails with `PLUMEGO_ERR_KV_CORRUPT` instead of returning wrong bytes.
 */
export interface KvStore {
  get(key: string): Promise<Buffer>;
  find(key: string): Promise<Buffer | undefined>;
  set(key: string, value: string | Uint8Array, options?: KvSetOptions): Promise<void>;
  /** True when a live key was removed. */
  delete(key: string): Promise<boolean>;
  has(key: string): Promise<boolean>;
  keys(options?: KvListOptions): Promise<string[]>;
  size(): Promise<number>;
  getStats(): Promise<KvStats>;
  close(): Promise<void>;
}
