import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { StoreError, type Cache, type CacheHit, type CounterCache } from 'plumego/store';
import { DataError, assertDataOption } from 'plumego/x/data';
import { callRedis, escapeGlob, toCacheError } from './redis-errors.ts';

export interface RedisCacheOptions {
  /** A connected ioredis client (shared with the app; `close()` leaves it open). Required. */
  redis: Redis;
  /** Prefix of every key this cache writes, so `clear()` and tags stay inside it. Default: `plumego:cache:`. */
  prefix?: string;
  /** TTL for `set` without one, ms; 0 = no expiry. Default: 600 000 (10 min), as `MemoryCache`. */
  defaultTtlMs?: number;
  /** Longest key in characters. Default: 256, as `MemoryCache`. */
  maxKeyLength?: number;
  /** How long a `getOrSet` loader holds the per-key lock, ms (its longest expected run). Default: 10 000. */
  lockTtlMs?: number;
  /** How long other callers wait for that loader before loading themselves, ms. Default: 5000. */
  lockWaitMs?: number;
}

export interface ResolvedRedisCacheOptions {
  redis: Redis;
  prefix: string;
  defaultTtlMs: number;
  maxKeyLength: number;
  lockTtlMs: number;
  lockWaitMs: number;
}

export const DEFAULT_REDIS_CACHE_OPTIONS = {
  prefix: 'plumego:cache:',
  defaultTtlMs: 600_000,
  maxKeyLength: 256,
  lockTtlMs: 10_000,
  lockWaitMs: 5000,
} as const;

export function resolveRedisCacheOptions(options: RedisCacheOptions): ResolvedRedisCacheOptions {
  const d = DEFAULT_REDIS_CACHE_OPTIONS;
  const r = {
    redis: options?.redis,
    prefix: options.prefix ?? d.prefix,
    defaultTtlMs: options.defaultTtlMs ?? d.defaultTtlMs,
    maxKeyLength: options.maxKeyLength ?? d.maxKeyLength,
    lockTtlMs: options.lockTtlMs ?? d.lockTtlMs,
    lockWaitMs: options.lockWaitMs ?? d.lockWaitMs,
  };
  assertDataOption(typeof r.redis?.get === 'function', 'redis');
  assertDataOption(typeof r.prefix === 'string' && r.prefix.length <= 256, 'prefix');
  for (const [field, value, min] of [
    ['defaultTtlMs', r.defaultTtlMs, 0],
    ['maxKeyLength', r.maxKeyLength, 1],
    ['lockTtlMs', r.lockTtlMs, 1],
    ['lockWaitMs', r.lockWaitMs, 0],
  ] as const) {
    assertDataOption(Number.isSafeInteger(value) && value >= min, field);
  }
  return r;
}

export interface SetOptions {
  /** ms; undefined → the default TTL, 0 → never expires. */
  ttlMs?: number;
  /** Tags to invalidate the entry by (`invalidateTags`). */
  tags?: readonly string[];
}

// Increment and give a new counter its TTL in one step; existing counters keep their first expiry.
const INCR = `
local v = redis.call('INCRBY', KEYS[1], ARGV[1])
if tonumber(ARGV[2]) > 0 and redis.call('PTTL', KEYS[1]) == -1 and v == tonumber(ARGV[1]) then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return v`;
// Store a value and add it to its tag sets. A tag set lives as long as its longest-lived entry (a
// forever entry makes it persistent), so invalidating a tag never misses a live key.
const SET_TAGGED = `
local ttl = tonumber(ARGV[2])
if ttl > 0 then redis.call('SET', KEYS[1], ARGV[1], 'PX', ttl) else redis.call('SET', KEYS[1], ARGV[1]) end
for i = 2, #KEYS do
  local existed = redis.call('EXISTS', KEYS[i]) == 1
  local current = redis.call('PTTL', KEYS[i])
  redis.call('SADD', KEYS[i], KEYS[1])
  if ttl == 0 then redis.call('PERSIST', KEYS[i])
  elseif not existed or (current >= 0 and current < ttl) then redis.call('PEXPIRE', KEYS[i], ttl) end
end
return 1`;
// Release a getOrSet lock only if this caller still holds it.
const UNLOCK = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;
// Delete every key a tag points to, and the tag.
const INVALIDATE_TAG = `
local keys = redis.call('SMEMBERS', KEYS[1])
for i = 1, #keys, 500 do redis.call('UNLINK', unpack(keys, i, math.min(i + 499, #keys))) end
redis.call('UNLINK', KEYS[1])
return #keys`;

