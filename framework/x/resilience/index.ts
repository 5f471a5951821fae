export { createBulkhead } from './bulkhead.ts';
export type { Bulkhead, BulkheadOptions } from './bulkhead.ts';
export { CircuitBreaker, createCircuitBreaker, resolveCircuitBreakerOptions } from './circuit-breaker.ts';
export type {
  CircuitBreakerOptions,
  CircuitBreakerStats,
  CircuitCounts,
  CircuitPermit,
  CircuitState,
  ResolvedCircuitBreakerOptions,
} from './circuit-breaker.ts';
export { RESILIENCE_ERROR_CODES, ResilienceError, isResilienceError } from './errors.ts';
export type { ResilienceErrorCode } from './errors.ts';
export { circuitBreakerMiddleware } from './middleware.ts';
export type { CircuitBreakerMiddlewareOptions } from './middleware.ts';
export { createRetry, getBackoffDelay, resolveRetryOptions, retry } from './retry.ts';
export type { JitterMode, ResolvedRetryOptions, RetryOptions } from './retry.ts';
export { createTimeout } from './timeout.ts';
export type { Timeout } from './timeout.ts';
export { KeyedTokenBuckets, TokenBucket } from './token-bucket.ts';
export type { KeyedTokenBucketsOptions, TakeResult, TokenBucketOptions } from './token-bucket.ts';
