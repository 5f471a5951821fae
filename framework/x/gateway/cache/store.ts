import type CachePolicy from 'http-cache-semantics';

/** One stored response variant: the serialised policy, status, headers and the whole body. */
export interface CacheEntry {
  policy: CachePolicy.CachePolicyObject;
  status: number;
  headers: Record<string, string | string[]>;
  body: Buffer;
}

/**
 * Where cached responses live. All variants of one URL (one per `Vary` combination) sit under one
 * key, so a lookup is a single read. Implementations must be safe to share between requests.
 */
export interface CacheStore {
  read(key: string): Promise<CacheEntry[] | undefined>;
  /** Replaces the variants of `key`; `ttlMs` bounds how long the store may keep them. */
  write(key: string, entries: CacheEntry[], ttlMs: number): Promise<void>;
  delete(key: string): Promise<void>;
}

function sizeOf(entries: readonly CacheEntry[]): number {
  let n = 0;
  for (const e of entries) n += e.body.byteLength + 512;
  return n;
}

export interface MemoryCacheStoreOptions {
  /** Total body bytes kept before the least recently used URLs are evicted. Default 64 MiB. */
  maxBytes?: number;
  /** Clock in epoch ms. Default `Date.now`. */
  now?: () => number;
}

/** An in-process LRU bounded by bytes; entries also expire after their `ttlMs`. */
export class MemoryCacheStore implements CacheStore {
  readonly #map = new Map<string, { entries: CacheEntry[]; expires: number; size: number }>();
  readonly #maxBytes: number;
  readonly #now: () => number;
  #bytes = 0;

  constructor(options: MemoryCacheStoreOptions = {}) {
    this.#maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
    this.#now = options.now ?? Date.now;
    if (!(Number.isFinite(this.#maxBytes) && this.#maxBytes > 0))
      throw new RangeError('maxBytes must be a positive number');
  }

  get bytes(): number {
    return this.#bytes;
  }

  read(key: string): Promise<CacheEntry[] | undefined> {
    const slot = this.#map.get(key);
    if (slot === undefined) return Promise.resolve(undefined);
    if (slot.expires <= this.#now()) {
      this.#remove(key);
      return Promise.resolve(undefined);
    }
    // Re-insert to mark as most recently used.
    this.#map.delete(key);
    this.#map.set(key, slot);
    return Promise.resolve(slot.entries);
  }

  write(key: string, entries: CacheEntry[], ttlMs: number): Promise<void> {
    this.#remove(key);
    const size = sizeOf(entries);
    if (size > this.#maxBytes) return Promise.resolve();
    this.#map.set(key, { entries, expires: this.#now() + ttlMs, size });
    this.#bytes += size;
    for (const k of this.#map.keys()) {
      if (this.#bytes <= this.#maxBytes) break;
      this.#remove(k);
    }
    return Promise.resolve();
  }

  delete(key: string): Promise<void> {
    this.#remove(key);
    return Promise.resolve();
  }

  #remove(key: string): void {
    const slot = this.#map.get(key);
    if (slot === undefined) return;
    this.#map.delete(key);
    this.#bytes -= slot.size;
  }
}

/** The few Redis commands the store needs (ioredis and node-redis clients both fit). */
export interface RedisLike {
  getBuffer(key: string): Promise<Buffer | null>;
  set(key: string, value: Buffer, mode: 'PX', ttlMs: number): Promise<unknown>;
  del(key: string): Promise<unknown>;
}

interface WireEntry {
  policy: CachePolicy.CachePolicyObject;
  status: number;
  headers: Record<string, string | string[]>;
  body: string;
}

/**
 * Shares one cache between gateway instances through Redis. An entry that does not parse is treated
 * as a miss (and dropped), so a corrupt or foreign value can never be served.
 */
export class RedisCacheStore implements CacheStore {
  readonly #redis: RedisLike;
  readonly #prefix: string;

  constructor(redis: RedisLike, options: { prefix?: string } = {}) {
    this.#redis = redis;
    this.#prefix = options.prefix ?? 'plumego:gateway:cache:';
  }

  async read(key: string): Promise<CacheEntry[] | undefined> {
    const raw = await this.#redis.getBuffer(this.#prefix + key);
    if (raw === null) return undefined;
    try {
      const wire = JSON.parse(raw.toString('utf8')) as WireEntry[];
      if (!Array.isArray(wire)) throw new TypeError('not an array');
      return wire.map((e) => {
        if (typeof e.status !== 'number' || typeof e.body !== 'string' || typeof e.policy !== 'object')
          throw new TypeError('bad entry');
        return { policy: e.policy, status: e.status, headers: e.headers, body: Buffer.from(e.body, 'base64') };
      });
    } catch {
      await this.#redis.del(this.#prefix + key);
      return undefined;
    }
  }

  async write(key: string, entries: CacheEntry[], ttlMs: number): Promise<void> {
    const wire: WireEntry[] = entries.map((e) => ({
      policy: e.policy,
      status: e.status,
      headers: e.headers,
      body: e.body.toString('base64'),
    }));
    await this.#redis.set(this.#prefix + key, Buffer.from(JSON.stringify(wire)), 'PX', Math.max(1, Math.ceil(ttlMs)));
  }

  async delete(key: string): Promise<void> {
    await this.#redis.del(this.#prefix + key);
  }
}
