import { createHash } from 'node:crypto';
import {
  APIError,
  BufferedResponseWriter,
  writeError,
  type Handler,
  type Middleware,
  type Request,
  type ResponseWriter,
} from 'plumego/contract';

export interface SingleflightOptions {
  /** Identifies identical requests. Default: a SHA-256 over method, host, URL and `varyHeaders`. */
  keyFunc?: (r: Request) => string;
  /**
   * Request headers that make responses differ. Credentials are included so two users never share
   * a response. Default: `accept`, `accept-encoding`, `accept-language`, `authorization`, `cookie`.
   */
  varyHeaders?: readonly string[];
  /** Methods coalesced; only safe ones make sense. Default: `['GET', 'HEAD']`. */
  methods?: readonly string[];
  /** Largest response captured for replay, in bytes. Default: 10 MiB. */
  maxResponseBytes?: number;
  /** Longest a follower waits for the leader before running the handler itself, ms. Default: 30 000. */
  waiterTimeoutMs?: number;
  /** Mark replayed responses with `X-Coalesced: true`. Default: false. */
  addCoalescedHeader?: boolean;
}

export interface ResolvedSingleflightOptions {
  keyFunc: ((r: Request) => string) | undefined;
  varyHeaders: readonly string[];
  methods: ReadonlySet<string>;
  maxResponseBytes: number;
  waiterTimeoutMs: number;
  addCoalescedHeader: boolean;
}

export const DEFAULT_SINGLEFLIGHT_OPTIONS: ResolvedSingleflightOptions = Object.freeze({
  keyFunc: undefined,
  varyHeaders: Object.freeze(['accept', 'accept-encoding', 'accept-language', 'authorization', 'cookie']),
  methods: new Set(['GET', 'HEAD']),
  maxResponseBytes: 10 * 1024 * 1024,
  waiterTimeoutMs: 30_000,
  addCoalescedHeader: false,
});

export function resolveSingleflightOptions(options: SingleflightOptions = {}): ResolvedSingleflightOptions {
  const d = DEFAULT_SINGLEFLIGHT_OPTIONS;
  const o: ResolvedSingleflightOptions = {
    keyFunc: options.keyFunc ?? d.keyFunc,
    varyHeaders: (options.varyHeaders ?? d.varyHeaders).map((h) => h.toLowerCase()),
    methods: options.methods === undefined ? d.methods : new Set(options.methods.map((m) => m.toUpperCase())),
    maxResponseBytes: options.maxResponseBytes ?? d.maxResponseBytes,
    waiterTimeoutMs: options.waiterTimeoutMs ?? d.waiterTimeoutMs,
    addCoalescedHeader: options.addCoalescedHeader ?? d.addCoalescedHeader,
  };
  if (o.keyFunc !== undefined && typeof o.keyFunc !== 'function')
    throw new TypeError('singleflight: keyFunc must be a function');
  for (const value of [o.maxResponseBytes, o.waiterTimeoutMs]) {
    if (!Number.isSafeInteger(value) || value <= 0)
      throw new TypeError('singleflight: maxResponseBytes and waiterTimeoutMs must be positive integers');
  }
  return o;
}

export interface SingleflightStats {
  leaders: number;
  coalesced: number;
  fallbacks: number;
  inFlight: number;
}

interface Captured {
  status: number;
  headers: string[];
  body: Buffer;
}

interface Flight {
  result: Promise<Captured | undefined>;
  settle: (captured: Captured | undefined) => void;
}

// Followers get the leader's response minus anything per-client or per-connection.
const NOT_REPLAYED = new Set(['set-cookie', 'content-length', 'transfer-encoding', 'connection', 'date']);

const overflowError = new APIError({ type: 'internal_error', message: 'response too large to buffer' });

