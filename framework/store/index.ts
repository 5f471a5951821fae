export { STORE_ERRORS, StoreError, isStoreError } from './errors.ts';
export type { StoreErrorCode, StoreErrorOptions } from './errors.ts';
export type { Cache, CacheHit, CacheStats, CounterCache } from './cache/cache.ts';
export {
  DEFAULT_MEMORY_CACHE_OPTIONS,
  MemoryCache,
  getDefaultSize,
  resolveMemoryCacheOptions,
} from './cache/memory-cache.ts';
export type { MemoryCacheOptions, ResolvedMemoryCacheOptions } from './cache/memory-cache.ts';
export type { KvListOptions, KvSetOptions, KvStats, KvStore } from './kv/kv.ts';
export { DEFAULT_SQLITE_KV_STORE_OPTIONS, SqliteKvStore, resolveSqliteKvStoreOptions } from './kv/sqlite-kv-store.ts';
export type { ResolvedSqliteKvStoreOptions, SqliteKvStoreOptions } from './kv/sqlite-kv-store.ts';
