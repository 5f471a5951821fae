import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';

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

function fetchOverNode(input: string | URL | Request, init: RequestInit, okBody: boolean): Promise<Response> {
  const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
  const body = init.body;
  if (body !== undefined && body !== null && typeof body !== 'string' && !(body instanceof Uint8Array))
    return Promise.reject(new TypeError('nodeFetch sends only string or Uint8Array bodies'));
  const headers: Record<string, string> = {};
  // The SDKs pass a Headers already; copying it into another one first was a second validation pass.
  const given = init.headers;
  (given instanceof Headers ? given : new Headers(given)).forEach((value, name) => {
    headers[name] = value;
  });
  const signal = init.signal ?? undefined;
  if (signal?.aborted) return Promise.reject(abortError());
  return new Promise((resolve, reject) => {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    let response: IncomingMessage | undefined;
    const onAbort = (): void => {
      const error = abortError();
      if (response) response.destroy(error);
      req.destroy(error);
    };
    const req = send(url, { method: init.method ?? 'GET', headers }, (res) => {
      response = res;
      res.once('close', () => signal?.removeEventListener('abort', onAbort));
      const status = res.statusCode ?? 0;
      if (!okBody && status >= 200 && status < 300) {
        // Callers type it as the Response the SDKs declare; it has every member they read (see StreamResponse).
        resolve(new StreamResponse(res, url.href) as unknown as Response);
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
    req.end(body ?? undefined);
  });
}

/** The IncomingMessage behind a `nodeFetch` Response, once: reading it bypasses the web body. */
export function takeNodeBody(response: Response): IncomingMessage | undefined {
  if (response instanceof StreamResponse) return StreamResponse.take(response);
  const res = nodeBodies.get(response);
  nodeBodies.delete(response);
  return res;
}
