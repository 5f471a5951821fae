import { SecurityError } from '../errors.ts';

export interface RateLimiterOptions {
  /** Tokens added per second. Default: 100. */
  rate?: number;
  /** Bucket capacity (the largest burst). Default: 200. */
  burst?: number;
  /** Most keys tracked at once; a new key beyond this is denied. Default: 100 000. */
  maxKeys?: number;
  /** Shards (independent maps) the keys are spread over. Default: 16. */
  shards?: number;
  /** How often idle buckets are swept, in ms. Default: 60 000. */
  sweepIntervalMs?: number;
  /** A bucket untouched this long (ms) is dropped on sweep. Default: 300 000. */
  idleTimeoutMs?: number;
  /** Longest accepted key in characters. Default: 512. */
  maxKeyLength?: number;
  /** Clock in ms, for tests. Default: `Date.now`. */
  now?: () => number;
}

export interface ResolvedRateLimiterOptions {
  rate: number;
  burst: number;
  maxKeys: number;
  shards: number;
  sweepIntervalMs: number;
  idleTimeoutMs: number;
  maxKeyLength: number;
  now: () => number;
}

export const DEFAULT_RATE_LIMITER_OPTIONS: ResolvedRateLimiterOptions = {
  rate: 100,
  burst: 200,
  maxKeys: 100_000,
  shards: 16,
  sweepIntervalMs: 60_000,
  idleTimeoutMs: 300_000,
  maxKeyLength: 512,
  now: Date.now,
};

function positive(value: number, field: string, integer: boolean): number {
  if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    throw new SecurityError('PLUMEGO_ERR_ABUSE_INVALID_OPTIONS', { field });
  }
  return value;
}

export function resolveRateLimiterOptions(options: RateLimiterOptions = {}): ResolvedRateLimiterOptions {
  const merged = { ...DEFAULT_RATE_LIMITER_OPTIONS, ...options };
  positive(merged.rate, 'rate', false);
  positive(merged.burst, 'burst', true);
  positive(merged.maxKeys, 'maxKeys', true);
  positive(merged.shards, 'shards', true);
  positive(merged.sweepIntervalMs, 'sweepIntervalMs', true);
  positive(merged.idleTimeoutMs, 'idleTimeoutMs', true);
  positive(merged.maxKeyLength, 'maxKeyLength', true);
  return merged;
}

export interface RateLimitDecision {
  allowed: boolean;
  /** The bucket capacity. */
  limit: number;
  /** Whole tokens left after this call. */
  remaining: number;
  /** Unix time (ms) when the bucket is full again. */
  resetAt: number;
  /** Ms until the next token when denied; 0 when allowed. */
  retryAfterMs: number;
}

export interface RateLimiterStats {
  keys: number;
  allowed: number;
  denied: number;
  swept: number;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
}

function hashKey(key: string): number {
  // FNV-1a: cheap and well spread, and shard choice needs no secrecy.
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/**
 * Token buckets per key, spread over shards so a sweep walks one small map at a time. The sweep
 * timer is unref'd: a limiter never keeps the process alive, and `stop()` clears it.
 */
export class RateLimiter {
  readonly options: ResolvedRateLimiterOptions;
  readonly #shards: Array<Map<string, Bucket>>;
  readonly #timer: NodeJS.Timeout;
  #keys = 0;
  #allowed = 0;
  #denied = 0;
  #swept = 0;
  #nextSweepShard = 0;

  constructor(options: RateLimiterOptions = {}) {
    this.options = resolveRateLimiterOptions(options);
    this.#shards = Array.from({ length: this.options.shards }, () => new Map<string, Bucket>());
    this.#timer = setInterval(() => this.sweep(), this.options.sweepIntervalMs);
    this.#timer.unref();
  }

  /** Takes one token for `key`. An empty or over-long key throws `PLUMEGO_ERR_ABUSE_INVALID_KEY`. */
  allow(key: string): RateLimitDecision {
    const { rate, burst, maxKeys, maxKeyLength, now } = this.options;
    if (key.length === 0 || key.length > maxKeyLength) {
      throw new SecurityError('PLUMEGO_ERR_ABUSE_INVALID_KEY');
    }
    const at = now();
    const shard = this.#shards[hashKey(key) % this.#shards.length] as Map<string, Bucket>;
    let bucket = shard.get(key);
    if (bucket === undefined) {
      if (this.#keys >= maxKeys) {
        // Fail closed: a flood of fresh keys must not evict the buckets of real clients.
        this.#denied++;
        return {
          allowed: false,
          limit: burst,
          remaining: 0,
          resetAt: at + Math.ceil(1000 / rate),
          retryAfterMs: Math.ceil(1000 / rate),
        };
      }
      bucket = { tokens: burst, updatedAt: at };
      shard.set(key, bucket);
      this.#keys++;
    } else {
      const elapsed = Math.max(0, at - bucket.updatedAt);
      bucket.tokens = Math.min(burst, bucket.tokens + (elapsed * rate) / 1000);
      bucket.updatedAt = at;
    }
    const allowed = bucket.tokens >= 1;
    if (allowed) {
      bucket.tokens -= 1;
      this.#allowed++;
    } else {
      this.#denied++;
    }
    const resetAt = at + Math.ceil(((burst - bucket.tokens) * 1000) / rate);
    const retryAfterMs = allowed ? 0 : Math.ceil(((1 - bucket.tokens) * 1000) / rate);
    return { allowed, limit: burst, remaining: Math.floor(bucket.tokens), resetAt, retryAfterMs };
  }

  /** Drops idle buckets from every shard. Runs on the timer; callable directly (tests). */
  sweep(): number {
    const cutoff = this.options.now() - this.options.idleTimeoutMs;
    let removed = 0;
    for (let i = 0; i < this.#shards.length; i++) {
      const shard = this.#shards[(this.#nextSweepShard + i) % this.#shards.length] as Map<string, Bucket>;
      for (const [key, bucket] of shard) {
        if (bucket.updatedAt <= cutoff) {
          shard.delete(key);
          removed++;
        }
      }
    }
    this.#nextSweepShard = (this.#nextSweepShard + 1) % this.#shards.length;
    this.#keys -= removed;
    this.#swept += removed;
    return removed;
  }

  getStats(): RateLimiterStats {
    return { keys: this.#keys, allowed: this.#allowed, denied: this.#denied, swept: this.#swept };
  }

  /** Stops the sweep timer. The limiter still answers `allow` afterwards. */
  stop(): void {
    clearInterval(this.#timer);
  }
}
