export { responseCache } from './cache.ts';
export type { ResponseCacheOptions } from './cache.ts';
export { RecordingWriter } from './recording-writer.ts';
export { MemoryCacheStore, RedisCacheStore } from './store.ts';
export type { CacheEntry, CacheStore, MemoryCacheStoreOptions, RedisLike } from './store.ts';
export { getVariantKey, matchesVary } from './vary.ts';
