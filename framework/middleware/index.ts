export { Chain, createChain } from './chain.ts';
export type { Handler, Middleware } from 'plumego/contract';
export { accessLog, getClientIp } from './accesslog/index.ts';
export type { AccessLogOptions } from './accesslog/index.ts';
export { bodyLimit } from './bodylimit/index.ts';
export type { BodyLimitOptions } from './bodylimit/index.ts';
export {
  CorsOptionsError,
  DEFAULT_CORS_OPTIONS,
  cors,
  createStrictCorsOptions,
  resolveCorsOptions,
} from './cors/index.ts';
export type { CorsOptions, ResolvedCorsOptions } from './cors/index.ts';
export { httpMetrics } from './httpmetrics/index.ts';
export { fromNodeMiddleware } from './nodeadapter/index.ts';
export type { NodeMiddleware } from './nodeadapter/index.ts';
export { recovery } from './recovery/index.ts';
export type { RecoveryOptions } from './recovery/index.ts';
export { decodeRequestId, newRequestId, requestId } from './requestid/index.ts';
export type { RequestIdOptions } from './requestid/index.ts';
export { securityHeaders } from './securityheaders/index.ts';
export type { SecurityHeadersOptions } from './securityheaders/index.ts';
export { CANONICAL_ORDER, createCanonicalStack } from './stack/index.ts';
export type { CanonicalStackOptions } from './stack/index.ts';
export { RequestTimeoutError, timeout } from './timeout/index.ts';
export type { TimeoutOptions } from './timeout/index.ts';
export { newSpanId, newTraceId, tracing } from './tracing/index.ts';
export type { TraceSpan, Tracer, TracingOptions } from './tracing/index.ts';
export { authenticate, authorize, authorizeWith, getAuthError } from './auth/index.ts';
export type { AuthenticateOptions, AuthorizationTarget } from './auth/index.ts';
export { AbuseGuard, createAbuseGuard } from './abuseguard/index.ts';
export type { AbuseGuardOptions } from './abuseguard/index.ts';
export {
  DEFAULT_COMPRESSION_OPTIONS,
  compression,
  isCompressibleType,
  negotiateEncoding,
  resolveCompressionOptions,
} from './compression/index.ts';
export type { CompressionOptions, Encoding, ResolvedCompressionOptions } from './compression/index.ts';
export { concurrencyLimit, resolveConcurrencyLimitOptions } from './concurrencylimit/index.ts';
export type { ConcurrencyLimitOptions, ResolvedConcurrencyLimitOptions } from './concurrencylimit/index.ts';
export {
  DEFAULT_SINGLEFLIGHT_OPTIONS,
  Singleflight,
  createSingleflight,
  resolveSingleflightOptions,
} from './singleflight/index.ts';
export type { ResolvedSingleflightOptions, SingleflightOptions, SingleflightStats } from './singleflight/index.ts';
export { debugErrors } from './debug/index.ts';
export type { DebugErrorsOptions } from './debug/index.ts';
