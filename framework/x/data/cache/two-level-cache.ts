import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { MemoryCache, StoreError, type Cache, type CacheHit } from 'plumego/store';
import { assertDataOption } from 'plumego/x/data';
import type { RedisCache } from './redis-cache.ts';

export interface TwoLevelCacheOptions<V> {
  /** The shared level. Required. */
  remote: RedisCache<V>;
  /**
   * A connection for SUBSCRIBE (a subscribed ioredis client can run nothing else); typically
   * `redis.duplicate()`. The cache owns it and closes it on `close()`. Required.
   */
  subscriber: Redis;
  /** Channel the instances announce invalidations on. Default: `<remote prefix>invalidate`. */
  channel?: string;
  /** Most entries held in process. Default: 10 000. */
  maxEntries?: number;
  /** Longest an entry stays in process, ms — the bound on staleness if an invalidation is lost. Default: 30 000. */
  localTtlMs?: number;
}

interface Invalidation {
  /** The instance that wrote; it has already updated its own level 1. */
  origin: string;
  /** Keys to drop, or `null` for everything. */
  keys: string[] | null;
}

/**
 * An in-process LRU (store's `MemoryCache`) in front of a `RedisCache`. Hot keys are served from
 * memory; every write or delete goes to Redis first, then is announced on a pub/sub channel so
 * every other instance drops its local copy. While the subscription is down, a lost message could
 * leave a stale copy, so level 1 is cleared and bypassed until the subscription is back; `localTtlMs`
 * bounds staleness even if a message is lost anyway.
 */
export class TwoLevelCache<V = unknown> implements Cache<V> {
  readonly #remote: RedisCache<V>;
  readonly #local: MemoryCache<V>;
  readonly #subscriber: Redis;
  readonly #channel: string;
  readonly #id = randomUUID();
  readonly #localTtlMs: number;
  #subscribed = false;
  #closed = false;
  /** Bumped by every invalidation heard; a read that overlapped one does not fill level 1. */
  #generation = 0;
  readonly #ready: Promise<void>;

  constructor(options: TwoLevelCacheOptions<V>) {
    assertDataOption(typeof options?.remote?.findWithTtl === 'function', 'remote');
    assertDataOption(typeof options.subscriber?.subscribe === 'function', 'subscriber');
    this.#localTtlMs = options.localTtlMs ?? 30_000;
    assertDataOption(Number.isSafeInteger(this.#localTtlMs) && this.#localTtlMs > 0, 'localTtlMs');
    this.#remote = options.remote;
    this.#local = new MemoryCache<V>({ maxEntries: options.maxEntries ?? 10_000, defaultTtlMs: this.#localTtlMs });
    this.#subscriber = options.subscriber;
    this.#channel = options.channel ?? `${options.remote.options.prefix}invalidate`;
    this.#subscriber.on('message', (channel: string, message: string) => {
      if (channel === this.#channel) this.#onInvalidation(message);
    });
    // Any gap in the subscription may have swallowed invalidations: forget everything local.
    this.#subscriber.on('close', () => this.#setSubscribed(false));
    this.#subscriber.on('ready', () => {
      if (!this.#closed) void this.#subscribe();
    });
    this.#ready = this.#subscribe();
  }

  /** Resolves once this instance listens for invalidations (level 1 is bypassed until then). */
  ready(): Promise<void> {
    return this.#ready;
  }

  /** True while level 1 is in use (the subscription is live). */
  isLocalActive(): boolean {
    return this.#subscribed && !this.#closed;
  }

  async #subscribe(): Promise<void> {
    try {
      await this.#subscriber.subscribe(this.#channel);
      this.#setSubscribed(true);
    } catch {
      this.#setSubscribed(false);
    }
  }

  #setSubscribed(on: boolean): void {
    this.#generation++;
    if (!on && !this.#closed) void this.#local.clear();
    this.#subscribed = on;
  }

  #onInvalidation(message: string): void {
    let parsed: Invalidation;
    try {
      parsed = JSON.parse(message) as Invalidation;
    } catch {
      void this.#local.clear();
      return;
    }
    if (parsed.origin === this.#id || this.#closed) return;
    this.#generation++;
    if (parsed.keys === null || !Array.isArray(parsed.keys)) void this.#local.clear();
    else
      for (const key of parsed.keys)
        if (typeof key === 'string' && key !== '') void this.#local.delete(key).catch(() => undefined);
  }

  async #announce(keys: string[] | null): Promise<void> {
    const invalidation: Invalidation = { origin: this.#id, keys };
    await this.#remote.options.redis.publish(this.#channel, JSON.stringify(invalidation));
  }

  #assertOpen(): void {
    if (this.#closed) throw new StoreError('PLUMEGO_ERR_CACHE_CLOSED');
  }

  async find(key: string): Promise<CacheHit<V> | undefined> {
    this.#assertOpen();
    if (this.#subscribed) {
      const local = await this.#local.find(key);
      if (local !== undefined) return local;
    }
    const generation = this.#generation;
    const remote = await this.#remote.findWithTtl(key);
    if (remote === undefined) return undefined;
    // A value read from Redis before an invalidation arrived may already be stale: serve it, do not keep it.
    // The local copy lives no longer than the key itself, so a short TTL is not stretched to `localTtlMs`.
    if (this.#subscribed && generation === this.#generation)
      await this.#local.set(key, remote.value, this.#localTtl(remote.ttlMs));
    return { value: remote.value };
  }

  /** Level 1's lifetime for an entry whose Redis key lives `ttlMs` more (0 = forever). */
  #localTtl(ttlMs: number): number {
    return ttlMs === 0 ? this.#localTtlMs : Math.min(ttlMs, this.#localTtlMs);
  }

  async get(key: string): Promise<V> {
    const hit = await this.find(key);
    if (hit === undefined) throw new StoreError('PLUMEGO_ERR_CACHE_NOT_FOUND');
    return hit.value;
  }

  async set(key: string, value: V, ttlMs?: number): Promise<void> {
    this.#assertOpen();
    await this.#remote.set(key, value, ttlMs);
    await this.#local.delete(key);
    if (this.#subscribed) await this.#local.set(key, value, this.#localTtl(ttlMs ?? this.#remote.options.defaultTtlMs));
    await this.#announce([key]);
  }

  async delete(key: string): Promise<void> {
    this.#assertOpen();
    await this.#remote.delete(key);
    await this.#local.delete(key);
    await this.#announce([key]);
  }

  async has(key: string): Promise<boolean> {
    return (await this.find(key)) !== undefined;
  }

  /** Clears level 1 here, the Redis prefix, and level 1 on every other instance. */
  async clear(): Promise<void> {
    this.#assertOpen();
    await this.#remote.clear();
    await this.#local.clear();
    await this.#announce(null);
  }

  /** Drops `keys` from level 1 on every instance (after a write that bypassed this cache). */
  async invalidate(keys: readonly string[]): Promise<void> {
    this.#assertOpen();
    for (const key of keys) await this.#local.delete(key);
    await this.#announce([...keys]);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#local.close();
    this.#subscriber.disconnect();
  }
}
