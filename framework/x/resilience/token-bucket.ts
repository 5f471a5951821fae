import { assertOption } from './errors.ts';

export interface TokenBucketOptions {
  /** Tokens added per second. Required, > 0. */
  ratePerSecond: number;
  /** Bucket capacity (the largest burst). Required, ≥ 1. */
  burst: number;
  /** Clock in epoch ms; injectable so tests never sleep. Default `Date.now`. */
  now?: () => number;
}

export interface TakeResult {
  allowed: boolean;
  /** Whole tokens left after this decision. */
  remaining: number;
  /** How long until `n` tokens are available; 0 when allowed. */
  retryAfterMs: number;
}

function assertBucketOptions(ratePerSecond: number, burst: number): void {
  assertOption(Number.isFinite(ratePerSecond) && ratePerSecond > 0, 'ratePerSecond', 'a positive number');
  assertOption(Number.isInteger(burst) && burst >= 1, 'burst', 'an integer ≥ 1');
}

/** A lazily refilled token bucket: no timers, state advances on each call from the injected clock. */
export class TokenBucket {
  #rate: number;
  #burst: number;
  #tokens: number;
  #last: number;
  readonly #now: () => number;

  constructor(options: TokenBucketOptions) {
    assertBucketOptions(options.ratePerSecond, options.burst);
    this.#rate = options.ratePerSecond;
    this.#burst = options.burst;
    this.#tokens = options.burst;
    this.#now = options.now ?? Date.now;
    this.#last = this.#now();
  }

  get lastUsed(): number {
    return this.#last;
  }

  /** Takes `n` tokens if available; never blocks. */
  take(n = 1): TakeResult {
    assertOption(Number.isInteger(n) && n >= 1 && n <= this.#burst, 'n', 'an integer between 1 and burst');
    this.#refill();
    if (this.#tokens >= n) {
      this.#tokens -= n;
      return { allowed: true, remaining: Math.floor(this.#tokens), retryAfterMs: 0 };
    }
    return {
      allowed: false,
      remaining: Math.floor(this.#tokens),
      retryAfterMs: Math.ceil(((n - this.#tokens) / this.#rate) * 1000),
    };
  }

  remaining(): number {
    this.#refill();
    return Math.floor(this.#tokens);
  }

  /** Changes rate and burst in place, keeping (and capping) the tokens already earned. */
  updateRate(ratePerSecond: number, burst = this.#burst): void {
    assertBucketOptions(ratePerSecond, burst);
    this.#refill();
    this.#rate = ratePerSecond;
    this.#burst = burst;
    this.#tokens = Math.min(this.#tokens, burst);
  }

  #refill(): void {
    const now = this.#now();
    // A clock that steps backwards must not mint or burn tokens.
    const elapsed = Math.max(0, now - this.#last);
    this.#tokens = Math.min(this.#burst, this.#tokens + (elapsed / 1000) * this.#rate);
    this.#last = Math.max(now, this.#last);
  }
}

export interface KeyedTokenBucketsOptions extends TokenBucketOptions {
  /** Most keys kept at once; the least recently used bucket is evicted beyond it. Default 10 000. */
  maxKeys?: number;
}

/**
 * One bucket per key (client IP, tenant, API key) with a hard cap on keys, so an attacker rotating keys
 * costs bounded memory. An evicted key starts again with a full bucket, which is the safe direction for
 * a bounded map: forgetting a key can only be generous, never lock someone out.
 */
export class KeyedTokenBuckets {
  readonly #buckets = new Map<string, TokenBucket>();
  readonly #options: TokenBucketOptions;
  readonly #maxKeys: number;

  constructor(options: KeyedTokenBucketsOptions) {
    assertBucketOptions(options.ratePerSecond, options.burst);
    const maxKeys = options.maxKeys ?? 10_000;
    assertOption(Number.isInteger(maxKeys) && maxKeys >= 1, 'maxKeys', 'an integer ≥ 1');
    this.#maxKeys = maxKeys;
    const { maxKeys: _ignored, ...bucket } = options;
    this.#options = bucket;
  }

  get size(): number {
    return this.#buckets.size;
  }

  take(key: string, n = 1): TakeResult {
    assertOption(key.length > 0, 'key', 'a non-empty string');
    let bucket = this.#buckets.get(key);
    if (bucket) {
      // Re-insert to keep Map order = recency order for LRU eviction.
      this.#buckets.delete(key);
    } else {
      bucket = new TokenBucket(this.#options);
      if (this.#buckets.size >= this.#maxKeys) {
        const oldest = this.#buckets.keys().next();
        if (!oldest.done) this.#buckets.delete(oldest.value);
      }
    }
    this.#buckets.set(key, bucket);
    return bucket.take(n);
  }

  remaining(key: string): number {
    return this.#buckets.get(key)?.remaining() ?? this.#options.burst;
  }

  delete(key: string): boolean {
    return this.#buckets.delete(key);
  }
}
