export { CACHE_DIR, CACHES, cacheKey, hashText, type CacheEntry } from './caches.mjs';
export { writeCacheFile } from './write-cache-file.mjs';
