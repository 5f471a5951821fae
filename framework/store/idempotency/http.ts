import { createHash } from 'node:crypto';
import {
  APIError,
  BufferedResponseWriter,
  readBody,
  writeError,
  type Handler,
  type Middleware,
  type Request,
  type ResponseWriter,
} from 'plumego/contract';
import { assertIdempotencyKey, type IdempotencyStore } from './record.ts';

export interface IdempotencyMiddlewareOptions {
  /** Request header carrying the key (lower-case). Default: `idempotency-key`. */
  header?: string;
  /** Methods the middleware applies to. Default: `['POST', 'PATCH']`. */
  methods?: readonly string[];
  /** How long a key is remembered, in ms. Default: 86 400 000 (24 h). */
  ttlMs?: number;
  /** Answer 400 when a covered request has no key. Default: false (such requests pass through). */
  required?: boolean;
  /**
   * Namespaces keys, typically by caller (`r => principalFromContext(r.ctx)?.subject ?? ''`), so one
   * client cannot replay another's response by guessing its key. Default: no namespace.
   */
  scope?: (r: Request) => string;
  /** Largest request body hashed, in bytes. Default: 1 MiB. */
  maxBodyBytes?: number;
  /** Largest response recorded for replay; a handler writing more gets a 500 and the key is released. Default: 1 MiB. */
  maxResponseBytes?: number;
  /**
   * How long an unfinished claim blocks its key, in ms. A claim older than this (its process died
   * mid-request, say) is taken over by the next request with the same key. Default: 60 000.
   */
  lockTimeoutMs?: number;
  /** Clock in ms, for tests. Default: `Date.now`. */
  now?: () => number;
}

export interface ResolvedIdempotencyMiddlewareOptions {
  header: string;
  methods: ReadonlySet<string>;
  ttlMs: number;
  required: boolean;
  scope: (r: Request) => string;
  maxBodyBytes: number;
  maxResponseBytes: number;
  lockTimeoutMs: number;
  now: () => number;
}

export function resolveIdempotencyMiddlewareOptions(
  options: IdempotencyMiddlewareOptions = {},
): ResolvedIdempotencyMiddlewareOptions {
  const resolved = {
    header: (options.header ?? 'idempotency-key').toLowerCase(),
    methods: new Set((options.methods ?? ['POST', 'PATCH']).map((m) => m.toUpperCase())),
    ttlMs: options.ttlMs ?? 86_400_000,
    required: options.required ?? false,
    scope: options.scope ?? (() => ''),
    maxBodyBytes: options.maxBodyBytes ?? 1 << 20,
    maxResponseBytes: options.maxResponseBytes ?? 1 << 20,
    lockTimeoutMs: options.lockTimeoutMs ?? 60_000,
    now: options.now ?? Date.now,
  };
  for (const value of [resolved.ttlMs, resolved.maxBodyBytes, resolved.maxResponseBytes, resolved.lockTimeoutMs]) {
    if (!Number.isSafeInteger(value) || value <= 0)
      throw new TypeError('idempotency ttlMs and byte limits must be positive integers');
  }
  return resolved;
}

/** Response headers never stored for replay: per-connection framing, and cookies (secrets at rest). */
const UNSTORED_HEADERS = new Set([
  'set-cookie',
  'content-length',
  'transfer-encoding',
  'connection',
  'date',
  'keep-alive',
]);

interface StoredResponse {
  status: number;
  headers: string[];
  body: string;
}

function encodeResponse(buffer: BufferedResponseWriter): Uint8Array {
  const list = buffer.getHeaderList();
  const headers: string[] = [];
  for (let i = 0; i < list.length; i += 2) {
    if (!UNSTORED_HEADERS.has(list[i] as string)) headers.push(list[i] as string, list[i + 1] as string);
  }
  const stored: StoredResponse = { status: buffer.status || 200, headers, body: buffer.getBody().toString('base64') };
  return Buffer.from(JSON.stringify(stored));
}

function replay(w: ResponseWriter, bytes: Uint8Array): void {
  const stored = JSON.parse(Buffer.from(bytes).toString('utf8')) as StoredResponse;
  for (let i = 0; i < stored.headers.length; i += 2)
    w.appendHeader(stored.headers[i] as string, stored.headers[i + 1] as string);
  w.setHeader('idempotent-replayed', 'true');
  w.writeHead(stored.status);
  w.end(Buffer.from(stored.body, 'base64'));
}

