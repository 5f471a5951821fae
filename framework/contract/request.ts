import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import type { APIError } from './api-error.ts';
import { Context } from './context.ts';

const NO_PARAMS: readonly string[] = Object.freeze([]);

/**
 * Turns an error into the body of an error response (the envelope by default). Installed per app
 * (`AppConfig.formatErrorBody`); it must not throw and must not echo `err.cause`.
 */
export type ErrorBodyFormatter = (err: APIError, requestId: string) => string;

/**
 * Why a request's signal aborted, or a body read failed, because the client went away. Not a
 * server failure: recovery answers nothing (there is no one to answer) and logs no error, and the
 * access log and metrics record status 499 (`CLIENT_CLOSED_REQUEST_STATUS`).
 */
export class ClientDisconnectedError extends Error {
  readonly code = 'CLIENT_DISCONNECTED';
  constructor() {
    super('client disconnected before the response finished');
    this.name = 'ClientDisconnectedError';
  }
}

/** The status logged and counted for requests whose client went away (nginx's 499). */
export const CLIENT_CLOSED_REQUEST_STATUS = 499;

/**
 * True when `err` (or an error in its `cause` chain) says the client closed the connection: a
 * `ClientDisconnectedError` from any copy of the package, or Node's `aborted`/`ECONNRESET` on the
 * request stream.
 */
export function isClientDisconnect(err: unknown): boolean {
  let cur: unknown = err;
  for (let depth = 0; depth < 8 && typeof cur === 'object' && cur !== null; depth++) {
    const code = (cur as { code?: unknown }).code;
    if (
      code === 'CLIENT_DISCONNECTED' ||
      code === 'ECONNRESET' ||
      code === 'ECONNABORTED' ||
      code === 'ERR_STREAM_PREMATURE_CLOSE'
    )
      return true;
    if ((cur as { message?: unknown }).message === 'aborted') return true;
    cur = (cur as { cause?: unknown }).cause;
  }
  return false;
}

/**
 * Per-request mutable slot, shared by every `withContext` copy of one request. It is how inner
 * layers report back to outer ones without re-parenting Node objects: the router writes the matched
 * route here, so an access log or metrics middleware that runs *before* routing can still label by
 * pattern after `next` returns. All fields are declared up front (fixed object shape).
 */
export class RequestState {
  /** Matched route pattern (`/users/:id`), or '' before routing / on a miss. */
  routePattern = '';
  /** Matched route name, or ''. */
  routeName = '';
  paramNames: readonly string[] = NO_PARAMS;
  paramValues: readonly string[] = NO_PARAMS;
  /** Body size limit in bytes installed by bodylimit middleware; -1 means none. */
  maxBodyBytes = -1;
  /** Set once the body stream was handed to a reader. */
  bodyConsumed = false;
  /** The body read by `readBody`, kept so a second reader gets the same bytes. */
  bodyBuffer: Buffer | undefined = undefined;
  abortReason: unknown = undefined;
  /** Body formatter for error responses (`writeError`), installed by the app; undefined = envelope. */
  formatError: ErrorBodyFormatter | undefined = undefined;
  /**
   * Sends the deferred `100 Continue` (set by the app for `Expect: 100-continue` requests);
   * `readBody` calls it after the size check, so an over-limit body gets its 413 without a 100.
   */
  sendContinue: (() => void) | undefined = undefined;
  #controller: AbortController | undefined = undefined;
  #res: ServerResponse | undefined;
  #searchParams: URLSearchParams | undefined = undefined;

  constructor(res: ServerResponse | undefined) {
    this.#res = res;
  }

