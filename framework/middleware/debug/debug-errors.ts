import { STATUS_CODES } from 'node:http';
import {
  BufferedResponseWriter,
  CONTENT_TYPE_JSON,
  getCategoryForStatus,
  getCodeForStatus,
  type Handler,
  type Middleware,
  type Request,
} from 'plumego/contract';
import { REDACTED, isSensitiveKey } from 'plumego/log';

export interface DebugErrorsOptions {
  /**
   * Turns the middleware on. Default: `process.env.NODE_ENV === 'development'`; anywhere else the
   * middleware is an identity function, so leaving it in a production stack costs nothing.
   */
  enabled?: boolean;
  /** Largest body inspected, in bytes; bigger responses pass through unchanged. Default: 64 KiB. */
  maxBodyBytes?: number;
}

// Headers that carry credentials are shown as "***" even in development: debug output ends up in
// screenshots, bug reports and browser caches.
const SECRET_HEADERS = new Set([
  'authorization',
  'proxy-authorization',
  'cookie',
  'x-token',
  'x-api-key',
  'x-csrf-token',
]);

function redactHeaders(headers: Request['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    out[name] =
      SECRET_HEADERS.has(name) || isSensitiveKey(name) ? REDACTED : Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

function redactQuery(query: URLSearchParams): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of query) out[key] = isSensitiveKey(key) ? REDACTED : value;
  return out;
}

/**
 * Development aid: an error response (≥ 400) whose body is empty or plain text is rewritten into
 * the JSON error envelope plus a `debug` object with the method, path, redacted query and
 * headers, matched route and request id. JSON errors and successes pass through untouched.
 * Disabled unless `enabled` (or `NODE_ENV=development`); it buffers responses when on.
 */
export function debugErrors(options: DebugErrorsOptions = {}): Middleware {
  const enabled = options.enabled ?? process.env['NODE_ENV'] === 'development';
  const maxBodyBytes = options.maxBodyBytes ?? 64 * 1024;
  if (!Number.isSafeInteger(maxBodyBytes) || maxBodyBytes <= 0)
    throw new TypeError('debugErrors: maxBodyBytes must be a positive integer');
  if (!enabled) return (next) => next;
  return (next: Handler): Handler =>
    async (w, r) => {
      const buffer = new BufferedResponseWriter(0, w.raw);
      const ended = new Promise<void>((resolve) => (buffer.onEnd = resolve));
      await next(buffer, r);
      if (!buffer.finished) await ended;
      const type = buffer.getHeader('content-type') ?? '';
      const body = buffer.getBody();
      const rewrite =
        buffer.status >= 400 &&
        body.length <= maxBodyBytes &&
        (body.length === 0 || type === '' || type.startsWith('text/plain'));
      if (!rewrite) {
        buffer.flushTo(w);
        return;
      }
      const status = buffer.status;
      const envelope = {
        error: {
          code: getCodeForStatus(status),
          message: body.length > 0 ? body.toString('utf8').trim() : (STATUS_CODES[status] ?? 'Error'),
          category: getCategoryForStatus(status),
        },
        debug: {
          method: r.method,
          path: r.path,
          query: redactQuery(r.query),
          route: r.state.routePattern,
          headers: redactHeaders(r.headers),
        },
        ...(r.ctx.requestId === '' ? {} : { request_id: r.ctx.requestId }),
      };
      const list = buffer.getHeaderList();
      for (let i = 0; i < list.length; i += 2) {
        const name = list[i] as string;
        if (name !== 'content-type' && name !== 'content-length') w.appendHeader(name, list[i + 1] as string);
      }
      w.setHeader('content-type', CONTENT_TYPE_JSON);
      w.writeHead(status);
      w.end(`${JSON.stringify(envelope)}\n`);
    };
}
