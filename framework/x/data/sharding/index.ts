export { ShardRouter } from './shard-router.ts';
export type { ScatterOptions, ScatterResult, ShardRouterOptions } from './shard-router.ts';
export { createShardLocator, getKeyHash } from './strategy.ts';
export type { HashStrategy, RangeStrategy, ShardKey, ShardLocator, ShardStrategy } from './strategy.ts';
