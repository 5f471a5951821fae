/** Everything the service is configured with; read once at start-up from the environment. */
export interface ServiceConfig {
  /** Listen address, `host:port` or `:port`. */
  readonly addr: string;
  readonly serviceName: string;
  /** Request body limit in bytes. */
  readonly maxBodyBytes: number;
  /** Handler time budget in ms. */
  readonly timeoutMs: number;
  /** Graceful shutdown deadline in ms. */
  readonly shutdownTimeoutMs: number;
  /** Allowed CORS origins; empty allows any origin. */
  readonly corsAllowedOrigins: readonly string[];
  readonly logLevel: 'debug' | 'info' | 'warn' | 'error';
}

export const DEFAULT_CONFIG: ServiceConfig = Object.freeze({
  addr: ':8080',
  serviceName: '{{name}}',
  maxBodyBytes: 1024 * 1024,
  timeoutMs: 30_000,
  shutdownTimeoutMs: 15_000,
  corsAllowedOrigins: Object.freeze([]),
  logLevel: 'info',
});

/** A configuration problem, naming the variable that caused it. The service refuses to start. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code = 'CONFIG_INVALID';
  constructor(readonly variable: string, message: string) {
    super(`${variable}: ${message}`);
  }
}

const LEVELS = ['debug', 'info', 'warn', 'error'] as const;

function readInt(env: Readonly<Record<string, string | undefined>>, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw.trim())) throw new ConfigError(name, `expected a non-negative integer, got ${JSON.stringify(raw)}`);
  return Number(raw.trim());
}

/** Reads APP_* variables over the defaults; a malformed value is an error, never a silent default. */
export function loadConfig(env: Readonly<Record<string, string | undefined>> = process.env): ServiceConfig {
  const level = env['APP_LOG_LEVEL'] ?? DEFAULT_CONFIG.logLevel;
  if (!(LEVELS as readonly string[]).includes(level)) throw new ConfigError('APP_LOG_LEVEL', `expected one of ${LEVELS.join(', ')}`);
  const addr = env['APP_ADDR'] ?? DEFAULT_CONFIG.addr;
  if (!/^[^:\s]*:\d{1,5}$/.test(addr)) throw new ConfigError('APP_ADDR', `expected host:port or :port, got ${JSON.stringify(addr)}`);
  return {
    addr,
    serviceName: env['APP_SERVICE_NAME'] || DEFAULT_CONFIG.serviceName,
    maxBodyBytes: readInt(env, 'APP_MAX_BODY_BYTES', DEFAULT_CONFIG.maxBodyBytes),
    timeoutMs: readInt(env, 'APP_TIMEOUT_MS', DEFAULT_CONFIG.timeoutMs),
    shutdownTimeoutMs: readInt(env, 'APP_SHUTDOWN_TIMEOUT_MS', DEFAULT_CONFIG.shutdownTimeoutMs),
    corsAllowedOrigins: (env['APP_CORS_ALLOWED_ORIGINS'] ?? '').split(',').map((s) => s.trim()).filter(Boolean),
    logLevel: level as ServiceConfig['logLevel'],
  };
}
