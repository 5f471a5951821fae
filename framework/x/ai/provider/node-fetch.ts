import { request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { urlToHttpOptions } from 'node:url';

const nodeBodies = new WeakMap<Response, IncomingMessage>();

// Statuses whose Response may not have a body (the Response constructor throws if given one).
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

function abortError(): DOMException {
  return new DOMException('This operation was aborted', 'AbortError');
}

/**
 * The response headers of a `StreamResponse`: the read side of `Headers` (names lower-cased, repeated fields joined
 * with ", ", `set-cookie` kept apart, iteration sorted by name), taken from the IncomingMessage without undici's
 * per-field validation — llhttp already accepted every field.
 */
class RawHeaders {
  readonly #raw: string[];
  #map: Map<string, string> | undefined;
  #cookies: string[] = [];

  constructor(raw: string[]) {
    this.#raw = raw;
  }

  #fields(): Map<string, string> {
    if (this.#map) return this.#map;
    const map = new Map<string, string>();
    const raw = this.#raw;
    for (let i = 0; i + 1 < raw.length; i += 2) {
      const name = raw[i]!.toLowerCase();
      const value = raw[i + 1]!;
      if (name === 'set-cookie') this.#cookies.push(value);
      const had = map.get(name);
      map.set(name, had === undefined ? value : `${had}, ${value}`);
    }
    this.#map = map;
    return map;
  }

  get(name: string): string | null {
    return this.#fields().get(name.toLowerCase()) ?? null;
  }

  has(name: string): boolean {
    return this.#fields().has(name.toLowerCase());
  }

  getSetCookie(): string[] {
    this.#fields();
    return [...this.#cookies];
  }

  *entries(): IterableIterator<[string, string]> {
    const map = this.#fields();
    for (const name of [...map.keys()].sort()) {
      if (name === 'set-cookie') for (const cookie of this.#cookies) yield [name, cookie];
      else yield [name, map.get(name)!];
    }
  }

  *keys(): IterableIterator<string> {
    for (const [name] of this.entries()) yield name;
  }

  *values(): IterableIterator<string> {
    for (const [, value] of this.entries()) yield value;
  }

  forEach(callback: (value: string, name: string, headers: RawHeaders) => void): void {
    for (const [name, value] of this.entries()) callback(value, name, this);
  }

  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.entries();
  }
}

/**
 * What `nodeStreamFetch` answers for a 2xx: the read side of a `Response` without a body, built without undici's
 * `Response` and `Headers` constructors (their argument validation cost every stream's set-up ~3 µs: with 200
 * streams started at once that is what the first chunks wait behind). The SDKs read `ok`, `status`, `url` and
 * `headers` of a 2xx before `.asResponse()` hands it back; the adapter then takes the IncomingMessage. Reading the
 * body through this object is refused: nothing in the streaming path does, and a silent empty body would hide it.
 */
class StreamResponse {
  readonly status: number;
  readonly statusText: string;
  readonly url: string;
  readonly headers: RawHeaders;
  readonly body = null;
  readonly bodyUsed = false;
  readonly redirected = false;
  readonly type = 'basic' as const;
  #res: IncomingMessage | undefined;

  constructor(res: IncomingMessage, url: string) {
    this.status = res.statusCode ?? 0;
    this.statusText = res.statusMessage ?? '';
    this.url = url;
    this.headers = new RawHeaders(res.rawHeaders);
    this.#res = res;
  }

  get ok(): boolean {
    return this.status >= 200 && this.status < 300;
  }

  static take(response: unknown): IncomingMessage | undefined {
    if (!(response instanceof StreamResponse)) return undefined;
    const res = response.#res;
    response.#res = undefined;
    return res;
  }

  #refuse(): Promise<never> {
    return Promise.reject(new TypeError('nodeStreamFetch: a 2xx body is read only through takeNodeBody'));
  }

  text(): Promise<string> {
    return this.#refuse();
  }

  json(): Promise<unknown> {
    return this.#refuse();
  }

  arrayBuffer(): Promise<ArrayBuffer> {
    return this.#refuse();
  }
}

/** A web body that starts reading `res` only when someone reads it, so the node stream stays free to take. */
function lazyBody(res: IncomingMessage): ReadableStream<Uint8Array> {
  let attached = false;
  return new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (attached) {
          res.resume();
          return;
        }
        attached = true;
        res.on('data', (chunk: Buffer) => {
          controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
          if ((controller.desiredSize ?? 0) <= 0) res.pause();
        });
        res.once('end', () => controller.close());
        res.once('error', (e) => controller.error(e));
      },
      cancel() {
        res.destroy();
      },
    },
    { highWaterMark: 0 },
  );
}

/**
 * A `fetch` on node:http for the SDK clients that stream. undici's fetch hands each network read through a
 * node stream, an async iteration and a web stream before the SDK sees it; `takeNodeBody` lets the adapter
 * read the response's IncomingMessage directly instead. The Response still has a working web body (read
 * lazily), which the SDK uses for error statuses. Only what the SDKs send is supported: string or byte
 * bodies, and an AbortSignal that ends the request and its response.
 */
export function nodeFetch(input: string | URL | Request, init: RequestInit = {}): Promise<Response> {
  return fetchOverNode(input, init, true);
}

/**
 * `nodeFetch` for the adapters' streaming clients, whose 2xx bodies are always read through `takeNodeBody`: a
 * 2xx answer is a `StreamResponse` without a web body (`body` is null), other statuses are real Responses with
 * their body for the SDK's error mapping. The
 * web body of a 2xx answer was never read, yet building it (a ReadableStream and the Response's body state) cost
 * every stream's set-up, which is what the first chunks of 200 streams started at once wait behind: with the
 * Headers copy below, 3.73–3.79M → 3.52–3.56M event-loop instructions per stream (bench/ai/README.md).
 */
