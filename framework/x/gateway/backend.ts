import { Pool } from 'undici';
import { GATEWAY_ERROR_CODES, GatewayError, assertGatewayOption } from './errors.ts';

/** One upstream target as configured. */
export interface TargetOptions {
  /** Base URL, `http://host:port` optionally with a path prefix (`http://host:port/v2`). */
  url: string;
  /** Relative share for weighted balancing, an integer ≥ 1. Default 1. */
  weight?: number;
}

/** Connection settings shared by every backend's keep-alive pool. */
export interface ConnectionSettings {
  connections: number;
  keepAliveTimeoutMs: number;
  connectTimeoutMs: number;
  maxResponseHeaderBytes: number;
}

/**
 * A backend: one origin with its own pooled keep-alive connections and the counters balancers and
 * health tracking read. Mutable fields are written only by the proxy, balancers and health code.
 */
export class Backend {
  readonly id: string;
  readonly origin: string;
  /** Path prefix from the target URL, without a trailing slash ('' when none). */
  readonly basePath: string;
  readonly weight: number;
  readonly host: string;
  readonly dispatcher: Pool;
  /** Requests in flight to this backend. */
  inflight = 0;
  /** Set by active health checks; an unhealthy backend receives no traffic. */
  healthy = true;
  /** Passive ejection: no traffic before this epoch ms. */
  ejectedUntil = 0;
  /** When the backend last came back (epoch ms), for slow start; 0 when it never left. */
  recoveredAt = 0;

  constructor(target: TargetOptions, settings: ConnectionSettings) {
    const url = URL.canParse(String(target.url)) ? new URL(String(target.url)) : undefined;
    if (url === undefined)
      throw new GatewayError(
        GATEWAY_ERROR_CODES.invalidOptions,
        'invalid gateway option targets: a target is not a URL',
      );
    assertGatewayOption(
      url.protocol === 'http:' || url.protocol === 'https:',
      'targets',
      'a target URL must be http: or https:',
    );
    assertGatewayOption(
      url.search === '' && url.hash === '' && url.username === '' && url.password === '',
      'targets',
      'a target URL carries no query, fragment or credentials',
    );
    const weight = target.weight ?? 1;
    assertGatewayOption(
      Number.isInteger(weight) && weight >= 1 && weight <= 1000,
      'targets.weight',
      'an integer between 1 and 1000',
    );
    this.origin = url.origin;
    this.id = url.origin + url.pathname.replace(/\/+$/, '');
    this.basePath = url.pathname.replace(/\/+$/, '');
    this.weight = weight;
    this.host = url.host;
    this.dispatcher = new Pool(url.origin, {
      connections: settings.connections,
      pipelining: 1,
      keepAliveTimeout: settings.keepAliveTimeoutMs,
      connect: { timeout: settings.connectTimeoutMs },
      maxHeaderSize: settings.maxResponseHeaderBytes,
    });
  }

  /** Whether the backend may take traffic at `now` (health and passive ejection). */
  isAvailable(now: number): boolean {
    return this.healthy && this.ejectedUntil <= now;
  }
}

export function normalizeTarget(target: string | TargetOptions): TargetOptions {
  return typeof target === 'string' ? { url: target } : target;
}
