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
export { assertCompletable, assertIdempotencyKey, assertIdempotencyRecord } from './idempotency/record.ts';
export type { IdempotencyRecord, IdempotencyStatus, IdempotencyStore } from './idempotency/record.ts';
export { MemoryIdempotencyStore } from './idempotency/memory-store.ts';
export type { MemoryIdempotencyStoreOptions } from './idempotency/memory-store.ts';
export { SqliteIdempotencyStore } from './idempotency/sqlite-store.ts';
export type { SqliteIdempotencyStoreOptions } from './idempotency/sqlite-store.ts';
export { createIdempotencyMiddleware, resolveIdempotencyMiddlewareOptions } from './idempotency/http.ts';
export type { IdempotencyMiddlewareOptions, ResolvedIdempotencyMiddlewareOptions } from './idempotency/http.ts';
export type { FileListOptions, FileStat, FileStorage } from './file/storage.ts';
export { assertStoragePath } from './file/path.ts';
export { LocalFileStorage } from './file/local-storage.ts';
export type { LocalFileStorageOptions } from './file/local-storage.ts';
export type { Database, DbExecutor, ExecResult, SqlParams } from './db/db.ts';
export { SqliteDatabase } from './db/sqlite-database.ts';
export type { SqliteDatabaseOptions } from './db/sqlite-database.ts';
export type { ConformanceHarness, ConformanceTest } from './conformance/harness.ts';
export { describeDatabaseConformance } from './conformance/database-suite.ts';
export type { DatabaseConformanceTarget } from './conformance/database-suite.ts';
export { describeIdempotencyConformance } from './conformance/idempotency-suite.ts';
export type { IdempotencyConformanceTarget } from './conformance/idempotency-suite.ts';
export { describeCacheConformance } from './conformance/cache-suite.ts';
export type { CacheConformanceTarget } from './conformance/cache-suite.ts';
export { describeFileStorageConformance } from './conformance/file-storage-suite.ts';
export type { FileStorageConformanceTarget } from './conformance/file-storage-suite.ts';
