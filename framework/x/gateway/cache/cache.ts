import type { IncomingHttpHeaders } from 'node:http';
import { Readable } from 'node:stream';
import CachePolicy from 'http-cache-semantics';
import { Request, RequestState, type Handler, type Middleware, type ResponseWriter } from 'plumego/contract';
import { GATEWAY_ERROR_CODES, GatewayError } from 'plumego/x/gateway';
import { RecordingWriter } from './recording-writer.ts';
import { MemoryCacheStore, type CacheEntry, type CacheStore } from './store.ts';
import { getVariantKey, matchesVary } from './vary.ts';

export interface ResponseCacheOptions {
  /** Where entries live. Default a 64 MiB `MemoryCacheStore`. */
  store?: CacheStore;
  /** Largest body stored; a longer response is streamed but not kept. Default 1 MiB. */
  maxEntryBytes?: number;
  /** Variants (`Vary` combinations) kept per URL. Default 8. */
  maxVariants?: number;
  /** How long past freshness an entry is kept for revalidation and stale-while-revalidate. Default 300 000 ms. */
  keepStaleMs?: number;
  /** Cache key of a request. Default host + target (`example.com/items?page=2`). */
  key?: (r: Request) => string;
  /** Evaluate as a shared cache (`private` not stored, `s-maxage` honoured). Default true. */
  shared?: boolean;
  /** Told when the store fails; the request then proceeds uncached. Default none. */
  onStoreError?: (error: unknown) => void;
}

interface ResolvedResponseCacheOptions {
  store: CacheStore;
  maxEntryBytes: number;
  maxVariants: number;
  keepStaleMs: number;
  key: (r: Request) => string;
  shared: boolean;
  onStoreError: (error: unknown) => void;
}

function resolveResponseCacheOptions(options: ResponseCacheOptions): ResolvedResponseCacheOptions {
  const r = {
    store: options.store ?? new MemoryCacheStore(),
    maxEntryBytes: options.maxEntryBytes ?? 1024 * 1024,
    maxVariants: options.maxVariants ?? 8,
    keepStaleMs: options.keepStaleMs ?? 300_000,
    key: options.key ?? ((req: Request) => `${req.header('host') ?? ''}${req.url}`),
    shared: options.shared ?? true,
    onStoreError: options.onStoreError ?? (() => undefined),
  };
  const bad = (field: string, rule: string): never => {
    throw new GatewayError(GATEWAY_ERROR_CODES.invalidOptions, `invalid cache option ${field}: ${rule}`);
  };
  if (!(Number.isInteger(r.maxEntryBytes) && r.maxEntryBytes > 0)) bad('maxEntryBytes', 'a positive integer');
  if (!(Number.isInteger(r.maxVariants) && r.maxVariants >= 1)) bad('maxVariants', 'an integer ≥ 1');
  if (!(Number.isFinite(r.keepStaleMs) && r.keepStaleMs >= 0)) bad('keepStaleMs', 'a non-negative number');
  return r;
}

const INVALIDATING: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

type Outcome = 'HIT' | 'MISS' | 'STALE' | 'REVALIDATED' | 'BYPASS';

function serveEntry(
  w: ResponseWriter,
  r: Request,
  entry: CacheEntry,
  headers: CachePolicy.Headers,
  outcome: Outcome,
): void {
  for (const name in headers) {
    const v = headers[name];
    if (v !== undefined) w.setHeader(name, v);
  }
  w.setHeader('x-cache', outcome);
  w.writeHead(entry.status);
  if (r.method === 'HEAD') w.end();
  else w.end(entry.body);
}

/** A copy of `r` that carries other headers (conditional ones) and shares nothing mutable with it. */
function withHeaders(r: Request, headers: IncomingHttpHeaders): Request {
  return new Request(
    'GET',
    r.url,
    r.path,
    r.rawQuery,
    headers,
    Readable.from([]),
    r.raw,
    r.ctx,
    new RequestState(undefined),
  );
}

