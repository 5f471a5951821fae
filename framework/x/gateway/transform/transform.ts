import type { IncomingHttpHeaders } from 'node:http';
import { Readable } from 'node:stream';
import {
  BufferedResponseWriter,
  Request,
  RequestState,
  isJsonContentType,
  readJson,
  writeError,
  type Middleware,
  type ResponseWriter,
} from 'plumego/contract';
import { TRANSFORM_ERROR_CODES, TransformError, createUpstreamBodyError } from './errors.ts';
import { applyHeaderRules, resolveHeaderRules, type HeaderRules, type MutableHeaders } from './header-rules.ts';

export interface RequestTransformOptions {
  /** Header edits before the request goes on. Default none. */
  headers?: HeaderRules;
  /** New path (still percent-encoded, without query); must start with `/`. Default unchanged. */
  path?: (path: string, r: Request) => string;
  /** Rewrites a JSON request body; the body is read whole (up to `maxBodyBytes`) only when this is set. */
  json?: (body: unknown, r: Request) => unknown | Promise<unknown>;
  /** Largest request body `json` may read; beyond it the answer is 413. Default 1 MiB. */
  maxBodyBytes?: number;
}

export interface ResponseTransformOptions {
  /** Header edits on the response. Default none. */
  headers?: HeaderRules;
  /** Rewrites a JSON response body; other content types pass through untouched. Default none. */
  json?: (body: unknown, info: { status: number; r: Request }) => unknown | Promise<unknown>;
  /** Largest response body `json` may hold; beyond it the answer is 502 `TRANSFORM_UPSTREAM_TOO_LARGE`. Default 1 MiB. */
  maxBodyBytes?: number;
}

function assertLimit(value: number, field: string): number {
  if (!(Number.isInteger(value) && value > 0))
    throw new TransformError(`invalid transform option ${field}: a positive integer`);
  return value;
}

function toRecord(headers: IncomingHttpHeaders): MutableHeaders {
  const out: MutableHeaders = {};
  for (const name in headers) {
    const v = headers[name];
    if (v !== undefined) out[name] = Array.isArray(v) ? [...v] : v;
  }
  return out;
}

/**
 * Rewrites the request before the next handler (usually a proxy) sees it: headers, path, and a JSON
 * body read whole under a size limit. The result is a new request; the body of a rewritten request
 * is buffered, so the proxy may also retry it.
 */
export function transformRequest(options: RequestTransformOptions): Middleware {
  const rules = resolveHeaderRules(options.headers);
  const maxBodyBytes = assertLimit(options.maxBodyBytes ?? 1024 * 1024, 'maxBodyBytes');
  const { path: rewrite, json } = options;
  return (next) => async (w, r) => {
    const headers = toRecord(r.headers);
    applyHeaderRules(headers, rules);
    let path = r.path;
    if (rewrite !== undefined) {
      path = rewrite(r.path, r);
      if (typeof path !== 'string' || !path.startsWith('/')) throw new TypeError('transform path must start with "/"');
    }
    let body: Readable = r.body;
    let state = r.state;
    if (
      json !== undefined &&
      (r.headers['content-length'] !== undefined || r.headers['transfer-encoding'] !== undefined)
    ) {
      let parsed: unknown;
      try {
        parsed = await readJson(r, { maxBytes: maxBodyBytes });
      } catch (error) {
        writeError(w, r, error);
        return;
      }
      const buf = Buffer.from(JSON.stringify(await json(parsed, r)));
      body = Readable.from([buf]);
      // A fresh state: the old one holds the original bytes, which must not be what goes upstream.
      state = new RequestState(w.raw);
      state.routePattern = r.state.routePattern;
      state.routeName = r.state.routeName;
      state.paramNames = r.state.paramNames;
      state.paramValues = r.state.paramValues;
      state.bodyBuffer = buf;
      state.bodyConsumed = true;
      delete headers['transfer-encoding'];
      headers['content-length'] = String(buf.byteLength);
      headers['content-type'] = 'application/json';
    }
    const url = r.rawQuery === '' ? path : `${path}?${r.rawQuery}`;
    return next(
      w,
      new Request(r.method, url, path, r.rawQuery, headers as IncomingHttpHeaders, body, r.raw, r.ctx, state),
    );
  };
}

function applyToWriter(
  w: ResponseWriter,
  list: readonly string[],
  rules: ReturnType<typeof resolveHeaderRules>,
  skipLength: boolean,
): void {
  const headers: MutableHeaders = {};
  for (let i = 0; i < list.length; i += 2) {
    const name = list[i]!;
    if (skipLength && name === 'content-length') continue;
    const prev = headers[name];
    headers[name] = prev === undefined ? list[i + 1]! : [...(Array.isArray(prev) ? prev : [prev]), list[i + 1]!];
  }
  applyHeaderRules(headers, rules);
  for (const name in headers) w.setHeader(name, headers[name]!);
}

/**
 * Rewrites the response of the next handler: headers always, and with `json` the whole JSON body
 * (buffered up to `maxBodyBytes`, asked from the upstream without content coding). A body that is too
 * large or not JSON is never relayed half-transformed: the answer is 502.
 */
export function transformResponse(options: ResponseTransformOptions): Middleware {
  const rules = resolveHeaderRules(options.headers);
  const maxBodyBytes = assertLimit(options.maxBodyBytes ?? 1024 * 1024, 'maxBodyBytes');
  const json = options.json;
  return (next) => async (w, r) => {
    let inner = r;
    if (json !== undefined && r.headers['accept-encoding'] !== undefined) {
      // The body must be readable to be rewritten: ask for it without gzip/br.
      const headers = toRecord(r.headers);
      delete headers['accept-encoding'];
      inner = new Request(
        r.method,
        r.url,
        r.path,
        r.rawQuery,
        headers as IncomingHttpHeaders,
        r.body,
        r.raw,
        r.ctx,
        r.state,
      );
    }
    const buffered = new BufferedResponseWriter(maxBodyBytes);
    await next(buffered, inner);
    if (buffered.overflowed) {
      writeError(w, r, createUpstreamBodyError(TRANSFORM_ERROR_CODES.upstreamTooLarge));
      return;
    }
    const status = buffered.status || 200;
    const contentType = buffered.getHeader('content-type');
    const encoded = (buffered.getHeader('content-encoding') ?? 'identity') !== 'identity';
    const hasBody = r.method !== 'HEAD' && status !== 204 && status !== 304;
    if (json === undefined || !hasBody || !isJsonContentType(contentType)) {
      applyToWriter(w, buffered.getHeaderList(), rules, false);
      w.writeHead(status);
      const body = buffered.getBody();
      if (body.byteLength === 0) w.end();
      else w.end(body);
      return;
    }
    let parsed: unknown;
    try {
      if (encoded) throw new Error('content-coded');
      parsed = JSON.parse(buffered.getBody().toString('utf8'));
    } catch {
      writeError(w, r, createUpstreamBodyError(TRANSFORM_ERROR_CODES.upstreamNotJson));
      return;
    }
    const out = Buffer.from(JSON.stringify(await json(parsed, { status, r })));
    applyToWriter(w, buffered.getHeaderList(), rules, true);
    w.removeHeader('etag');
    w.writeHead(status);
    w.end(out);
  };
}
