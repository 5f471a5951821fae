import type { Request } from 'plumego/contract';
import { createRoundRobinBalancer, type Balancer } from './balancer.ts';
import type { Backend, TargetOptions } from './backend.ts';
import { assertGatewayOption } from './errors.ts';
import { createTrustedProxies, type TrustedProxies } from './forwarded.ts';
import type { HeaderRecord } from './headers.ts';

/** The request about to be sent upstream; modifiers may change any field. */
export interface UpstreamRequest {
  method: string;
  /** Path and query sent upstream (after rewrite and the backend's base path). */
  path: string;
  headers: HeaderRecord;
  readonly backend: Backend;
}

/** The upstream's answer before it is written; modifiers may change status and headers. */
export interface UpstreamResponse {
  status: number;
  headers: HeaderRecord;
  readonly backend: Backend;
}

export type RequestModifier = (upstream: UpstreamRequest, r: Request) => void | Promise<void>;
export type ResponseModifier = (upstream: UpstreamResponse, r: Request) => void | Promise<void>;

/** Observes failed upstream attempts (logging, metrics); must not throw. */
export type UpstreamErrorListener = (event: {
  backend: Backend;
  error: unknown;
  attempt: number;
  willRetry: boolean;
}) => void;

export interface ProxyOptions {
  /** Upstream base URLs (`http://10.0.0.5:8080`, optionally with a path prefix). At least one, unless a discovery source fills them. */
  targets: readonly (string | TargetOptions)[];
  /** How a backend is chosen per request. Default round robin. */
  balancer?: Balancer;
  /** Rewrites the inbound path (still percent-encoded, no query); must return a path starting with `/`. Default: unchanged. */
  rewritePath?: (path: string, r: Request) => string;
  /** Runs before each upstream attempt. Default none. */
  modifyRequest?: RequestModifier;
  /** Runs before the upstream status and headers are written. Default none. */
  modifyResponse?: ResponseModifier;
  /** Peers (IPs or CIDRs) whose `Forwarded`/`X-Forwarded-*` are kept and extended. Default none: always replaced. */
  trustedProxies?: readonly string[];
  /** Send `X-Forwarded-For/Proto/Host`. Default true. */
  xForwarded?: boolean;
  /** Send RFC 7239 `Forwarded`. Default false. */
  forwarded?: boolean;
  /** Keep the client's `Host` instead of the backend's. Default false. */
  preserveHost?: boolean;
  /** TCP connect budget per attempt. Default 5 000 ms. */
  connectTimeoutMs?: number;
  /** Budget from request sent to response headers received. Default 30 000 ms. */
  headersTimeoutMs?: number;
  /** Longest gap between two response body chunks. Default 30 000 ms. */
  bodyTimeoutMs?: number;
  /** Extra attempts after a failed one, only for idempotent requests without a body. Default 1. */
  retries?: number;
  /** Pooled keep-alive connections per backend. Default 128. */
  connections?: number;
  /** Idle keep-alive sockets close after this long. Default 4 000 ms. */
  keepAliveTimeoutMs?: number;
  /** Largest upstream response head accepted; beyond it the answer is 502. Default 16 384 bytes. */
  maxResponseHeaderBytes?: number;
  /** Told about every failed upstream attempt. Default none. */
  onUpstreamError?: UpstreamErrorListener;
}

export interface ResolvedProxyOptions {
  targets: readonly TargetOptions[];
  balancer: Balancer;
  rewritePath: ((path: string, r: Request) => string) | undefined;
  modifyRequest: RequestModifier | undefined;
  modifyResponse: ResponseModifier | undefined;
  isTrustedProxy: TrustedProxies;
  xForwarded: boolean;
  forwarded: boolean;
  preserveHost: boolean;
  connectTimeoutMs: number;
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
  retries: number;
  connections: number;
  keepAliveTimeoutMs: number;
  maxResponseHeaderBytes: number;
  onUpstreamError: UpstreamErrorListener | undefined;
}

export const DEFAULT_PROXY_OPTIONS = Object.freeze({
  xForwarded: true,
  forwarded: false,
  preserveHost: false,
  connectTimeoutMs: 5_000,
  headersTimeoutMs: 30_000,
  bodyTimeoutMs: 30_000,
  retries: 1,
  connections: 128,
  keepAliveTimeoutMs: 4_000,
  maxResponseHeaderBytes: 16_384,
});

function positive(value: number, field: string): number {
  assertGatewayOption(Number.isFinite(value) && value > 0, field, 'a positive number');
  return value;
}

function isFunctionOrUndefined(value: unknown): boolean {
  return value === undefined || typeof value === 'function';
}

/** `dynamicTargets`: a discovery source will fill the targets, so an empty list is allowed. */
export function resolveProxyOptions(options: ProxyOptions, dynamicTargets = false): ResolvedProxyOptions {
  const d = DEFAULT_PROXY_OPTIONS;
  assertGatewayOption(
    Array.isArray(options.targets) && (dynamicTargets || options.targets.length > 0),
    'targets',
    'at least one target',
  );
  const targets = options.targets.map((t) => (typeof t === 'string' ? { url: t } : t));
  const retries = options.retries ?? d.retries;
  assertGatewayOption(
    Number.isInteger(retries) && retries >= 0 && retries <= 10,
    'retries',
    'an integer between 0 and 10',
  );
  const connections = options.connections ?? d.connections;
  assertGatewayOption(Number.isInteger(connections) && connections >= 1, 'connections', 'an integer ≥ 1');
  for (const [name, fn] of [
    ['rewritePath', options.rewritePath],
    ['modifyRequest', options.modifyRequest],
    ['modifyResponse', options.modifyResponse],
    ['onUpstreamError', options.onUpstreamError],
  ] as const) {
    assertGatewayOption(isFunctionOrUndefined(fn), name, 'a function');
  }
  return {
    targets,
    balancer: options.balancer ?? createRoundRobinBalancer(),
    rewritePath: options.rewritePath,
    modifyRequest: options.modifyRequest,
    modifyResponse: options.modifyResponse,
    isTrustedProxy: createTrustedProxies(options.trustedProxies ?? []),
    xForwarded: options.xForwarded ?? d.xForwarded,
    forwarded: options.forwarded ?? d.forwarded,
    preserveHost: options.preserveHost ?? d.preserveHost,
    connectTimeoutMs: positive(options.connectTimeoutMs ?? d.connectTimeoutMs, 'connectTimeoutMs'),
    headersTimeoutMs: positive(options.headersTimeoutMs ?? d.headersTimeoutMs, 'headersTimeoutMs'),
    bodyTimeoutMs: positive(options.bodyTimeoutMs ?? d.bodyTimeoutMs, 'bodyTimeoutMs'),
    retries,
    connections,
    keepAliveTimeoutMs: positive(options.keepAliveTimeoutMs ?? d.keepAliveTimeoutMs, 'keepAliveTimeoutMs'),
    maxResponseHeaderBytes: positive(
      options.maxResponseHeaderBytes ?? d.maxResponseHeaderBytes,
      'maxResponseHeaderBytes',
    ),
    onUpstreamError: options.onUpstreamError,
  };
}
