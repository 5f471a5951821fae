import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Everything the service is configured with; read from the environment by `loadConfig`. */
export interface ServiceConfig {
  /** Listen address, `host:port` or `:port`. */
  readonly addr: string;
  readonly serviceName: string;
  readonly version: string;
  /** Where uploaded files are stored. */
  readonly fileRoot: string;
  /** Largest upload in bytes. */
  readonly maxUploadBytes: number;
  /** A built frontend directory; '' serves the small embedded demo page. */
  readonly webDir: string;
  /** Consecutive upstream failures that open the price circuit. */
  readonly breakerFailures: number;
  /** How long the price circuit stays open, in ms. */
  readonly breakerOpenMs: number;
  /** Budget for one upstream price call, in ms. */
  readonly upstreamTimeoutMs: number;
}

export const DEFAULT_CONFIG: ServiceConfig = Object.freeze({
  addr: ':8080',
  serviceName: 'extensions-service',
  version: 'dev',
  fileRoot: join(tmpdir(), 'plumego-extensions-service-files'),
  maxUploadBytes: 5 * 1024 * 1024,
  webDir: '',
  breakerFailures: 3,
  breakerOpenMs: 10_000,
  upstreamTimeoutMs: 2_000,
});

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

function positiveInt(source: string, value: string): number {
  if (!/^\d+$/.test(value.trim()) || Number(value) === 0) throw new ConfigError(source, 'expected a positive integer');
  return Number(value.trim());
}

/** Defaults < environment. Bad values fail at startup with the variable that caused them. */
export function loadConfig(env: Readonly<Record<string, string | undefined>> = process.env): ServiceConfig {
  const c = { ...DEFAULT_CONFIG };
  if (env['APP_ADDR']) c.addr = env['APP_ADDR'];
  if (env['APP_SERVICE_NAME']) c.serviceName = env['APP_SERVICE_NAME'];
  if (env['APP_VERSION']) c.version = env['APP_VERSION'];
  if (env['APP_FILE_ROOT']) c.fileRoot = env['APP_FILE_ROOT'];
  if (env['APP_WEB_DIR'] !== undefined) c.webDir = env['APP_WEB_DIR'];
  if (env['APP_MAX_UPLOAD_BYTES']) c.maxUploadBytes = positiveInt('APP_MAX_UPLOAD_BYTES', env['APP_MAX_UPLOAD_BYTES']);
  if (env['APP_BREAKER_FAILURES']) c.breakerFailures = positiveInt('APP_BREAKER_FAILURES', env['APP_BREAKER_FAILURES']);
  if (env['APP_BREAKER_OPEN_MS']) c.breakerOpenMs = positiveInt('APP_BREAKER_OPEN_MS', env['APP_BREAKER_OPEN_MS']);
  if (env['APP_UPSTREAM_TIMEOUT_MS'])
    c.upstreamTimeoutMs = positiveInt('APP_UPSTREAM_TIMEOUT_MS', env['APP_UPSTREAM_TIMEOUT_MS']);
  return Object.freeze(c);
}
