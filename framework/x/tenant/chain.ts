import type { Middleware } from 'plumego/contract';
import type { TenantConfigSource } from './config.ts';
import { tenantQuota, tenantRateLimit } from './limit-middleware.ts';
import type { QuotaStore, RateLimitStore } from './limits.ts';
import { tenantPolicy } from './policy.ts';
import { resolveTenant, type ResolveTenantOptions } from './resolve.ts';

export interface TenantChainOptions {
  tenants: TenantConfigSource;
  resolve?: Omit<ResolveTenantOptions, 'tenants' | 'allowMissing'>;
  quotaStore?: QuotaStore;
  rateLimitStore?: RateLimitStore;
  now?: () => number;
}

/**
 * The four stages in their one correct order — resolve, policy, rate limit, quota — for
 * `app.use(...createTenantChain(...))`. Policy runs before the counters so a forbidden request
 * spends nothing; the rate limit before the quota so a request told to slow down does not burn the
 * tenant's (slowly renewed) quota, while a quota refusal costs only a token that refills in seconds.
 */
export function createTenantChain(options: TenantChainOptions): readonly Middleware[] {
  const { tenants, now } = options;
  return [
    resolveTenant({ ...options.resolve, tenants }),
    tenantPolicy({ tenants }),
    tenantRateLimit({ tenants, ...(options.rateLimitStore ? { store: options.rateLimitStore } : {}), ...(now ? { now } : {}) }),
    tenantQuota({ tenants, ...(options.quotaStore ? { store: options.quotaStore } : {}), ...(now ? { now } : {}) }),
  ];
}
