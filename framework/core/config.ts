import type { ErrorBodyFormatter } from 'plumego/contract';
import type { StructuredLogger } from 'plumego/log';
import { CoreError } from './errors.ts';

/** Server settings; every field is optional and has a safe default. */
export interface AppConfig {
  /** Listen address `host:port` or `:port`. Default `:8080`. */
  addr?: string;
  /** Answer 405 with `Allow` when a path exists for other methods. Default false. */
  methodNotAllowed?: boolean;
  /** Whole-request receive timeout in ms (`server.requestTimeout`). Default 30 000. 0 disables. */
  readTimeoutMs?: number;
  /**
   * Header receive timeout in ms (`server.headersTimeout`). Default 5 000. At most `readTimeoutMs`
   * unless that is 0 (`CORE_INVALID_CONFIG`).
   */
  readHeaderTimeoutMs?: number;
  /** Keep-alive idle timeout in ms (`server.keepAliveTimeout`). Default 60 000. */
  idleTimeoutMs?: number;
  /**
   * Socket inactivity timeout in ms (`server.timeout`), closing connections that stall mid-request
   * or mid-response. Default 0 (off, Node's and Fastify's default): it re-arms a timer on socket
   * activity and costs measurable CPU per request; reads are already bounded by
   * `readTimeoutMs`/`readHeaderTimeoutMs`. Node has no exact analogue of Go's WriteTimeout.
   */
  writeTimeoutMs?: number;
  /** Largest request header block in bytes (`maxHeaderSize`). Default 16 KiB (Node's); larger → 431. */
  maxHeaderBytes?: number;
  /** Interval of "draining open connections" logs during shutdown, in ms. Default 500. */
  drainIntervalMs?: number;
  /** Default shutdown deadline in ms, after which open connections are closed. Default 15 000. */
  shutdownTimeoutMs?: number;
  /**
   * How often Node checks the header and request timeouts, in ms (`connectionsCheckingInterval`).
   * Default 1 000, so `readHeaderTimeoutMs`/`readTimeoutMs` hold within about a second (Node's
   * own default of 30 s lets a 5 s header timeout run to 35 s).
   */
  connectionCheckIntervalMs?: number;
  /**
   * Most simultaneous connections from one peer address; further ones get a 429 envelope
   * (`TOO_MANY_CONNECTIONS`) and are closed. Default 0 (no limit). Behind a proxy every client
   * shares the proxy's address: set it only on a server that sees clients directly.
   */
  maxConnectionsPerIp?: number;
  /** TLS material; when set the server is HTTPS. */
  tls?: { cert: string | Buffer; key: string | Buffer };
}

export interface ResolvedAppConfig {
  readonly addr: string;
  readonly host: string | undefined;
  readonly port: number;
  readonly methodNotAllowed: boolean;
  readonly readTimeoutMs: number;
  readonly readHeaderTimeoutMs: number;
  readonly idleTimeoutMs: number;
  readonly writeTimeoutMs: number;
  readonly maxHeaderBytes: number;
  readonly drainIntervalMs: number;
  readonly shutdownTimeoutMs: number;
  readonly tls: { cert: string | Buffer; key: string | Buffer } | undefined;
}

/** What the app is built from besides config. */
export interface AppDependencies {
  /** Logger for lifecycle and last-resort errors. Default: a discard logger. */
  logger?: StructuredLogger;
  /**
   * Replaces the body of every error response the app sends (`writeError`, unmatched routes, 405,
   * parser-level rejections) — default the canonical envelope. Gets the `APIError` and the request
   * id ('' when none); must not throw (a throw falls back to the envelope) and must not echo
   * `err.cause`. The content type stays `application/json`.
   */
  formatErrorBody?: ErrorBodyFormatter;
}

export const DEFAULT_APP_CONFIG: Readonly<Required<Omit<AppConfig, 'tls'>>> = Object.freeze({
  addr: ':8080',
  methodNotAllowed: false,
  readTimeoutMs: 30_000,
  readHeaderTimeoutMs: 5_000,
  idleTimeoutMs: 60_000,
  writeTimeoutMs: 0,
  maxHeaderBytes: 16 * 1024,
  drainIntervalMs: 500,
  shutdownTimeoutMs: 15_000,
  connectionCheckIntervalMs: 1_000,
  maxConnectionsPerIp: 0,
});

