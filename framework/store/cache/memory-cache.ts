import { StoreError } from '../errors.ts';
import type { Cache, CacheHit, CacheStats, CounterCache } from './cache.ts';

export interface MemoryCacheOptions<V> {
  /** Longest key in characters. Default: 256. */
  maxKeyLength?: number;
  /** Most entries; the least recently used is evicted beyond it. Default: 10 000. */
  maxEntries?: number;
  /** Budget for the summed `sizeOf` of all entries (bytes); 0 = unlimited. Default: 0. */
  maxMemoryBytes?: number;
  /** TTL for `set` without one, in ms; 0 = no expiry. Default: 600 000 (10 min). */
  defaultTtlMs?: number;
  /** How often expired entries are swept, in ms. The timer is unref'd. Default: 300 000. */
  sweepIntervalMs?: number;
  /** Estimated size of a value in bytes. Default: byte length of strings/buffers, else of its JSON. */
  sizeOf?: (value: V) => number;
  /** Clock in ms, for tests. Default: `Date.now`. */
  now?: () => number;
}

export interface ResolvedMemoryCacheOptions<V> {
  maxKeyLength: number;
  maxEntries: number;
  maxMemoryBytes: number;
  defaultTtlMs: number;
  sweepIntervalMs: number;
  sizeOf: (value: V) => number;
  now: () => number;
}

export function getDefaultSize(value: unknown): number {
  if (typeof value === 'string') return Buffer.byteLength(value);
  if (value instanceof Uint8Array) return value.byteLength;
  try {
    return Buffer.byteLength(JSON.stringify(value) ?? '');
  } catch {
    return 1024;
  }
}

export const DEFAULT_MEMORY_CACHE_OPTIONS: ResolvedMemoryCacheOptions<unknown> = {
  maxKeyLength: 256,
  maxEntries: 10_000,
  maxMemoryBytes: 0,
  defaultTtlMs: 600_000,
  sweepIntervalMs: 300_000,
  sizeOf: getDefaultSize,
  now: Date.now,
};

export function resolveMemoryCacheOptions<V>(options: MemoryCacheOptions<V> = {}): ResolvedMemoryCacheOptions<V> {
  const merged = { ...(DEFAULT_MEMORY_CACHE_OPTIONS as ResolvedMemoryCacheOptions<V>), ...options };
  const checks: Array<[number, boolean]> = [
    [merged.maxKeyLength, false],
    [merged.maxEntries, false],
    [merged.sweepIntervalMs, false],
    [merged.maxMemoryBytes, true],
    [merged.defaultTtlMs, true],
  ];
  for (const [value, zeroOk] of checks) {
    if (!Number.isSafeInteger(value) || value < 0 || (!zeroOk && value === 0)) {
      throw new StoreError('PLUMEGO_ERR_CACHE_INVALID_OPTIONS');
    }
  }
  return merged;
}

interface Entry<V> {
  value: V;
  size: number;
  /** Unix ms; 0 = never. */
  expiresAt: number;
}

/**
 * An in-process LRU cache with TTLs, an entry bound and an optional memory budget. A `Map` keeps
 * recency order (a hit re-inserts), so eviction is O(1) from the front.
 */
export class MemoryCache<V = unknown> implements Cache<V>, CounterCache {
  readonly options: ResolvedMemoryCacheOptions<V>;
  readonly #entries = new Map<string, Entry<V>>();
  readonly #timer: NodeJS.Timeout;
  #bytes = 0;
  #closed = false;
  readonly #stats = { hits: 0, misses: 0, sets: 0, deletes: 0, evictions: 0, expirations: 0 };

  constructor(options: MemoryCacheOptions<V> = {}) {
    this.options = resolveMemoryCacheOptions(options);
    this.#timer = setInterval(() => this.sweep(), this.options.sweepIntervalMs);
    this.#timer.unref();
  }

  #check(key: unknown): string {
    if (this.#closed) throw new StoreError('PLUMEGO_ERR_CACHE_CLOSED');
    if (typeof key !== 'string' || key === '') throw new StoreError('PLUMEGO_ERR_CACHE_INVALID_KEY');
    if (key.length > this.options.maxKeyLength) throw new StoreError('PLUMEGO_ERR_CACHE_KEY_TOO_LONG');
    return key;
  }