  /**
   * The request's `AbortSignal`, created on first use so requests that never ask pay nothing. It
   * aborts when the client disconnects before the response finished, or via `abort` (timeout).
   */
  getSignal(): AbortSignal {
    if (this.#controller !== undefined) return this.#controller.signal;
    const ac = new AbortController();
    this.#controller = ac;
    if (this.abortReason !== undefined) {
      ac.abort(this.abortReason);
      return ac.signal;
    }
    const res = this.#res;
    if (res !== undefined) {
      if (res.destroyed && !res.writableFinished) ac.abort(new ClientDisconnectedError());
      else
        res.once('close', () => {
          if (!res.writableFinished) ac.abort(new ClientDisconnectedError());
        });
    }
    return ac.signal;
  }

  /** Aborts the request's signal (now, or when it is first created) with `reason`. Idempotent. */
  abort(reason: unknown): void {
    if (this.abortReason !== undefined) return;
    this.abortReason = reason ?? new Error('aborted');
    this.#controller?.abort(this.abortReason);
  }

  getSearchParams(rawQuery: string): URLSearchParams {
    return (this.#searchParams ??= new URLSearchParams(rawQuery));
  }
}

/**
 * One incoming request, as handlers see it: a fixed-shape view over Node's `IncomingMessage` (never
 * modified) plus the immutable `ctx` of request-scoped values and the shared `state` slot.
 * `withContext` returns a shallow copy with a new `ctx`, like Go's `r.WithContext`.
 */
export class Request {
  #headers: IncomingHttpHeaders | undefined;

  constructor(
    /** Upper-case method as received. */
    readonly method: string,
    /** Request target as received (path and query, still percent-encoded). */
    readonly url: string,
    /** Path part of `url`, still percent-encoded. The router matches on its decoded form. */
    readonly path: string,
    /** Query string without `?`, still encoded; '' when absent. */
    readonly rawQuery: string,
    /** Header object, or `undefined` to read the Node request's (built lazily by Node 20). */
    headers: IncomingHttpHeaders | undefined,
    /** The body stream (the `IncomingMessage` itself on a real server). Prefer `readBody`/`readJson`. */
    readonly body: Readable,
    /** The Node request, or `undefined` for in-process requests. */
    readonly raw: IncomingMessage | undefined,
    readonly ctx: Context,
    readonly state: RequestState,
  ) {
    this.#headers = headers;
  }

  /**
   * Node's header object: lowercase names. Read on first use, because Node builds it lazily and a
   * request that never looks at a header should not pay for it.
   */
  get headers(): IncomingHttpHeaders {
    return (this.#headers ??= this.raw?.headers ?? {});
  }

  /** Returns a copy that carries `ctx`; the body, raw request and state are shared. */
  withContext(ctx: Context): Request {
    return new Request(
      this.method,
      this.url,
      this.path,
      this.rawQuery,
      this.#headers,
      this.body,
      this.raw,
      ctx,
      this.state,
    );
  }

  /** Aborts on client disconnect or when a timeout fires; pass it to fetch, DB drivers, timers. */
  get signal(): AbortSignal {
    return this.state.getSignal();
  }

  /** Value of a route parameter, or '' when the route has no such parameter. */
  param(name: string): string {
    const names = this.state.paramNames;
    for (let i = 0; i < names.length; i++) if (names[i] === name) return this.state.paramValues[i]!;
    return '';
  }

  /** Parsed query (cached per request). */
  get query(): URLSearchParams {
    return this.state.getSearchParams(this.rawQuery);
  }

  /** First value of a header (`name` in lowercase is fastest). */
  header(name: string): string | undefined {
    const v = this.headers[name] ?? this.headers[name.toLowerCase()];
    return Array.isArray(v) ? v[0] : v;
  }

  /** Peer address of the connection ('' in-process unless given). */
  get remoteAddress(): string {
    return this.raw?.socket?.remoteAddress ?? '';
  }
}

function splitTarget(url: string): [string, string] {
  const q = url.indexOf('?');
  return q < 0 ? [url, ''] : [url.slice(0, q), url.slice(q + 1)];
}

/** Wraps a Node request/response pair; the Node objects are read, never modified. */
export function createRequestFromNode(req: IncomingMessage, res: ServerResponse | undefined): Request {
  const url = req.url ?? '/';
  // splitTarget inlined: this runs once per request, and the pair array is pure overhead here.
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  const rawQuery = q < 0 ? '' : url.slice(q + 1);
  return new Request(
    req.method ?? 'GET',
    url,
    path,
    rawQuery,
    undefined,
    req,
    req,
    Context.empty,
    new RequestState(res),
  );
}

/** What an in-process request is made of. */
export interface RequestInit {
  method?: string;
  /** Path and query, e.g. `/users/42?full=1`. A full URL is accepted; its origin is ignored. */
  url: string;
  headers?: Record<string, string | readonly string[]>;
  body?: string | Uint8Array;
}

/** Builds a request without a socket (in-process testing, adapters). */
export function createRequest(init: RequestInit): Request {
  let target = init.url;
  if (/^https?:\/\//i.test(target)) {
    const u = new URL(target);
    target = u.pathname + u.search;
  }
  // A client never sends the fragment, so an in-process request must not carry it either.
  const hash = target.indexOf('#');
  if (hash >= 0) target = target.slice(0, hash);
  const headers: IncomingHttpHeaders = {};
  for (const [k, v] of Object.entries(init.headers ?? {}))
    headers[k.toLowerCase()] = typeof v === 'string' ? v : [...v];
  const chunks = init.body === undefined ? [] : [typeof init.body === 'string' ? Buffer.from(init.body) : init.body];
  if (
    init.body !== undefined &&
    headers['content-length'] === undefined &&
    headers['transfer-encoding'] === undefined
  ) {
    headers['content-length'] = String(chunks[0]!.byteLength);
  }
  const [path, rawQuery] = splitTarget(target);
  const body = Readable.from(chunks, { objectMode: false });
  return new Request(
    (init.method ?? 'GET').toUpperCase(),
    target,
    path,
    rawQuery,
    headers,
    body,
    undefined,
    Context.empty,
    new RequestState(undefined),
  );
}