export function nodeStreamFetch(input: string | URL | Request, init: RequestInit = {}): Promise<Response> {
  return fetchOverNode(input, init, false);
}

/** What node:http needs of a request URL, parsed once per distinct URL (a client sends to a handful). */
interface Target {
  readonly https: boolean;
  readonly options: RequestOptions;
  /** The `Host` header node:http would write: the host name (IPv6 in brackets) and a port other than the default. */
  readonly host: string;
  readonly href: string;
}

const targets = new Map<string, Target>();
// A bound, not a policy: the SDK clients send to a few fixed URLs, but a caller could build one per request.
const MAX_TARGETS = 64;

function targetOf(input: string | URL | Request): Target {
  const key = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  const known = targets.get(key);
  if (known) return known;
  const url = new URL(key);
  const target: Target = {
    https: url.protocol === 'https:',
    options: urlToHttpOptions(url),
    host: url.host,
    href: url.href,
  };
  if (targets.size >= MAX_TARGETS) targets.clear();
  targets.set(key, target);
  return target;
}

// Methods node:http sends without a body framing header when none is given (its useChunkedEncodingByDefault).
const BODYLESS = new Set(['GET', 'HEAD', 'DELETE', 'OPTIONS', 'TRACE', 'CONNECT']);

/**
 * The request headers as node:http's raw array (name, value, name, value…): a request given an array writes it as
 * the header block, validating each field once, instead of `setHeader` per field (validation, lower-casing and a
 * store) and a second pass over the store. What node:http adds on its own to an object it leaves to an array: `Host`
 * and, for a method with a body, `Content-Length` — both are added here exactly as it would write them. `undefined`
 * where node:http must keep deciding (a method it frames differently, or an `Expect` header).
 */
function rawRequestHeaders(
  given: Headers,
  method: string,
  body: string | Uint8Array | undefined,
  host: string,
): string[] | undefined {
  if (BODYLESS.has(method)) return undefined;
  const raw: string[] = [];
  let hasHost = false;
  let hasLength = false;
  let plain = true;
  given.forEach((value, name) => {
    // Names come lower-cased from Headers.
    if (name === 'host') hasHost = true;
    else if (name === 'content-length' || name === 'transfer-encoding') hasLength = true;
    else if (name === 'expect') plain = false;
    raw.push(name, value);
  });
  if (!plain) return undefined;
  if (!hasHost) raw.push('Host', host);
  if (!hasLength)
    raw.push(
      'Content-Length',
      String(body === undefined ? 0 : typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength),
    );
  return raw;
}

function fetchOverNode(input: string | URL | Request, init: RequestInit, okBody: boolean): Promise<Response> {
  const target = targetOf(input);
  const body = init.body ?? undefined;
  if (body !== undefined && typeof body !== 'string' && !(body instanceof Uint8Array))
    return Promise.reject(new TypeError('nodeFetch sends only string or Uint8Array bodies'));
  const method = init.method ?? 'GET';
  // The SDKs pass a Headers already; copying it into another one first was a second validation pass.
  const given = init.headers;
  const givenHeaders = given instanceof Headers ? given : new Headers(given);
  // Credentials in the URL become a header node:http adds only to an object of headers.
  let headers: string[] | Record<string, string> | undefined =
    target.options.auth === undefined ? rawRequestHeaders(givenHeaders, method, body, target.host) : undefined;
  if (headers === undefined) {
    const fields: Record<string, string> = {};
    givenHeaders.forEach((value, name) => {
      fields[name] = value;
    });
    headers = fields;
  }
  const signal = init.signal ?? undefined;
  if (signal?.aborted) return Promise.reject(abortError());
  return new Promise((resolve, reject) => {
    const send = target.https ? httpsRequest : httpRequest;
    let response: IncomingMessage | undefined;
    const onAbort = (): void => {
      const error = abortError();
      if (response) response.destroy(error);
      req.destroy(error);
    };
    const req = send({ ...target.options, method, headers }, (res) => {
      response = res;
      // 'close' is emitted once; `once` would wrap the listener in two more objects per request.
      res.on('close', () => signal?.removeEventListener('abort', onAbort));
      const status = res.statusCode ?? 0;
      if (!okBody && status >= 200 && status < 300) {
        // Callers type it as the Response the SDKs declare; it has every member they read (see StreamResponse).
        resolve(new StreamResponse(res, target.href) as unknown as Response);
        return;
      }
      const responseHeaders = new Headers();
      for (let i = 0; i + 1 < res.rawHeaders.length; i += 2)
        responseHeaders.append(res.rawHeaders[i]!, res.rawHeaders[i + 1]!);
      const webBody = NULL_BODY.has(status) ? null : lazyBody(res);
      const out = new Response(webBody, {
        status,
        statusText: res.statusMessage ?? '',
        headers: responseHeaders,
      });
      nodeBodies.set(out, res);
      resolve(out);
    });
    signal?.addEventListener('abort', onAbort, { once: true });
    req.on('error', (e) => {
      signal?.removeEventListener('abort', onAbort);
      reject(e);
    });
    req.end(body);
  });
}

/** The IncomingMessage behind a `nodeFetch` Response, once: reading it bypasses the web body. */
export function takeNodeBody(response: Response): IncomingMessage | undefined {
  if (response instanceof StreamResponse) return StreamResponse.take(response);
  const res = nodeBodies.get(response);
  nodeBodies.delete(response);
  return res;
}
