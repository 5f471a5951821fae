export interface GatewayConfig {
  readonly addr: string;
  /** Upstreams behind `/api/*`, balanced with weights, health-checked and retried. */
  readonly apiUpstreams: readonly { url: string; weight: number }[];
  /** Upstream behind `/catalog/*`, answered through the RFC 9111 response cache. */
  readonly catalogUpstream: string;
  /** gRPC target behind `POST /rpc/inventory.Inventory/<Method>`; '' disables the route. */
  readonly grpcTarget: string;
  /** Active health check interval for the API pool. */
  readonly healthIntervalMs: number;
  /** Budget for an upstream's response head. */
  readonly headersTimeoutMs: number;
}

export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  constructor(
    readonly source: string,
    message: string,
  ) {
    super(`config ${source}: ${message}`);
    this.name = 'ConfigError';
  }
}

function int(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d{1,9}$/.test(raw) || Number(raw) < 1) throw new ConfigError(name, 'must be a positive integer');
  return Number(raw);
}

function url(name: string, raw: string): string {
  if (!/^https?:\/\/[^\s/]+/.test(raw)) throw new ConfigError(name, 'must hold http(s) URLs');
  return raw;
}

/**
 * `GATEWAY_API_UPSTREAMS` is `url[=weight],…`; `GATEWAY_CATALOG_UPSTREAM` one URL;
 * `GATEWAY_GRPC_TARGET` `host:port` (optional).
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const rawApi = env['GATEWAY_API_UPSTREAMS'] ?? '';
  if (rawApi === '') throw new ConfigError('GATEWAY_API_UPSTREAMS', 'is required');
  const apiUpstreams = rawApi.split(',').map((entry) => {
    const [u = '', w] = entry.trim().split('=');
    const weight = w === undefined ? 1 : Number(w);
    if (!Number.isInteger(weight) || weight < 1 || weight > 100)
      throw new ConfigError('GATEWAY_API_UPSTREAMS', 'weights must be integers 1-100');
    return { url: url('GATEWAY_API_UPSTREAMS', u), weight };
  });
  const catalog = env['GATEWAY_CATALOG_UPSTREAM'] ?? '';
  const grpcTarget = env['GATEWAY_GRPC_TARGET'] ?? '';
  if (grpcTarget !== '' && !/^[A-Za-z0-9_.\-[\]:]+:\d+$/.test(grpcTarget))
    throw new ConfigError('GATEWAY_GRPC_TARGET', 'must be host:port');
  return {
    addr: env['GATEWAY_ADDR'] ?? '127.0.0.1:8080',
    apiUpstreams,
    catalogUpstream: url('GATEWAY_CATALOG_UPSTREAM', catalog),
    grpcTarget,
    healthIntervalMs: int(env, 'GATEWAY_HEALTH_INTERVAL_MS', 5_000),
    headersTimeoutMs: int(env, 'GATEWAY_HEADERS_TIMEOUT_MS', 10_000),
  };
}
