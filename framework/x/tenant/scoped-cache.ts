import type { Cache, CacheHit } from 'plumego/store';
import { assertOption } from './errors.ts';
import { isValidTenantId } from './tenant-id.ts';

/**
 * The key a tenant's entry is stored under. The id's length goes first, so no pair of (tenant, key)
 * can produce another pair's storage key (tenant `a:b` + key `c` vs tenant `a` + key `b:c`).
 */
export function tenantKey(tenantId: string, key: string): string {
  return `t${tenantId.length}:${tenantId}:${key}`;
}

/**
 * A view of `cache` that one tenant sees: every key is prefixed, and `clear` removes nothing of
 * another tenant's (it is refused, since a shared cache cannot clear one prefix atomically).
 */
export function tenantScopedCache<V>(cache: Cache<V>, tenantId: string): Cache<V> {
  assertOption(isValidTenantId(tenantId), 'tenantId', 'must be a valid tenant id');
  const k = (key: string): string => tenantKey(tenantId, key);
  return {
    get: (key) => cache.get(k(key)),
    find: (key): Promise<CacheHit<V> | undefined> => cache.find(k(key)),
    set: (key, value, ttlMs) => cache.set(k(key), value, ttlMs),
    delete: (key) => cache.delete(k(key)),
    has: (key) => cache.has(k(key)),
    clear: () =>
      Promise.reject(new TypeError('a tenant-scoped cache cannot clear the shared cache; delete keys instead')),
    close: () => Promise.resolve(),
  };
}
