export { concurrencyLimit, resolveConcurrencyLimitOptions } from './concurrency-limit.ts';
export type { ConcurrencyLimitOptions, ResolvedConcurrencyLimitOptions } from './concurrency-limit.ts';
