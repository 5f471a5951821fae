export { PgIdempotencyStore } from './pg-store.ts';
export type { PgIdempotencyStoreOptions } from './pg-store.ts';
export { RedisIdempotencyStore } from './redis-store.ts';
export type { RedisIdempotencyStoreOptions } from './redis-store.ts';
