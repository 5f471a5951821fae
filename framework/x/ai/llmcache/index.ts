export { LlmCache, createLlmCache } from './cache.ts';
export type { CachedSource, CompletionSource, LlmCacheOptions, LlmCacheStats } from './cache.ts';
export { AI_LLMCACHE_ERROR_CODES, AiLlmCacheError, isAiLlmCacheError } from './errors.ts';
export type { AiLlmCacheErrorCode } from './errors.ts';
export { canonicalJson, computeCacheKey, taskOf } from './key.ts';
