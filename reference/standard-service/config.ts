import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs, parseEnv } from 'node:util';

/** Everything the service is configured with. */
export interface ServiceConfig {
  /** Listen address, `host:port` or `:port`. */
  readonly addr: string;
  readonly envFile: string;
  readonly serviceName: string;
  readonly version: string;
  /** Request body limit in bytes; 0 disables the limit. */
  readonly maxBodyBytes: number;
  /** Key required in `X-Write-Key` for writes; '' disables the guard (logged as a warning). */
  readonly writeKey: string;
  /** Allowed CORS origins; empty means wildcard (logged as a warning). */
  readonly corsAllowedOrigins: readonly string[];
  /** Handler time budget in ms. */
  readonly timeoutMs: number;
  /** Graceful shutdown deadline in ms. */
  readonly shutdownTimeoutMs: number;
  readonly logFormat: 'json' | 'text';
  readonly logLevel: 'debug' | 'info' | 'warn' | 'error';
}

export const DEFAULT_CONFIG: ServiceConfig = Object.freeze({
  addr: ':8080',
  envFile: '.env',
  serviceName: 'standard-service',
  version: 'dev',
  maxBodyBytes: 1024 * 1024,
  writeKey: '',
  corsAllowedOrigins: Object.freeze([]),
  timeoutMs: 30_000,
  shutdownTimeoutMs: 15_000,
  logFormat: 'json',
  logLevel: 'info',
});

/** A configuration problem, with the variable or flag that caused it. */
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

type Raw = Record<string, string | undefined>;

function int(source: string, value: string): number {
  if (!/^\d+$/.test(value.trim()))
    throw new ConfigError(source, `expected a non-negative integer, got ${JSON.stringify(value)}`);
  return Number(value.trim());
}

function apply(base: ServiceConfig, vars: Raw, from: string): ServiceConfig {
  const c: { -readonly [K in keyof ServiceConfig]: ServiceConfig[K] } = { ...base };
  const v = (k: string) => vars[k];
  if (v('APP_ADDR') !== undefined) c.addr = v('APP_ADDR')!;
  if (v('APP_SERVICE_NAME') !== undefined) c.serviceName = v('APP_SERVICE_NAME')!;
  if (v('APP_VERSION') !== undefined) c.version = v('APP_VERSION')!;
  if (v('APP_MAX_BODY_BYTES') !== undefined)
    c.maxBodyBytes = int(`${from} APP_MAX_BODY_BYTES`, v('APP_MAX_BODY_BYTES')!);
  // An empty value explicitly clears the key (so a process env can switch off a .env key).
  if (v('APP_WRITE_KEY') !== undefined) c.writeKey = v('APP_WRITE_KEY')!;
  if (v('APP_CORS_ALLOWED_ORIGINS') !== undefined) {
    c.corsAllowedOrigins = v('APP_CORS_ALLOWED_ORIGINS')!
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  }
  if (v('APP_TIMEOUT_MS') !== undefined) c.timeoutMs = int(`${from} APP_TIMEOUT_MS`, v('APP_TIMEOUT_MS')!);
  if (v('APP_SHUTDOWN_TIMEOUT_MS') !== undefined)
    c.shutdownTimeoutMs = int(`${from} APP_SHUTDOWN_TIMEOUT_MS`, v('APP_SHUTDOWN_TIMEOUT_MS')!);
  const fmt = v('APP_LOG_FORMAT');
  if (fmt !== undefined) {
    if (fmt !== 'json' && fmt !== 'text') throw new ConfigError(`${from} APP_LOG_FORMAT`, 'expected json or text');
    c.logFormat = fmt;
  }
  const lvl = v('APP_LOG_LEVEL');
  if (lvl !== undefined) {
    if (lvl !== 'debug' && lvl !== 'info' && lvl !== 'warn' && lvl !== 'error')
      throw new ConfigError(`${from} APP_LOG_LEVEL`, 'expected debug, info, warn or error');
    c.logLevel = lvl;
  }
  return c;
}

/** Checks the finished configuration. */
export function assertConfig(c: ServiceConfig): ServiceConfig {
  if (c.addr.trim() === '') throw new ConfigError('addr', 'an address is required');
  if (c.timeoutMs < 0 || c.maxBodyBytes < 0) throw new ConfigError('limits', 'must not be negative');
  return c;
}

export interface LoadConfigInput {
  argv?: readonly string[];
  env?: Raw;
  cwd?: string;
}

/**
 * Precedence, lowest first: defaults < the `.env` file < process environment < flags (`--addr`,
 * `--env-file`; unknown flags are ignored). The env file's path itself comes from the flag, then
 * `APP_ENV_FILE`, then the default; a missing default file is fine, a missing named one is not.
 * (Node 20 itself also reads a `--env-file` flag placed after the script, so prefer
 * `APP_ENV_FILE` when the file may be missing.)
 */
export function loadConfig(input: LoadConfigInput = {}): ServiceConfig {
  const env = input.env ?? process.env;
  const cwd = input.cwd ?? process.cwd();
  const { values: flags } = parseArgs({
    args: [...(input.argv ?? [])],
    options: { addr: { type: 'string' }, 'env-file': { type: 'string' } },
    strict: false,
    allowPositionals: true,
  });
  const flagEnvFile = typeof flags['env-file'] === 'string' ? flags['env-file'] : undefined;
  const envFile = flagEnvFile || env['APP_ENV_FILE'] || DEFAULT_CONFIG.envFile;
  const explicit = Boolean(flagEnvFile || env['APP_ENV_FILE']);
  let c: ServiceConfig = { ...DEFAULT_CONFIG, envFile };
  const path = resolve(cwd, envFile);
  if (existsSync(path)) c = apply(c, parseEnv(readFileSync(path, 'utf8')) as Raw, envFile);
  else if (explicit) throw new ConfigError('env-file', `${envFile} does not exist`);
  c = apply(c, env, 'env');
  if (typeof flags['addr'] === 'string') c = { ...c, addr: flags['addr'] };
  return assertConfig(c);
}
