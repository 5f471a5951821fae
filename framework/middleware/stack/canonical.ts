import type { Middleware } from 'plumego/contract';
import type { StructuredLogger } from 'plumego/log';
import type { HTTPObserver } from 'plumego/metrics';
import { accessLog, type AccessLogOptions } from '../accesslog/index.ts';
import { bodyLimit } from '../bodylimit/index.ts';
import { cors, type CorsOptions } from '../cors/index.ts';
import { httpMetrics } from '../httpmetrics/index.ts';
import { recovery } from '../recovery/index.ts';
import { requestId, type RequestIdOptions } from '../requestid/index.ts';
import { securityHeaders, type SecurityHeadersOptions } from '../securityheaders/index.ts';
import { timeout } from '../timeout/index.ts';
import { tracing, type TracingOptions } from '../tracing/index.ts';

/**
 * The canonical order, outermost first, and why each sits where it does:
 * 1. `requestid` — first, so every later layer, log line and error envelope carries the id.
 * 2. `tracing` (opt-in) — next, so every response (even a CORS preflight or a 413) carries
 *    `traceparent` and every access-log line has a span id.
 * 3. `securityheaders` — before anything can answer, so every response, errors included, is covered.
 * 4. `cors` — answers preflights before recovery/logging/limits spend work on them, and puts CORS
 *    headers on error responses too, so browsers can read them.
 * 5. `recovery` — inside the header-setting layers (500s keep those headers), outside everything
 *    that runs user code or can fail.
 * 6. `accesslog` — sees the final status, bytes and (via `r.state`) the matched route, including
 *    413s, 504s and recovered 500s.
 * 7. `bodylimit` — rejects oversized bodies before metrics/timeouts/handlers pay for them.
 * 8. `httpmetrics` — measures what the application did, labelled by route pattern.
 * 9. `timeout` — innermost, so only handler time counts and its buffer wraps only the handler.
 * Route-specific guards (auth, write keys) go on groups or routes, not here.
 */
export const CANONICAL_ORDER = Object.freeze([
  'requestid',
  'tracing',
  'securityheaders',
  'cors',
  'recovery',
  'accesslog',
  'bodylimit',
  'httpmetrics',
  'timeout',
] as const);

export interface CanonicalStackOptions {
  /** Logger for recovery, access log and late timeout errors. Default: none (no access log). */
  logger?: StructuredLogger;
  /** Request id options, or false to leave it out. Default enabled. */
  requestId?: RequestIdOptions | false;
  /** Tracing options, or false. Default false. */
  tracing?: TracingOptions | false;
  /** Security header options, or false. Default enabled with the default policy. */
  securityHeaders?: SecurityHeadersOptions | false;
  /** CORS options, or false. Default false (no CORS headers). */
  cors?: CorsOptions | false;
  /** Access-log options (the logger comes from `logger`), or false. Default enabled when `logger` is set. */
  accessLog?: Omit<AccessLogOptions, 'logger'> | false;
  /** Body limit in bytes; 0 disables. Default 1 MiB. */
  maxBodyBytes?: number;
  /** Metrics observer. Default none (no metrics middleware). */
  metrics?: HTTPObserver;
  /** Handler time budget in ms; 0 disables. Default 30 000. */
  timeoutMs?: number;
}

/** Builds the canonical stack in `CANONICAL_ORDER`; pass the result to `app.use(...)`. */
export function createCanonicalStack(options: CanonicalStackOptions = {}): Middleware[] {
  const stack: Middleware[] = [];
  if (options.requestId !== false) stack.push(requestId(options.requestId ?? {}));
  if (options.tracing) stack.push(tracing(options.tracing));
  if (options.securityHeaders !== false) stack.push(securityHeaders(options.securityHeaders ?? {}));
  if (options.cors) stack.push(cors(options.cors));
  stack.push(recovery(options.logger ? { logger: options.logger } : {}));
  if (options.logger && options.accessLog !== false)
    stack.push(accessLog({ ...(options.accessLog ?? {}), logger: options.logger }));
  const maxBody = options.maxBodyBytes ?? 1024 * 1024;
  if (maxBody > 0) stack.push(bodyLimit({ maxBytes: maxBody }));
  if (options.metrics) stack.push(httpMetrics(options.metrics));
  const t = options.timeoutMs ?? 30_000;
  if (t > 0) stack.push(timeout({ timeoutMs: t, ...(options.logger ? { logger: options.logger } : {}) }));
  return stack;
}
