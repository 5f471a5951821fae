/** What a quota or rate-limit store answers for one request. Times are unix milliseconds. */
export interface LimitDecision {
  readonly allowed: boolean;
  readonly limit: number;
  readonly remaining: number;
  /** When the window ends (quota) or the bucket is full again (rate limit). */
  readonly resetAt: number;
  /** How long until a request would be allowed; 0 when allowed. */
  readonly retryAfterMs: number;
}

/** Counts requests per key in fixed or sliding windows. Denied requests are not counted. */
export interface QuotaStore {
  consume(
    key: string,
    limit: number,
    windowMs: number,
    window: 'fixed' | 'sliding',
    now: number,
  ): LimitDecision | Promise<LimitDecision>;
}

/** Token buckets per key. */
export interface RateLimitStore {
  take(key: string, ratePerSecond: number, burst: number, now: number): LimitDecision | Promise<LimitDecision>;
}

/** What `TenantLimitsStore.check` weighs: a tenant config's rate limit and quota (either may be absent). */
export interface TenantLimits {
  readonly rateLimit?: { readonly ratePerSecond: number; readonly burst: number } | undefined;
  readonly quota?:
    | { readonly limit: number; readonly windowMs: number; readonly window?: 'fixed' | 'sliding' | undefined }
    | undefined;
}

/** The two answers of one combined check; `quota` is absent when the rate limit refused (nothing was counted). */
export interface TenantLimitsDecision {
  readonly rateLimit?: LimitDecision;
  readonly quota?: LimitDecision;
}

/**
 * Rate limit and quota in one step — one Redis round trip instead of two. The order is the chain's:
 * the token bucket first; only a request it lets through is counted against the quota (so a request
 * told to slow down burns no quota), and a quota refusal keeps the token it took.
 */
export interface TenantLimitsStore {
  check(key: string, limits: TenantLimits, now: number): TenantLimitsDecision | Promise<TenantLimitsDecision>;
}

/**
 * The sliding estimate: the current window's count plus the previous window's, weighted by how much
 * of it still overlaps the sliding window. Shared by the memory and Redis stores so both agree.
 */
export function slidingCount(previous: number, current: number, windowMs: number, now: number): number {
  const elapsed = (now % windowMs) / windowMs;
  return previous * (1 - elapsed) + current;
}

/**
 * How long a refused request waits. Fixed window: to the window's end. Sliding: until the previous
 * window's weight has slid out far enough for one more request, which comes before the window's end
 * when the current window still has room.
 */
export function getRetryAfterMs(
  window: 'fixed' | 'sliding',
  previous: number,
  current: number,
  limit: number,
  windowMs: number,
  now: number,
): number {
  const toEnd = windowMs - (now % windowMs);
  if (window === 'fixed' || current + 1 > limit || previous === 0) return toEnd;
  const needElapsed = 1 - (limit - 1 - current) / previous;
  return Math.max(1, Math.min(toEnd, Math.ceil(needElapsed * windowMs - (now % windowMs))));
}
