export { isValidTenantId, tenantIdFromContext, withTenantId } from './tenant-id.ts';
export { TENANT_ERROR_CODES, TenantError, isTenantError } from './errors.ts';
export type { TenantErrorCode } from './errors.ts';
export { InMemoryTenantConfigs, tenantConfigFromContext, validateTenantConfig, withTenantConfig } from './config.ts';
export type {
  TenantConfig,
  TenantConfigListener,
  TenantConfigSource,
  TenantPolicy,
  TenantQuota,
  TenantRateLimit,
} from './config.ts';
export { firstOf, fromHeader, fromPathSegment, fromQuery, fromSubdomain } from './extractors.ts';
export type { TenantExtractor } from './extractors.ts';
export { resolveTenant } from './resolve.ts';
export type { ResolveTenantOptions } from './resolve.ts';
export { isAllowedByPolicy, requireFeature, tenantPolicy } from './policy.ts';
export type { TenantPolicyOptions } from './policy.ts';
export { tenantLimits, tenantQuota, tenantRateLimit } from './limit-middleware.ts';
export type { TenantLimitsOptions, TenantQuotaOptions, TenantRateLimitOptions } from './limit-middleware.ts';
export type {
  LimitDecision,
  QuotaStore,
  RateLimitStore,
  TenantLimits,
  TenantLimitsDecision,
  TenantLimitsStore,
} from './limits.ts';
export { MemoryQuotaStore, MemoryRateLimitStore, MemoryTenantLimitsStore } from './memory-limits.ts';
export type { MemoryLimitStoreOptions } from './memory-limits.ts';
export { RedisQuotaStore, RedisRateLimitStore, RedisTenantLimitsStore } from './redis-limits.ts';
export type { RedisLimitStoreOptions, RedisScriptClient } from './redis-limits.ts';
export { createTenantChain } from './chain.ts';
export type { TenantChainOptions } from './chain.ts';
export { MemoryRevocationStore, RedisRevocationStore, checkRevocation, subjectKey } from './revocation.ts';
export type { RedisCommandClient, RevocationCheckOptions, RevocationStore } from './revocation.ts';
export { tenantKey, tenantScopedCache } from './scoped-cache.ts';
export { TenantScopePlugin, tenantScopedDb } from './scoped-sql.ts';
export type { TenantSqlOptions } from './scoped-sql.ts';
export { PostgresTenantConfigs } from './postgres-configs.ts';
export type { PgListenClient, PgPoolLike, PostgresTenantConfigsOptions } from './postgres-configs.ts';
