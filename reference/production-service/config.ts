import { isJwtAlgorithm, type JwtAlgorithm } from 'plumego/security';

/** A user who can log in; the password is stored only as a `hashPassword` string. */
export interface UserRecord {
  username: string;
  passwordHash: string;
  roles: string[];
  permissions: string[];
}

export interface ProductionConfig {
  addr: string;
  serviceName: string;
  /** Directory for the SQLite files (orders, JWT keys, idempotency records). */
  dataDir: string;
  maxBodyBytes: number;
  rateLimit: { rate: number; burst: number };
  jwt: { issuer: string; audience: string; algorithm: JwtAlgorithm; accessTtlSeconds: number };
  users: UserRecord[];
  /** Token guarding `/ops/metrics`; empty disables the endpoint. */
  opsToken: string;
  /**
   * Prometheus `/metrics` (APP_METRICS_ENABLED=1): requires `token` (APP_METRICS_TOKEN, ≥ 16
   * characters) as `Authorization: Bearer`, so the scrape endpoint is never open by accident.
   */
  metrics: { enabled: boolean; token: string };
  /** OTLP/HTTP traces endpoint (OTEL_EXPORTER_OTLP_TRACES_ENDPOINT); '' exports no spans. */
  otlpTracesEndpoint: string;
  timeoutMs: number;
  /** Graceful shutdown deadline: in-flight requests get this long to finish before connections are cut. */
  shutdownTimeoutMs: number;
  /** Most simultaneous connections per peer address (0: no limit); only meaningful without a proxy in front. */
  maxConnectionsPerIp: number;
  /** PostgreSQL URL for orders and idempotency records; '' keeps them in SQLite under `dataDir`. */
  databaseUrl: string;
  /** Redis URL for idempotency records (shared by every instance); '' keeps them in the database. */
  redisUrl: string;
  /** Prefix of the Redis keys, so several services can share one Redis. */
  redisKeyPrefix: string;
}

/** A bad setting. The message names the variable, never its value (it may be a secret). */
export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`${variable}: ${problem}`);
    this.name = 'ConfigError';
  }
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < min) throw new ConfigError(name, `must be an integer >= ${min}`);
  return value;
}

function parseUsers(raw: string | undefined): UserRecord[] {
  if (raw === undefined || raw === '') return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new ConfigError('APP_USERS', 'must be a JSON array');
  }
  if (!Array.isArray(parsed)) throw new ConfigError('APP_USERS', 'must be a JSON array');
  return parsed.map((u: unknown, i) => {
    const user = u as Partial<UserRecord>;
    const strings = (v: unknown) => Array.isArray(v) && v.every((s) => typeof s === 'string');
    if (
      typeof user?.username !== 'string' ||
      user.username === '' ||
      typeof user.passwordHash !== 'string' ||
      !strings(user.roles ?? []) ||
      !strings(user.permissions ?? [])
    ) {
      throw new ConfigError('APP_USERS', `entry ${i} needs username, passwordHash, roles[] and permissions[]`);
    }
    return {
      username: user.username,
      passwordHash: user.passwordHash,
      roles: [...(user.roles ?? [])],
      permissions: [...(user.permissions ?? [])],
    };
  });
}

/** A server URL, or '' when unset. The error names the variable only: URLs carry passwords. */
function serverUrl(env: NodeJS.ProcessEnv, name: string, scheme: RegExp): string {
  const raw = env[name] ?? '';
  if (raw !== '' && !scheme.test(raw))
    throw new ConfigError(name, `must be a ${scheme.source.includes('postgres') ? 'postgres://' : 'redis://'} URL`);
  return raw;
}

function metricsConfig(env: NodeJS.ProcessEnv): { enabled: boolean; token: string } {
  const flag = env['APP_METRICS_ENABLED'] ?? '';
  if (flag !== '' && flag !== '0' && flag !== '1') throw new ConfigError('APP_METRICS_ENABLED', 'must be 0 or 1');
  const token = env['APP_METRICS_TOKEN'] ?? '';
  const enabled = flag === '1';
  if (enabled && token.length < 16)
    throw new ConfigError('APP_METRICS_TOKEN', 'must be at least 16 characters when APP_METRICS_ENABLED=1');
  return { enabled, token };
}

function otlpEndpoint(env: NodeJS.ProcessEnv): string {
  const raw = env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'] ?? '';
  if (raw === '') return '';
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', 'must be an http:// or https:// URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new ConfigError('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', 'must be an http:// or https:// URL');
  return raw;
}

/** Reads the service configuration from environment variables (see README.md for the list). */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): ProductionConfig {
  const algorithm = env['APP_JWT_ALGORITHM'] ?? 'EdDSA';
  if (!isJwtAlgorithm(algorithm))
    throw new ConfigError('APP_JWT_ALGORITHM', 'must be one of HS256, EdDSA, ES256, RS256');
  const opsToken = env['APP_OPS_TOKEN'] ?? '';
  if (opsToken !== '' && opsToken.length < 16) throw new ConfigError('APP_OPS_TOKEN', 'must be at least 16 characters');
  const dataDir = env['APP_DATA_DIR'] ?? './data';
  if (dataDir === '') throw new ConfigError('APP_DATA_DIR', 'must not be empty');
  return {
    addr: env['APP_ADDR'] ?? ':8080',
    serviceName: env['APP_SERVICE_NAME'] ?? 'production-service',
    dataDir,
    maxBodyBytes: integer(env, 'APP_MAX_BODY_BYTES', 1 << 20, 0),
    rateLimit: { rate: integer(env, 'APP_RATE_LIMIT_RPS', 20, 1), burst: integer(env, 'APP_RATE_LIMIT_BURST', 40, 1) },
    jwt: {
      issuer: env['APP_JWT_ISSUER'] ?? 'production-service',
      audience: env['APP_JWT_AUDIENCE'] ?? 'production-service-clients',
      algorithm,
      accessTtlSeconds: integer(env, 'APP_JWT_ACCESS_TTL_SECONDS', 900, 1),
    },
    users: parseUsers(env['APP_USERS']),
    opsToken,
    metrics: metricsConfig(env),
    otlpTracesEndpoint: otlpEndpoint(env),
    timeoutMs: integer(env, 'APP_TIMEOUT_MS', 30_000, 0),
    shutdownTimeoutMs: integer(env, 'APP_SHUTDOWN_TIMEOUT_MS', 15_000, 0),
    maxConnectionsPerIp: integer(env, 'APP_MAX_CONNECTIONS_PER_IP', 0, 0),
    databaseUrl: serverUrl(env, 'APP_DATABASE_URL', /^postgres(ql)?:\/\//),
    redisUrl: serverUrl(env, 'APP_REDIS_URL', /^rediss?:\/\//),
    redisKeyPrefix: env['APP_REDIS_KEY_PREFIX'] ?? 'production-service:idem:',
  };
}