/** Splits `host:port`, `:port`, `[v6]:port`; throws `CoreError` on anything else. */
export function parseAddr(addr: string): { host: string | undefined; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(addr);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535)
    throw new CoreError(
      'prepare_server',
      'CORE_INVALID_ADDR',
      `addr=${JSON.stringify(addr)}: expected host:port or :port`,
    );
  const host = m[1] ?? m[2];
  return { host: host === '' ? undefined : host, port };
}

/** Fills defaults and validates; throws `CoreError` (the app stays mutable). */
export function resolveAppConfig(config: AppConfig = {}): ResolvedAppConfig {
  const c = { ...DEFAULT_APP_CONFIG, ...stripUndefined(config) };
  for (const key of [
    'readTimeoutMs',
    'readHeaderTimeoutMs',
    'idleTimeoutMs',
    'writeTimeoutMs',
    'drainIntervalMs',
    'shutdownTimeoutMs',
  ] as const) {
    const v = c[key];
    if (!Number.isFinite(v) || v < 0)
      throw new CoreError(
        'prepare_server',
        'CORE_INVALID_CONFIG',
        `${key}=${String(v)}: must be a non-negative number`,
      );
  }
  // Node refuses this pair when the server is created; checked here so the mistake surfaces when the
  // app is built, with the setting names, not later as a CORE_SERVER_SETUP from prepare().
  if (c.readTimeoutMs > 0 && c.readHeaderTimeoutMs > c.readTimeoutMs) {
    throw new CoreError(
      'prepare_server',
      'CORE_INVALID_CONFIG',
      `readHeaderTimeoutMs=${String(c.readHeaderTimeoutMs)}: must not exceed readTimeoutMs=${String(c.readTimeoutMs)} (0 disables the whole-request timeout)`,
    );
  }
  if (!Number.isInteger(c.maxHeaderBytes) || c.maxHeaderBytes < 1024) {
    throw new CoreError(
      'prepare_server',
      'CORE_INVALID_CONFIG',
      `maxHeaderBytes=${String(c.maxHeaderBytes)}: must be an integer ≥ 1024`,
    );
  }
  const { host, port } = parseAddr(c.addr);
  return {
    addr: c.addr,
    host,
    port,
    methodNotAllowed: c.methodNotAllowed,
    readTimeoutMs: c.readTimeoutMs,
    readHeaderTimeoutMs: c.readHeaderTimeoutMs,
    idleTimeoutMs: c.idleTimeoutMs,
    writeTimeoutMs: c.writeTimeoutMs,
    maxHeaderBytes: c.maxHeaderBytes,
    drainIntervalMs: c.drainIntervalMs,
    shutdownTimeoutMs: c.shutdownTimeoutMs,
    tls: config.tls,
  };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}

/** Connection settings added after `ResolvedAppConfig` was frozen by the v1 API promise. */
export interface ConnectionSettings {
  readonly connectionCheckIntervalMs: number;
  readonly maxConnectionsPerIp: number;
  readonly formatErrorBody: ErrorBodyFormatter | undefined;
}

/** Fills and validates the connection settings and the error-body hook; throws `CoreError`. */
export function resolveConnectionSettings(config: AppConfig, deps: AppDependencies): ConnectionSettings {
  const interval = config.connectionCheckIntervalMs ?? DEFAULT_APP_CONFIG.connectionCheckIntervalMs;
  const perIp = config.maxConnectionsPerIp ?? DEFAULT_APP_CONFIG.maxConnectionsPerIp;
  if (!Number.isFinite(interval) || interval < 1) {
    throw new CoreError(
      'prepare_server',
      'CORE_INVALID_CONFIG',
      `connectionCheckIntervalMs=${String(interval)}: must be a number ≥ 1`,
    );
  }
  if (!Number.isSafeInteger(perIp) || perIp < 0) {
    throw new CoreError(
      'prepare_server',
      'CORE_INVALID_CONFIG',
      `maxConnectionsPerIp=${String(perIp)}: must be a non-negative integer`,
    );
  }
  if (deps.formatErrorBody !== undefined && typeof deps.formatErrorBody !== 'function') {
    throw new CoreError('prepare_server', 'CORE_INVALID_CONFIG', 'formatErrorBody: must be a function');
  }
  return { connectionCheckIntervalMs: interval, maxConnectionsPerIp: perIp, formatErrorBody: deps.formatErrorBody };
}
