import { isClientDisconnect, type Middleware, type Request, type ResponseWriter } from 'plumego/contract';
import { getOutcomeStatus, onRequestComplete } from '../completion.ts';
import { redactFields, type Fields, type StructuredLogger } from 'plumego/log';

export interface AccessLogOptions {
  /** Destination; entries are written at info level. Required. */
  logger: StructuredLogger;
  /** Extra fields on every entry (sensitive keys are redacted). */
  fields?: Fields;
  /** Log the parsed query string (sensitive keys redacted). Default true. */
  includeQuery?: boolean;
}

/** Client address: first X-Forwarded-For hop, then X-Real-IP, then the peer address. */
export function getClientIp(r: Request): string {
  const xff = r.headers['x-forwarded-for'];
  const first = Array.isArray(xff) ? xff[0] : xff;
  if (first) {
    const comma = first.indexOf(',');
    const ip = (comma < 0 ? first : first.slice(0, comma)).trim();
    if (ip) return ip;
  }
  const real = r.headers['x-real-ip'];
  if (typeof real === 'string' && real.trim()) return real.trim();
  return r.remoteAddress;
}

/**
 * Logs `request completed` once per request, after the response: method, path, route (the matched
 * pattern, thanks to `r.state`), status, duration_ms, bytes, request_id, span_id, user_agent,
 * client_ip and the redacted query. Lines are batched by the logger, not written per request.
 * After a thrown error the line is written once the error response went out (same event-loop
 * turn), so `bytes` counts the envelope; a client that went away is logged as status 499.
 */
export function accessLog(options: AccessLogOptions): Middleware {
  const logger = options.logger;
  if (logger === undefined || typeof logger.info !== 'function') throw new TypeError('accessLog: a logger is required');
  const extra = options.fields ? (redactFields(options.fields) as Fields) : undefined;
  const includeQuery = options.includeQuery ?? true;

  const write = (w: ResponseWriter, r: Request, durationMs: number, error: unknown): void => {
    const ua = r.headers['user-agent'];
    const fields: Record<string, unknown> = {
      method: r.method,
      path: r.path,
      route: r.state.routePattern,
      route_name: r.state.routeName || undefined,
      status: getOutcomeStatus(w, error, 0),
      duration_ms: Math.round(durationMs * 1000) / 1000,
      bytes: w.bytesWritten,
      request_id: r.ctx.requestId || undefined,
      span_id: r.ctx.trace?.spanId,
      user_agent: ua,
      client_ip: getClientIp(r),
    };
    if (includeQuery && r.rawQuery !== '') fields['query'] = redactFields(Object.fromEntries(r.query));
    if (extra) Object.assign(fields, extra);
    logger.info('request completed', fields);
  };

  const log = (w: ResponseWriter, r: Request, durationMs: number, error: unknown): void => {
    if (!logger.isEnabled('info')) return;
    if (error === undefined || w.finished || isClientDisconnect(error)) {
      write(w, r, durationMs, error);
      return;
    }
    // A thrown error is answered further out (recovery, or the app's last resort) once the
    // rejection has travelled up the chain — all within this turn's microtasks. Log after that,
    // so status and bytes are those of the envelope actually sent.
    setImmediate(write, w, r, durationMs, error);
  };

  return onRequestComplete(log);
}
