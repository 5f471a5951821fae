import type { Middleware } from 'plumego/contract';
import type { TenantConfigSource } from './config.ts';
import { assertOption } from './errors.ts';
import { tenantLimits, tenantQuota, tenantRateLimit } from './limit-middleware.ts';
import type { QuotaStore, RateLimitStore, TenantLimitsStore } from './limits.ts';
import { tenantPolicy } from './policy.ts';
import { resolveTenant, type ResolveTenantOptions } from './resolve.ts';

export interface TenantChainOptions {
  tenants: TenantConfigSource;
  resolve?: Omit<ResolveTenantOptions, 'tenants' | 'allowMissing'>;
  quotaStore?: QuotaStore;
  rateLimitStore?: RateLimitStore;
  /**
   * Rate limit and quota decided together by one store (`tenantLimits`): with
   * `RedisTenantLimitsStore`, one Redis round trip per request instead of two. Replaces
   * `quotaStore` and `rateLimitStore`, which cannot be given with it.
   */
  limitsStore?: TenantLimitsStore;
  now?: () => number;
}

/**
 * The four stages in their one correct order — resolve, policy, rate limit, quota — for
 * `app.use(...createTenantChain(...))`. Policy runs before the counters so a forbidden request
 * spends nothing; the rate limit before the quota so a request told to slow down does not burn the
 * tenant's (slowly renewed) quota, while a quota refusal costs only a token that refills in seconds.
 * With `limitsStore` the last two are one middleware with the same order.
 */
export function createTenantChain(options: TenantChainOptions): readonly Middleware[] {
  const { tenants, now } = options;
  const clock = now ? { now } : {};
  const head = [resolveTenant({ ...options.resolve, tenants }), tenantPolicy({ tenants })];
  if (options.limitsStore !== undefined) {
    assertOption(
      options.quotaStore === undefined && options.rateLimitStore === undefined,
      'limitsStore',
      'replaces quotaStore and rateLimitStore; give one or the other',
    );
    return [...head, tenantLimits({ tenants, store: options.limitsStore, ...clock })];
  }
  return [
    ...head,
    tenantRateLimit({ tenants, ...(options.rateLimitStore ? { store: options.rateLimitStore } : {}), ...clock }),
    tenantQuota({ tenants, ...(options.quotaStore ? { store: options.quotaStore } : {}), ...clock }),
  ];
}