const ERRORS = {
  missing: () =>
    new APIError({
      type: 'bad_request',
      code: 'IDEMPOTENCY_KEY_MISSING',
      message: 'Idempotency-Key header is required',
    }),
  invalid: () =>
    new APIError({
      type: 'bad_request',
      code: 'IDEMPOTENCY_KEY_INVALID',
      message: 'Idempotency-Key header is invalid',
    }),
  reused: () =>
    new APIError({
      type: 'invalid_request',
      code: 'IDEMPOTENCY_KEY_REUSED',
      message: 'Idempotency-Key was already used with a different request',
    }),
  inProgress: () =>
    new APIError({
      type: 'resource_conflict',
      code: 'IDEMPOTENCY_IN_PROGRESS',
      message: 'a request with this Idempotency-Key is still in progress',
    }),
};

function hashRequest(r: Request, body: Buffer): string {
  return createHash('sha256')
    .update(r.method)
    .update('\0')
    .update(r.path)
    .update('\0')
    .update(body)
    .digest('base64url');
}

/**
 * Makes covered requests (POST and PATCH by default) that carry an `Idempotency-Key` safe to
 * retry. The first request claims the key and runs; its response (status < 500) is stored and
 * replayed byte-for-byte, with `Idempotent-Replayed: true`, to later requests with the same key
 * and body. The same key with another method, path or body gets 422 `IDEMPOTENCY_KEY_REUSED`; a
 * repeat while the first is still running gets 409 `IDEMPOTENCY_IN_PROGRESS` with `Retry-After`.
 * A 5xx or a thrown handler releases the key so the client can retry.
 */
export function createIdempotencyMiddleware(
  store: IdempotencyStore,
  options: IdempotencyMiddlewareOptions = {},
): Middleware {
  const o = resolveIdempotencyMiddlewareOptions(options);
  return (next: Handler): Handler =>
    async (w, r) => {
      if (!o.methods.has(r.method)) return next(w, r);
      const raw = r.header(o.header);
      if (raw === undefined) {
        if (o.required) writeError(w, r, ERRORS.missing());
        else await next(w, r);
        return;
      }
      try {
        assertIdempotencyKey(raw);
      } catch {
        writeError(w, r, ERRORS.invalid());
        return;
      }
      const body = await readBody(r, { maxBytes: o.maxBodyBytes });
      // Hashing scope and key gives a fixed-length store key and keeps raw client keys out of storage.
      const key = createHash('sha256').update(o.scope(r)).update('\0').update(raw).digest('base64url');
      const requestHash = hashRequest(r, body);
      const claim = () => {
        const now = o.now();
        return store.putIfAbsent({
          key,
          requestHash,
          status: 'in_progress',
          createdAt: now,
          updatedAt: now,
          expiresAt: now + o.ttlMs,
        });
      };
      let claimed = await claim();
      if (!claimed) {
        let existing = await store.get(key);
        if (
          existing?.status === 'in_progress' &&
          existing.requestHash === requestHash &&
          o.now() - existing.updatedAt >= o.lockTimeoutMs
        ) {
          // An abandoned claim: take it over rather than blocking the key until it expires.
          await store.delete(key);
          claimed = await claim();
          existing = claimed ? undefined : await store.get(key);
        }
      }
      if (!claimed) {
        const existing = await store.get(key);
        if (existing === undefined) {
          writeError(w, r, ERRORS.inProgress());
          return;
        }
        if (existing.requestHash !== requestHash) writeError(w, r, ERRORS.reused());
        else if (existing.status === 'completed' && existing.response !== undefined) replay(w, existing.response);
        else {
          w.setHeader('retry-after', '1');
          writeError(w, r, ERRORS.inProgress());
        }
        return;
      }
      const buffer = new BufferedResponseWriter(o.maxResponseBytes, w.raw);
      try {
        await next(buffer, r);
      } catch (err) {
        await store.delete(key);
        throw err;
      }
      try {
        if (buffer.status >= 500 || buffer.overflowed || buffer.abandoned) await store.delete(key);
        else await store.complete(key, requestHash, encodeResponse(buffer), o.now());
      } catch {
        // Recording failed (the claim expired or was taken over meanwhile, or the store is down):
        // the work is done, so the client still gets its response; the key is released.
        await store.delete(key).catch(() => undefined);
      }
      if (buffer.overflowed) {
        writeError(
          w,
          r,
          new APIError({ type: 'internal_error', message: 'response too large to record for idempotency' }),
        );
        return;
      }
      buffer.flushTo(w);
    };
}
