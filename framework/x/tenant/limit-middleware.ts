import { isPromise, type Handler, type Middleware, type Request, type ResponseWriter } from 'plumego/contract';
import type { TenantConfig, TenantConfigSource } from './config.ts';
import { assertOption, TENANT_ERROR_CODES, type TenantErrorCode } from './errors.ts';
import type { LimitDecision, QuotaStore, RateLimitStore, TenantLimitsDecision, TenantLimitsStore } from './limits.ts';
import { loadTenant, type LoadedTenant } from './load-config.ts';
import { MemoryQuotaStore, MemoryRateLimitStore, MemoryTenantLimitsStore } from './memory-limits.ts';
import { refuse } from './respond.ts';

export interface TenantQuotaOptions {
  tenants: TenantConfigSource;
  /** Default: a `MemoryQuotaStore` of this process. */
  store?: QuotaStore;
  /** Clock in unix ms (tests inject one). */
  now?: () => number;
}

export interface TenantRateLimitOptions {
  tenants: TenantConfigSource;
  /** Default: a `MemoryRateLimitStore` of this process. */
  store?: RateLimitStore;
  now?: () => number;
}

export interface TenantLimitsOptions {
  tenants: TenantConfigSource;
  /** Default: a `MemoryTenantLimitsStore` of this process; `RedisTenantLimitsStore` for several instances. */
  store?: TenantLimitsStore;
  now?: () => number;
}

interface Stage {
  readonly name: string;
  readonly limitHeader: string;
  readonly remainingHeader: string;
  readonly resetHeader: string;
  readonly code: TenantErrorCode;
  readonly message: string;
  decide(id: string, config: TenantConfig, now: number): LimitDecision | Promise<LimitDecision> | undefined;
}

function writeHeaders(stage: Stage, w: ResponseWriter, decision: LimitDecision): void {
  w.setHeader(stage.limitHeader, String(decision.limit));
  w.setHeader(stage.remainingHeader, String(decision.remaining));
  w.setHeader(stage.resetHeader, String(Math.ceil(decision.resetAt / 1000)));
}

function apply(
  stage: Stage,
  next: Handler,
  w: ResponseWriter,
  r: Request,
  decision: LimitDecision | undefined,
): void | Promise<void> {
  if (decision === undefined) return next(w, r);
  writeHeaders(stage, w, decision);
  if (decision.allowed) return next(w, r);
  const retryAfter = Math.max(1, Math.ceil(decision.retryAfterMs / 1000));
  w.setHeader('retry-after', String(retryAfter));
  return refuse(w, r, stage.code, stage.message, { limit: decision.limit, retry_after: retryAfter });
}

function unavailable(stage: Stage, w: ResponseWriter, r: Request): void {
  // A limit that cannot be checked is not granted.
  refuse(w, r, TENANT_ERROR_CODES.stateUnavailable, `tenant ${stage.name} state is unavailable`);
}

function decide(
  stage: Stage,
  next: Handler,
  now: () => number,
  w: ResponseWriter,
  r: Request,
  t: LoadedTenant | undefined,
): void | Promise<void> {
  if (!t) return;
  let decision;
  try {
    decision = stage.decide(t.id, t.config, now());
  } catch {
    return unavailable(stage, w, r);
  }
  if (!isPromise(decision)) return apply(stage, next, w, r, decision);
  return decision.then(
    (d) => apply(stage, next, w, r, d),
    () => unavailable(stage, w, r),
  );
}

// Module-level steps and no closures on the synchronous path: this runs on every request.
function limitStage(tenants: TenantConfigSource, now: () => number, stage: Stage): Middleware {
  return (next: Handler): Handler =>
    (w: ResponseWriter, r: Request) => {
      const t = loadTenant(w, r, tenants, stage.name);
      if (!isPromise(t)) return decide(stage, next, now, w, r, t);
      return t.then((v) => decide(stage, next, now, w, r, v));
    };
}

function checkCommon(options: { tenants: TenantConfigSource; now?: () => number }): () => number {
  assertOption(typeof options?.tenants?.get === 'function', 'tenants', 'must be a TenantConfigSource');
  assertOption(options.now === undefined || typeof options.now === 'function', 'now', 'must be a function');
  return options.now ?? Date.now;
}

/**
 * The third stage: the tenant's request quota per window (429 TENANT_QUOTA_EXCEEDED with
 * `Retry-After`; `X-Quota-Limit/-Remaining/-Reset` on every counted response). A tenant without a
 * quota in its config is not counted.
 */
