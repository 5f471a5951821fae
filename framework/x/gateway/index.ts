export { Backend } from './backend.ts';
export type { ConnectionSettings, TargetOptions } from './backend.ts';
export { BackendPool } from './backend-pool.ts';
export type { AttemptOutcome, BackendPoolOptions, OutlierOptions } from './backend-pool.ts';
export {
  createConsistentHashBalancer,
  createLeastConnectionsBalancer,
  createRandomBalancer,
  createRoundRobinBalancer,
  createWeightedRoundRobinBalancer,
} from './balancer.ts';
export type { Balancer, ConsistentHashOptions, HashKeySource } from './balancer.ts';
export {
  GATEWAY_ERROR_CODES,
  GatewayError,
  createUpstreamError,
  getUpstreamFailureReason,
  isGatewayError,
} from './errors.ts';
export type { GatewayErrorCode, UpstreamFailureReason } from './errors.ts';
export { createTrustedProxies, setForwardedHeader, setXForwardedHeaders } from './forwarded.ts';
export type { ForwardingHop, TrustedProxies } from './forwarded.ts';
export {
  copyRequestHeaders,
  copyResponseHeaders,
  getFramingProblem,
  getRawHeaders,
  isHopByHopHeader,
  removeHopByHopHeaders,
} from './headers.ts';
export type { HeaderRecord } from './headers.ts';
export { DEFAULT_PROXY_OPTIONS, resolveProxyOptions } from './options.ts';
export type {
  ProxyOptions,
  RequestModifier,
  ResolvedProxyOptions,
  ResponseModifier,
  UpstreamErrorListener,
  UpstreamRequest,
  UpstreamResponse,
} from './options.ts';
export type { ServiceDiscovery } from './discovery-contract.ts';
export { DEFAULT_HEALTH_CHECK_OPTIONS, HealthChecker, resolveHealthCheckOptions } from './health-check.ts';
export type { HealthCheckOptions, ResolvedHealthCheckOptions } from './health-check.ts';
export { createProxy } from './proxy.ts';
export type { CreateProxyOptions, Proxy } from './proxy.ts';
export { addPrefix, replacePath, stripPrefix } from './rewrite.ts';
export type { PathRewrite } from './rewrite.ts';