/**
 * An RFC 9111 shared response cache in front of `next` (usually a proxy handler), built on
 * `http-cache-semantics`: freshness, `Vary`, `no-store`/`private`, conditional revalidation with
 * ETag/Last-Modified, stale-while-revalidate, and one upstream request per missing URL at a time.
 * A store outage degrades to uncached traffic, never to an error.
 */
export function responseCache(options: ResponseCacheOptions = {}): Middleware {
  const o = resolveResponseCacheOptions(options);
  const inflight = new Map<string, Promise<void>>();
  const refreshing = new Set<string>();

  const read = async (key: string): Promise<CacheEntry[]> => {
    try {
      return (await o.store.read(key)) ?? [];
    } catch (error) {
      o.onStoreError(error);
      return [];
    }
  };

  const save = async (key: string, entry: CacheEntry, policy: CachePolicy): Promise<void> => {
    try {
      const others = (await o.store.read(key)) ?? [];
      const id = getVariantKey(entry);
      const kept = [entry, ...others.filter((e) => getVariantKey(e) !== id)].slice(0, o.maxVariants);
      await o.store.write(key, kept, Math.max(0, policy.timeToLive()) + o.keepStaleMs);
    } catch (error) {
      o.onStoreError(error);
    }
  };

  const drop = async (key: string): Promise<void> => {
    try {
      await o.store.delete(key);
    } catch (error) {
      o.onStoreError(error);
    }
  };

  /** Runs `next`, streaming to `w` while recording; stores the answer when RFC 9111 allows it. */
  const fetchAndStore = async (next: Handler, w: ResponseWriter, r: Request, key: string): Promise<void> => {
    const rec = new RecordingWriter(w, o.maxEntryBytes);
    rec.setHeader('x-cache', 'MISS');
    await next(rec, r);
    if (r.method !== 'GET' || !rec.finished || rec.overflowed || rec.headers['set-cookie'] !== undefined) return;
    delete rec.headers['x-cache'];
    const policy = new CachePolicy(
      { url: r.url, method: 'GET', headers: r.headers },
      { status: rec.status, headers: rec.headers },
      { shared: o.shared },
    );
    if (!policy.storable()) return;
    await save(
      key,
      { policy: policy.toObject(), status: rec.status, headers: rec.headers, body: Buffer.concat(rec.chunks) },
      policy,
    );
  };

  /** Asks upstream with the entry's validators; a 304 refreshes and serves the stored body. */
  const revalidate = async (
    next: Handler,
    w: ResponseWriter,
    r: Request,
    key: string,
    entry: CacheEntry,
    policy: CachePolicy,
    headers: IncomingHttpHeaders,
  ): Promise<void> => {
    const rec = new ConditionalWriter(w, o.maxEntryBytes);
    const conditional = withHeaders(r, headers);
    await next(rec, conditional);
    if (rec.notModified) {
      const { policy: updated, modified } = policy.revalidatedPolicy(
        { url: r.url, method: 'GET', headers },
        { status: 304, headers: rec.headers },
      );
      if (!modified) {
        rec.clearStaged();
        serveEntry(w, r, entry, updated.responseHeaders(), 'REVALIDATED');
        await save(key, { ...entry, policy: updated.toObject() }, updated);
        return;
      }
      // The validator matched but the policy says the body changed: fetch it whole.
      rec.clearStaged();
      await fetchAndStore(next, w, withHeaders(r, r.headers), key);
      return;
    }
    if (!rec.finished || rec.overflowed || rec.headers['set-cookie'] !== undefined) return;
    const fresh = new CachePolicy(
      { url: r.url, method: 'GET', headers: r.headers },
      { status: rec.status, headers: rec.headers },
      { shared: o.shared },
    );
    if (fresh.storable())
      await save(
        key,
        { policy: fresh.toObject(), status: rec.status, headers: rec.headers, body: Buffer.concat(rec.chunks) },
        fresh,
      );
    else await drop(key);
  };

  const refreshInBackground = (
    next: Handler,
    r: Request,
    key: string,
    entry: CacheEntry,
    policy: CachePolicy,
    headers: IncomingHttpHeaders,
  ): void => {
    if (refreshing.has(key)) return;
    refreshing.add(key);
    const sink = new DiscardWriter();
    void revalidate(next, sink, r, key, entry, policy, headers)
      .catch((error: unknown) => o.onStoreError(error))
      .finally(() => refreshing.delete(key));
  };

  return (next) => async (w, r) => {
    const method = r.method;
    if (method !== 'GET' && method !== 'HEAD') {
      await next(w, r);
      if (INVALIDATING.has(method) && w.status > 0 && w.status < 400) await drop(o.key(r));
      return;
    }
    const key = o.key(r);
    const request = { url: r.url, method: 'GET', headers: r.headers };
    let entries = await read(key);
    let entry = entries.find((e) => matchesVary(e, r.headers));
    const pending = inflight.get(key);
    if (entry === undefined && pending !== undefined) {
      await pending;
      entries = await read(key);
      entry = entries.find((e) => matchesVary(e, r.headers));
    }
    if (entry === undefined) {
      if (method === 'HEAD') return next(w, r);
      const leader = fetchAndStore(next, w, r, key);
      const settled = leader.then(
        () => undefined,
        () => undefined,
      );
      inflight.set(key, settled);
      try {
        await leader;
      } finally {
        if (inflight.get(key) === settled) inflight.delete(key);
      }
      return;
    }
    const policy = CachePolicy.fromObject(entry.policy);
    const result = policy.evaluateRequest(request);
    if (result.response !== undefined && result.revalidation === undefined) {
      serveEntry(w, r, entry, result.response.headers, 'HIT');
      return;
    }
    if (result.response !== undefined && result.revalidation !== undefined && !result.revalidation.synchronous) {
      serveEntry(w, r, entry, result.response.headers, 'STALE');
      refreshInBackground(next, r, key, entry, policy, result.revalidation.headers as IncomingHttpHeaders);
      return;
    }
    const headers = (result.revalidation?.headers ?? policy.revalidationHeaders(request)) as IncomingHttpHeaders;
    await revalidate(next, w, r, key, entry, policy, headers);
  };
}