export function tenantQuota(options: TenantQuotaOptions): Middleware {
  const now = checkCommon(options);
  const store = options.store ?? new MemoryQuotaStore();
  assertOption(typeof store.consume === 'function', 'store', 'must be a QuotaStore');
  return limitStage(options.tenants, now, {
    name: 'quota',
    limitHeader: 'x-quota-limit',
    remainingHeader: 'x-quota-remaining',
    resetHeader: 'x-quota-reset',
    code: TENANT_ERROR_CODES.quotaExceeded,
    message: 'tenant quota exceeded',
    decide: (id, config, at) =>
      config.quota && store.consume(id, config.quota.limit, config.quota.windowMs, config.quota.window ?? 'fixed', at),
  });
}

/**
 * The fourth stage: the tenant's token bucket (429 TENANT_RATE_LIMITED with `Retry-After`;
 * `X-RateLimit-Limit/-Remaining/-Reset` on every counted response). A tenant without a rate limit
 * in its config is not limited.
 */
export function tenantRateLimit(options: TenantRateLimitOptions): Middleware {
  const now = checkCommon(options);
  const store = options.store ?? new MemoryRateLimitStore();
  assertOption(typeof store.take === 'function', 'store', 'must be a RateLimitStore');
  return limitStage(options.tenants, now, {
    name: 'rate limit',
    limitHeader: 'x-ratelimit-limit',
    remainingHeader: 'x-ratelimit-remaining',
    resetHeader: 'x-ratelimit-reset',
    code: TENANT_ERROR_CODES.rateLimited,
    message: 'tenant rate limit exceeded',
    decide: (id, config, at) =>
      config.rateLimit && store.take(id, config.rateLimit.ratePerSecond, config.rateLimit.burst, at),
  });
}

const RATE_STAGE = {
  name: 'rate limit',
  limitHeader: 'x-ratelimit-limit',
  remainingHeader: 'x-ratelimit-remaining',
  resetHeader: 'x-ratelimit-reset',
  code: TENANT_ERROR_CODES.rateLimited,
  message: 'tenant rate limit exceeded',
  decide: () => undefined,
} satisfies Stage;
const QUOTA_STAGE = {
  name: 'quota',
  limitHeader: 'x-quota-limit',
  remainingHeader: 'x-quota-remaining',
  resetHeader: 'x-quota-reset',
  code: TENANT_ERROR_CODES.quotaExceeded,
  message: 'tenant quota exceeded',
  decide: () => undefined,
} satisfies Stage;
const LIMITS_STAGE = { ...RATE_STAGE, name: 'limits' };

function applyBoth(next: Handler, w: ResponseWriter, r: Request, d: TenantLimitsDecision): void | Promise<void> {
  // The rate limit's answer first: when it refused, the quota was not consumed and has no answer.
  if (d.rateLimit && !d.rateLimit.allowed) return apply(RATE_STAGE, next, w, r, d.rateLimit);
  if (d.rateLimit) writeHeaders(RATE_STAGE, w, d.rateLimit);
  return apply(QUOTA_STAGE, next, w, r, d.quota);
}

function decideBoth(
  store: TenantLimitsStore,
  next: Handler,
  now: () => number,
  w: ResponseWriter,
  r: Request,
  t: LoadedTenant | undefined,
): void | Promise<void> {
  if (!t) return;
  if (!t.config.rateLimit && !t.config.quota) return next(w, r);
  let decision;
  try {
    decision = store.check(t.id, t.config, now());
  } catch {
    return unavailable(LIMITS_STAGE, w, r);
  }
  if (!isPromise(decision)) return applyBoth(next, w, r, decision);
  return decision.then(
    (d) => applyBoth(next, w, r, d),
    () => unavailable(LIMITS_STAGE, w, r),
  );
}

/**
 * Stages three and four as one: the rate limit and the quota decided by a single store call — with
 * `RedisTenantLimitsStore`, one EVALSHA per request instead of two. Same order, headers and
 * refusals as `tenantRateLimit` followed by `tenantQuota`: a rate-limited request spends no quota.
 */
export function tenantLimits(options: TenantLimitsOptions): Middleware {
  const now = checkCommon(options);
  const store = options.store ?? new MemoryTenantLimitsStore();
  assertOption(typeof store.check === 'function', 'store', 'must be a TenantLimitsStore');
  const tenants = options.tenants;
  return (next: Handler): Handler =>
    (w: ResponseWriter, r: Request) => {
      const t = loadTenant(w, r, tenants, 'limits');
      if (!isPromise(t)) return decideBoth(store, next, now, w, r, t);
      return t.then((v) => decideBoth(store, next, now, w, r, v));
    };
}