/**
 * Coalesces concurrent identical safe requests: the first (leader) runs the handler into a buffer;
 * the others (followers) wait and get a replay of its response. When the leader fails, overflows
 * the buffer or is too slow, followers run the handler themselves — coalescing is an
 * optimisation and never turns one failure into many. Responses are buffered (no streaming).
 */
export class Singleflight {
  readonly #flights = new Map<string, Flight>();
  readonly #stats = { leaders: 0, coalesced: 0, fallbacks: 0 };
  readonly #keyFunc: (r: Request) => string;
  readonly #methods: ReadonlySet<string>;
  readonly #maxResponseBytes: number;
  readonly #waiterTimeoutMs: number;
  readonly #addHeader: boolean;

  constructor(options: SingleflightOptions = {}) {
    const o = resolveSingleflightOptions(options);
    const vary = o.varyHeaders;
    this.#keyFunc =
      o.keyFunc ??
      ((r) => {
        const hash = createHash('sha256')
          .update(r.method)
          .update('\0')
          .update(r.header('host') ?? '')
          .update('\0')
          .update(r.url);
        for (const name of vary) hash.update('\0').update(r.header(name) ?? '');
        return hash.digest('base64url');
      });
    this.#methods = o.methods;
    this.#maxResponseBytes = o.maxResponseBytes;
    this.#waiterTimeoutMs = o.waiterTimeoutMs;
    this.#addHeader = o.addCoalescedHeader;
  }

  getStats(): SingleflightStats {
    return { ...this.#stats, inFlight: this.#flights.size };
  }

  middleware(): Middleware {
    return (next: Handler): Handler =>
      async (w, r) => {
        if (!this.#methods.has(r.method)) return next(w, r);
        const key = this.#keyFunc(r);
        const flight = this.#flights.get(key);
        if (flight !== undefined) return this.#follow(flight, next, w, r);
        return this.#lead(key, next, w, r);
      };
  }

  async #lead(key: string, next: Handler, w: ResponseWriter, r: Request): Promise<void> {
    let settle: (captured: Captured | undefined) => void = () => {};
    const result = new Promise<Captured | undefined>((resolve) => (settle = resolve));
    this.#flights.set(key, { result, settle });
    this.#stats.leaders++;
    const buffer = new BufferedResponseWriter(this.#maxResponseBytes, w.raw);
    try {
      const ended = new Promise<void>((resolve) => (buffer.onEnd = resolve));
      await next(buffer, r);
      if (!buffer.finished) await ended;
    } catch (err) {
      this.#flights.delete(key);
      settle(undefined);
      throw err;
    }
    this.#flights.delete(key);
    if (buffer.overflowed) {
      settle(undefined);
      writeError(w, r, overflowError);
      return;
    }
    const list = buffer.getHeaderList();
    const headers: string[] = [];
    for (let i = 0; i < list.length; i += 2) {
      if (!NOT_REPLAYED.has(list[i] as string)) headers.push(list[i] as string, list[i + 1] as string);
    }
    settle({ status: buffer.status || 200, headers, body: buffer.getBody() });
    buffer.flushTo(w);
  }

  async #follow(flight: Flight, next: Handler, w: ResponseWriter, r: Request): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<undefined>((resolve) => {
      timer = setTimeout(resolve, this.#waiterTimeoutMs, undefined);
      timer.unref();
    });
    const captured = await Promise.race([flight.result, timeout]);
    clearTimeout(timer);
    if (captured === undefined) {
      this.#stats.fallbacks++;
      return next(w, r);
    }
    this.#stats.coalesced++;
    for (let i = 0; i < captured.headers.length; i += 2)
      w.appendHeader(captured.headers[i] as string, captured.headers[i + 1] as string);
    if (this.#addHeader) w.setHeader('x-coalesced', 'true');
    w.writeHead(captured.status);
    w.end(captured.body);
  }
}

/** Shorthand for `new Singleflight(options)`. */
export function createSingleflight(options: SingleflightOptions = {}): Singleflight {
  return new Singleflight(options);
}