/** A recording writer that swallows a 304 so the cached body can be served in its place. */
class ConditionalWriter extends RecordingWriter {
  notModified = false;
  readonly #target: ResponseWriter;

  constructor(inner: ResponseWriter, maxBytes: number) {
    super(inner, maxBytes);
    this.#target = inner;
  }
  override writeHead(status: number): void {
    if (status === 304) this.notModified = true;
    else super.writeHead(status);
  }
  override write(chunk: Parameters<ResponseWriter['write']>[0]): boolean {
    if (this.notModified) return true;
    if (!this.headersSent) super.writeHead(200);
    return super.write(chunk);
  }
  override end(chunk?: Parameters<ResponseWriter['end']>[0]): void {
    if (this.notModified) return;
    super.end(chunk);
  }
  override get finished(): boolean {
    return this.notModified || super.finished;
  }
  /** Removes headers the 304 staged on the real writer before the stored response is served. */
  clearStaged(): void {
    for (const name of Object.keys(this.headers)) this.#target.removeHeader(name);
  }
}

/** Where a background revalidation writes: nothing reaches a client. */
class DiscardWriter implements ResponseWriter {
  status = 0;
  bytesWritten = 0;
  headersSent = false;
  finished = false;
  readonly raw = undefined;
  getHeader(): string | undefined {
    return undefined;
  }
  hasHeader(): boolean {
    return false;
  }
  setHeader(): void {}
  appendHeader(): void {}
  removeHeader(): void {}
  addHeaderBlock(): void {}
  writeHead(status: number): void {
    if (this.headersSent) return;
    this.headersSent = true;
    this.status = status;
  }
  write(chunk: string | Uint8Array): boolean {
    if (!this.headersSent) this.writeHead(200);
    this.bytesWritten += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength;
    return !this.finished;
  }
  end(chunk?: string | Uint8Array): void {
    if (chunk !== undefined) this.write(chunk);
    else if (!this.headersSent) this.writeHead(200);
    this.finished = true;
  }
}
