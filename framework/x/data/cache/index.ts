export { Leaderboard } from './leaderboard.ts';
export type { LeaderboardEntry, LeaderboardOptions } from './leaderboard.ts';
export { DEFAULT_REDIS_CACHE_OPTIONS, RedisCache, resolveRedisCacheOptions } from './redis-cache.ts';
export type { RedisCacheOptions, ResolvedRedisCacheOptions, SetOptions } from './redis-cache.ts';
export { TwoLevelCache } from './two-level-cache.ts';
export type { TwoLevelCacheOptions } from './two-level-cache.ts';