  #live(key: string): Entry<V> | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt !== 0 && entry.expiresAt <= this.options.now()) {
      this.#remove(key, entry);
      this.#stats.expirations++;
      return undefined;
    }
    return entry;
  }

  #remove(key: string, entry: Entry<V>): void {
    this.#entries.delete(key);
    this.#bytes -= entry.size;
  }

  #expiry(ttlMs: number | undefined): number {
    const ttl = ttlMs ?? this.options.defaultTtlMs;
    if (!Number.isFinite(ttl) || ttl < 0) throw new StoreError('PLUMEGO_ERR_CACHE_INVALID_VALUE', { reason: 'ttl' });
    return ttl === 0 ? 0 : this.options.now() + ttl;
  }

  #store(key: string, value: V, expiresAt: number): void {
    const size = this.options.sizeOf(value) + key.length;
    const budget = this.options.maxMemoryBytes;
    if (budget > 0 && size > budget) throw new StoreError('PLUMEGO_ERR_CACHE_FULL');
    const previous = this.#entries.get(key);
    if (previous !== undefined) this.#remove(key, previous);
    this.#entries.set(key, { value, size, expiresAt });
    this.#bytes += size;
    this.#stats.sets++;
    while (this.#entries.size > this.options.maxEntries || (budget > 0 && this.#bytes > budget)) {
      const oldest = this.#entries.entries().next().value as [string, Entry<V>];
      this.#remove(oldest[0], oldest[1]);
      this.#stats.evictions++;
    }
  }

  async find(key: string): Promise<CacheHit<V> | undefined> {
    const entry = this.#live(this.#check(key));
    if (entry === undefined) {
      this.#stats.misses++;
      return undefined;
    }
    this.#stats.hits++;
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    return { value: entry.value };
  }

  async get(key: string): Promise<V> {
    const hit = await this.find(key);
    if (hit === undefined) throw new StoreError('PLUMEGO_ERR_CACHE_NOT_FOUND');
    return hit.value;
  }

  async set(key: string, value: V, ttlMs?: number): Promise<void> {
    this.#check(key);
    if (value === undefined) throw new StoreError('PLUMEGO_ERR_CACHE_INVALID_VALUE');
    this.#store(key, value, this.#expiry(ttlMs));
  }

  async delete(key: string): Promise<void> {
    const entry = this.#entries.get(this.#check(key));
    if (entry !== undefined) {
      this.#remove(key, entry);
      this.#stats.deletes++;
    }
  }

  async has(key: string): Promise<boolean> {
    return this.#live(this.#check(key)) !== undefined;
  }

  async incr(key: string, delta = 1, ttlMs?: number): Promise<number> {
    this.#check(key);
    if (!Number.isSafeInteger(delta)) throw new StoreError('PLUMEGO_ERR_CACHE_NOT_INTEGER');
    const entry = this.#live(key);
    const current = entry === undefined ? 0 : entry.value;
    if (typeof current !== 'number' || !Number.isSafeInteger(current))
      throw new StoreError('PLUMEGO_ERR_CACHE_NOT_INTEGER');
    const next = current + delta;
    if (!Number.isSafeInteger(next)) throw new StoreError('PLUMEGO_ERR_CACHE_NOT_INTEGER', { reason: 'overflow' });
    // A counter keeps its original expiry unless a TTL is given, so a rate window does not slide.
    this.#store(key, next as V, entry === undefined || ttlMs !== undefined ? this.#expiry(ttlMs) : entry.expiresAt);
    return next;
  }

  async decr(key: string, delta = 1, ttlMs?: number): Promise<number> {
    return this.incr(key, -delta, ttlMs);
  }

  async clear(): Promise<void> {
    if (this.#closed) throw new StoreError('PLUMEGO_ERR_CACHE_CLOSED');
    this.#entries.clear();
    this.#bytes = 0;
  }

  /** Removes expired entries; runs on the timer. Returns how many were removed. */
  sweep(): number {
    const now = this.options.now();
    let removed = 0;
    for (const [key, entry] of this.#entries) {
      if (entry.expiresAt !== 0 && entry.expiresAt <= now) {
        this.#remove(key, entry);
        removed++;
      }
    }
    this.#stats.expirations += removed;
    return removed;
  }

  getStats(): CacheStats {
    return { entries: this.#entries.size, bytes: this.#bytes, ...this.#stats };
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    this.#entries.clear();
    this.#bytes = 0;
    this.#closed = true;
  }
}
