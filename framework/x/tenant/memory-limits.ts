import { assertOption } from './errors.ts';
import {
  getRetryAfterMs,
  slidingCount,
  type LimitDecision,
  type QuotaStore,
  type RateLimitStore,
  type TenantLimits,
  type TenantLimitsDecision,
  type TenantLimitsStore,
} from './limits.ts';

export interface MemoryLimitStoreOptions {
  /** Most keys kept; past it, entries whose window or bucket has run out are swept first (default 100 000). */
  maxKeys?: number;
}

interface Window {
  index: number;
  count: number;
  previous: number;
}

/**
 * Quota windows in this process. Fine for one instance; several instances need `RedisQuotaStore`
 * or each one counts only its own share.
 */
export class MemoryQuotaStore implements QuotaStore {
  readonly #windows = new Map<string, Window>();
  readonly #maxKeys: number;

  constructor(options: MemoryLimitStoreOptions = {}) {
    this.#maxKeys = options.maxKeys ?? 100_000;
    assertOption(Number.isInteger(this.#maxKeys) && this.#maxKeys > 0, 'maxKeys', 'must be a positive integer');
  }

  consume(key: string, limit: number, windowMs: number, window: 'fixed' | 'sliding', now: number): LimitDecision {
    const index = Math.floor(now / windowMs);
    let w = this.#windows.get(key);
    if (!w) {
      if (this.#windows.size >= this.#maxKeys) this.#sweep(now, windowMs);
      w = { index, count: 0, previous: 0 };
      this.#windows.set(key, w);
    } else if (w.index !== index) {
      w.previous = w.index === index - 1 ? w.count : 0;
      w.count = 0;
      w.index = index;
    }
    const resetAt = (index + 1) * windowMs;
    const used = window === 'sliding' ? slidingCount(w.previous, w.count, windowMs, now) : w.count;
    if (used + 1 > limit) {
      return {
        allowed: false,
        limit,
        remaining: 0,
        resetAt,
        retryAfterMs: getRetryAfterMs(window, w.previous, w.count, limit, windowMs, now),
      };
    }
    w.count++;
    return { allowed: true, limit, remaining: Math.max(0, Math.floor(limit - used - 1)), resetAt, retryAfterMs: 0 };
  }

  #sweep(now: number, windowMs: number): void {
    const index = Math.floor(now / windowMs);
    for (const [k, w] of this.#windows) if (w.index < index - 1) this.#windows.delete(k);
    // Still full: drop the oldest entries (insertion order) rather than grow without bound.
    for (const k of this.#windows.keys()) {
      if (this.#windows.size < this.#maxKeys) break;
      this.#windows.delete(k);
    }
  }
}

interface Bucket {
  tokens: number;
  at: number;
}

/** Token buckets in this process (see `RedisRateLimitStore` for several instances). */
export class MemoryRateLimitStore implements RateLimitStore {
  readonly #buckets = new Map<string, Bucket>();
  readonly #maxKeys: number;

  constructor(options: MemoryLimitStoreOptions = {}) {
    this.#maxKeys = options.maxKeys ?? 100_000;
    assertOption(Number.isInteger(this.#maxKeys) && this.#maxKeys > 0, 'maxKeys', 'must be a positive integer');
  }

  take(key: string, ratePerSecond: number, burst: number, now: number): LimitDecision {
    let b = this.#buckets.get(key);
    if (!b) {
      if (this.#buckets.size >= this.#maxKeys) this.#sweep(now, ratePerSecond, burst);
      b = { tokens: burst, at: now };
      this.#buckets.set(key, b);
    } else {
      b.tokens = Math.min(burst, b.tokens + (Math.max(0, now - b.at) / 1000) * ratePerSecond);
      b.at = Math.max(b.at, now);
    }
    const fullIn = ((burst - b.tokens) / ratePerSecond) * 1000;
    if (b.tokens < 1) {
      const retryAfterMs = Math.ceil(((1 - b.tokens) / ratePerSecond) * 1000);
      return { allowed: false, limit: burst, remaining: 0, resetAt: Math.ceil(now + fullIn), retryAfterMs };
    }
    b.tokens -= 1;
    return {
      allowed: true,
      limit: burst,
      remaining: Math.floor(b.tokens),
      resetAt: Math.ceil(now + fullIn + 1000 / ratePerSecond),
      retryAfterMs: 0,
    };
  }

  #sweep(now: number, ratePerSecond: number, burst: number): void {
    const fullAfterMs = (burst / ratePerSecond) * 1000;
    // A bucket that has refilled completely is indistinguishable from a new one: dropping it is free.
    for (const [k, b] of this.#buckets) if (now - b.at >= fullAfterMs) this.#buckets.delete(k);
    for (const k of this.#buckets.keys()) {
      if (this.#buckets.size < this.#maxKeys) break;
      this.#buckets.delete(k);
    }
  }
}

/** Rate limit and quota of this process in one synchronous step (see `RedisTenantLimitsStore` for several instances). */
export class MemoryTenantLimitsStore implements TenantLimitsStore {
  readonly #rate: MemoryRateLimitStore;
  readonly #quota: MemoryQuotaStore;

  constructor(options: MemoryLimitStoreOptions = {}) {
    this.#rate = new MemoryRateLimitStore(options);
    this.#quota = new MemoryQuotaStore(options);
  }

  check(key: string, limits: TenantLimits, now: number): TenantLimitsDecision {
    const { rateLimit: rl, quota: q } = limits;
    const rateLimit = rl ? this.#rate.take(key, rl.ratePerSecond, rl.burst, now) : undefined;
    if (rateLimit && !rateLimit.allowed) return { rateLimit };
    if (!q) return rateLimit ? { rateLimit } : {};
    const quota = this.#quota.consume(key, q.limit, q.windowMs, q.window ?? 'fixed', now);
    return rateLimit ? { rateLimit, quota } : { quota };
  }
}
