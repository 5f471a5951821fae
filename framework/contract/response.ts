import type { Request } from './request.ts';
import type { ResponseWriter } from './response-writer.ts';
import { toAPIError, type APIError } from './api-error.ts';
import { createHeaderBlock } from './header-list.ts';

/** The content type of every envelope (no charset, as in the reference). */
export const CONTENT_TYPE_JSON = 'application/json';

/** Thrown (a programming error) when `writeResponse` gets a status outside 2xx. */
export class InvalidResponseStatusError extends Error {
  readonly code = 'INVALID_RESPONSE_STATUS';
  constructor(readonly status: number) {
    super(`writeResponse accepts only 2xx statuses, got ${status}`);
    this.name = 'InvalidResponseStatusError';
  }
}

const JSON_HEADERS = createHeaderBlock({ 'content-type': CONTENT_TYPE_JSON });

function hasKeys(meta: Readonly<Record<string, unknown>> | undefined): boolean {
  if (meta === undefined || meta === null) return false;
  for (const _ in meta) return true;
  return false;
}

/** `JSON.stringify(id)`; request ids rarely need escaping, so the common case skips the call. */
function quoteRequestId(id: string): string {
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0xd800 && c <= 0xdfff)) return JSON.stringify(id);
  }
  return '"' + id + '"';
}

/**
 * The one success path: `{"data":…,"meta":…,"request_id":…}\n` with `content-type:
 * application/json`. Keys are omitted when `data` is undefined/null, `meta` is empty, or there is
 * no request id. 204 sends the status line only. Any status outside 2xx throws
 * `InvalidResponseStatusError` and writes nothing.
 */
export function writeResponse(
  w: ResponseWriter,
  r: Request,
  status: number,
  data?: unknown,
  meta?: Readonly<Record<string, unknown>>,
): void {
  if (!Number.isInteger(status) || status < 200 || status > 299) throw new InvalidResponseStatusError(status);
  if (status === 204) {
    w.writeHead(204);
    w.end();
    return;
  }
  // Few, large pieces: the body is one short rope that Node flattens once when it writes it.
  const json = data === undefined || data === null ? undefined : JSON.stringify(data);
  let body = json === undefined ? '{' : '{"data":' + json;
  if (hasKeys(meta)) body += (json === undefined ? '"meta":' : ',"meta":') + JSON.stringify(meta);
  const id = r.ctx.requestId;
  if (id !== '') body += (body.length === 1 ? '"request_id":' : ',"request_id":') + quoteRequestId(id);
  body += '}\n';
  w.addHeaderBlock(JSON_HEADERS);
  w.writeHead(status);
  w.end(body);
}

/** Serialises the error envelope for `err` (exported for adapters and tests). */
export function formatErrorBody(err: APIError, requestId: string): string {
  const e: Record<string, unknown> = { code: err.code, message: err.message, category: err.category };
  if (err.type !== undefined) e['type'] = err.type;
  if (err.details !== undefined) e['details'] = err.details;
  const id = err.requestId || requestId;
  return JSON.stringify(id === '' ? { error: e } : { error: e, request_id: id }) + '\n';
}

/**
 * The one error path: `{"error":{"code","message","category","type"?,"details"?},"request_id"?}\n`.
 * Any thrown value is accepted; non-`APIError`s become a generic 500 (their message is never sent).
 * The app's `formatErrorBody` hook (on `r.state.formatError`) replaces the body when installed.
 * Returns false, writing nothing, when the response has already started.
 */
export function writeError(w: ResponseWriter, r: Request, err: unknown): boolean {
  if (w.headersSent) return false;
  const api = toAPIError(err);
  const format = r.state.formatError;
  let body: string;
  try {
    body = format === undefined ? formatErrorBody(api, r.ctx.requestId) : format(api, r.ctx.requestId);
  } catch {
    // A broken custom formatter must not turn an error response into no response.
    body = formatErrorBody(api, r.ctx.requestId);
  }
  w.addHeaderBlock(JSON_HEADERS);
  w.writeHead(api.status);
  w.end(body);
  return true;
}

const NOT_FOUND_HEADERS = createHeaderBlock({
  'content-type': 'text/plain; charset=utf-8',
  'x-content-type-options': 'nosniff',
});

/** The reference's plain-text 404 (`404 page not found\n`), used for unmatched routes. */
export function writeNotFound(w: ResponseWriter): void {
  if (w.headersSent) return;
  w.addHeaderBlock(NOT_FOUND_HEADERS);
  w.writeHead(404);
  w.end('404 page not found\n');
}