/**
 * store's `Cache` and `CounterCache` on Redis, plus get-or-set with stampede protection across
 * instances, tags and prefix invalidation. Values are JSON (so `null` round-trips and stays apart
 * from a miss); counters are plain integers, readable with `get`. Everything lives under `prefix`:
 * values at `prefix + 'v:' + key`, tags at `prefix + 't:' + tag`, locks at `prefix + 'l:' + key`.
 */
export class RedisCache<V = unknown> implements Cache<V>, CounterCache {
  readonly options: ResolvedRedisCacheOptions;
  readonly #redis: Redis;
  readonly #loading = new Map<string, Promise<V>>();
  #closed = false;

  constructor(options: RedisCacheOptions) {
    this.options = resolveRedisCacheOptions(options);
    this.#redis = this.options.redis;
  }

  #key(key: string): string {
    if (this.#closed) throw new StoreError('PLUMEGO_ERR_CACHE_CLOSED');
    if (typeof key !== 'string' || key === '') throw new StoreError('PLUMEGO_ERR_CACHE_INVALID_KEY');
    if (key.length > this.options.maxKeyLength) throw new StoreError('PLUMEGO_ERR_CACHE_KEY_TOO_LONG');
    return `${this.options.prefix}v:${key}`;
  }

  #ttl(ttlMs: number | undefined): number {
    const ttl = ttlMs ?? this.options.defaultTtlMs;
    if (!Number.isSafeInteger(ttl) || ttl < 0)
      throw new StoreError('PLUMEGO_ERR_CACHE_INVALID_VALUE', { reason: 'ttl' });
    return ttl;
  }

  #encode(value: V): string {
    let text: string | undefined;
    try {
      text = JSON.stringify(value);
    } catch (err) {
      throw new StoreError('PLUMEGO_ERR_CACHE_INVALID_VALUE', { cause: err });
    }
    if (text === undefined) throw new StoreError('PLUMEGO_ERR_CACHE_INVALID_VALUE');
    return text;
  }

  #decode(text: string): V {
    try {
      return JSON.parse(text) as V;
    } catch {
      // Written by something else under our prefix: refuse to guess rather than return wrong data.
      throw new DataError('PLUMEGO_ERR_DATA_CACHE_CORRUPT');
    }
  }

  async find(key: string): Promise<CacheHit<V> | undefined> {
    const k = this.#key(key);
    const text = await callRedis(() => this.#redis.get(k));
    return text === null ? undefined : { value: this.#decode(text) };
  }

  /**
   * `find` plus the entry's remaining lifetime in ms (0 = never expires), read in one round trip,
   * so a copy kept elsewhere (`TwoLevelCache`'s level 1) never outlives the key.
   */
  async findWithTtl(key: string): Promise<(CacheHit<V> & { ttlMs: number }) | undefined> {
    const k = this.#key(key);
    const replies = await callRedis(() => this.#redis.multi().get(k).pttl(k).exec());
    const [text, ttl] = (replies ?? []).map(([err, reply]) => {
      if (err) throw toCacheError(err);
      return reply;
    });
    if (typeof text !== 'string') return undefined;
    // PTTL -1: no expiry; -2: gone (cannot happen inside MULTI, but then it is a miss).
    if (ttl === -2) return undefined;
    return { value: this.#decode(text), ttlMs: ttl === -1 ? 0 : Number(ttl) };
  }

  async get(key: string): Promise<V> {
    const hit = await this.find(key);
    if (hit === undefined) throw new StoreError('PLUMEGO_ERR_CACHE_NOT_FOUND');
    return hit.value;
  }

  async set(key: string, value: V, ttlMs?: number): Promise<void> {
    await this.setEntry(key, value, ttlMs === undefined ? {} : { ttlMs });
  }

  /** `set` with tags: the entry is also deleted by `invalidateTags` of any of them. */
  async setEntry(key: string, value: V, options: SetOptions = {}): Promise<void> {
    const k = this.#key(key);
    const ttl = this.#ttl(options.ttlMs);
    const text = this.#encode(value);
    const tags = options.tags ?? [];
    for (const tag of tags)
      if (typeof tag !== 'string' || tag === '' || tag.length > this.options.maxKeyLength)
        throw new StoreError('PLUMEGO_ERR_CACHE_INVALID_KEY', { reason: 'tag' });
    if (tags.length === 0) {
      // The common case is one plain SET, not a script.
      await callRedis(() => (ttl > 0 ? this.#redis.set(k, text, 'PX', ttl) : this.#redis.set(k, text)));
      return;
    }
    const tagKeys = tags.map((tag) => `${this.options.prefix}t:${tag}`);
    await callRedis(() => this.#redis.eval(SET_TAGGED, 1 + tagKeys.length, k, ...tagKeys, text, ttl));
  }

  async delete(key: string): Promise<void> {
    const k = this.#key(key);
    await callRedis(() => this.#redis.unlink(k));
  }

  async has(key: string): Promise<boolean> {
    const k = this.#key(key);
    return (await callRedis(() => this.#redis.exists(k))) === 1;
  }

  async incr(key: string, delta = 1, ttlMs?: number): Promise<number> {
    const k = this.#key(key);
    if (!Number.isSafeInteger(delta)) throw new StoreError('PLUMEGO_ERR_CACHE_NOT_INTEGER');
    const ttl = this.#ttl(ttlMs);
    return Number(await callRedis(() => this.#redis.eval(INCR, 1, k, delta, ttl)));
  }

  async decr(key: string, delta = 1, ttlMs?: number): Promise<number> {
    if (!Number.isSafeInteger(delta)) throw new StoreError('PLUMEGO_ERR_CACHE_NOT_INTEGER');
    return this.incr(key, -delta, ttlMs);
  }

  /** Deletes every entry whose key starts with `keyPrefix`; returns how many. Scans, so cost grows with the keyspace. */
  async invalidatePrefix(keyPrefix: string): Promise<number> {
    if (this.#closed) throw new StoreError('PLUMEGO_ERR_CACHE_CLOSED');
    if (typeof keyPrefix !== 'string') throw new StoreError('PLUMEGO_ERR_CACHE_INVALID_KEY');
    return this.#unlinkMatching(`${escapeGlob(`${this.options.prefix}v:${keyPrefix}`)}*`);
  }

  /** Deletes every entry stored with any of `tags`; returns how many keys were removed. */
  async invalidateTags(tags: readonly string[]): Promise<number> {
    if (this.#closed) throw new StoreError('PLUMEGO_ERR_CACHE_CLOSED');
    let removed = 0;
    for (const tag of tags) {
      if (typeof tag !== 'string' || tag === '')
        throw new StoreError('PLUMEGO_ERR_CACHE_INVALID_KEY', { reason: 'tag' });
      removed += Number(await callRedis(() => this.#redis.eval(INVALIDATE_TAG, 1, `${this.options.prefix}t:${tag}`)));
    }
    return removed;
  }

  /**
   * The cached value, or `load()`'s result stored with `options`. Concurrent misses for one key
   * share one load: in-process through a promise map, across instances through a Redis lock
   * (`SET NX PX`); waiters poll until the value appears. A loader that holds the lock past
   * `lockWaitMs` (crashed, or slow) no longer blocks the others: they load themselves.
   */
  async getOrSet(key: string, load: () => Promise<V>, options: SetOptions = {}): Promise<V> {
    const hit = await this.find(key);
    if (hit !== undefined) return hit.value;
    const running = this.#loading.get(key);
    if (running !== undefined) return running;
    const loading = this.#loadOnce(key, load, options).finally(() => this.#loading.delete(key));
    this.#loading.set(key, loading);
    return loading;
  }

  async #loadOnce(key: string, load: () => Promise<V>, options: SetOptions): Promise<V> {
    const lock = `${this.options.prefix}l:${key}`;
    const token = randomUUID();
    const deadline = Date.now() + this.options.lockWaitMs;
    for (let wait = 5; ; wait = Math.min(wait * 2, 100)) {
      const acquired = await callRedis(() => this.#redis.set(lock, token, 'PX', this.options.lockTtlMs, 'NX'));
      if (acquired === 'OK') break;
      await new Promise((resolve) => setTimeout(resolve, wait));
      const hit = await this.find(key);
      if (hit !== undefined) return hit.value;
      if (Date.now() >= deadline) return this.#store(key, await load(), options);
    }
    try {
      // Another instance may have stored it between our miss and our lock.
      const hit = await this.find(key);
      if (hit !== undefined) return hit.value;
      return await this.#store(key, await load(), options);
    } finally {
      await callRedis(() => this.#redis.eval(UNLOCK, 1, lock, token)).catch(() => undefined);
    }
  }

  async #store(key: string, value: V, options: SetOptions): Promise<V> {
    await this.setEntry(key, value, options);
    return value;
  }

  /** Deletes every key under this cache's prefix (values, tags, locks). */
  async clear(): Promise<void> {
    if (this.#closed) throw new StoreError('PLUMEGO_ERR_CACHE_CLOSED');
    await this.#unlinkMatching(`${escapeGlob(this.options.prefix)}*`);
  }

  async #unlinkMatching(pattern: string): Promise<number> {
    let cursor = '0';
    let removed = 0;
    do {
      const [next, keys] = await callRedis(() => this.#redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500));
      cursor = next;
      if (keys.length > 0) removed += await callRedis(() => this.#redis.unlink(...keys));
    } while (cursor !== '0');
    return removed;
  }

  /** Marks the cache closed; the caller's Redis client stays open. */
  async close(): Promise<void> {
    this.#closed = true;
  }
}
