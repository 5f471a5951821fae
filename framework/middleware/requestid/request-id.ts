import { REQUEST_ID_HEADER, normalizeRequestId, type Middleware } from 'plumego/contract';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const EPOCH_MS = Date.UTC(2020, 0, 1);
const TWO32 = 2 ** 32;

let lastMs = -1;
let sequence = 0;

/**
 * A 12-character base62 id of a 64-bit value: 40 bits of milliseconds since 2020-01-01, 14 random
 * bits, 10 bits of per-millisecond sequence. Sortable by time and decodable; **not a secret**.
 */
export function newRequestId(now: number = Date.now()): string {
  const ms = Math.max(0, now - EPOCH_MS) % 2 ** 40;
  if (ms !== lastMs) {
    lastMs = ms;
    sequence = 0;
  } else {
    sequence = (sequence + 1) & 0x3ff;
  }
  const rand = (Math.random() * 0x4000) | 0;
  // 64-bit value = ms << 24 | rand << 10 | seq, kept as two 32-bit halves.
  let hi = Math.floor(ms / 256);
  let lo = ((ms % 256) * 2 ** 24 + rand * 1024 + sequence) >>> 0;
  let out = '';
  for (let i = 0; i < 12; i++) {
    const r1 = hi % 62;
    hi = Math.floor(hi / 62);
    const cur = r1 * TWO32 + lo;
    lo = Math.floor(cur / 62);
    out = ALPHABET[cur % 62]! + out;
  }
  return out;
}

/** The parts of an id made by `newRequestId`, or undefined for other ids. */
export function decodeRequestId(id: string): { timestamp: Date; random: number; sequence: number } | undefined {
  if (!/^[0-9A-Za-z]{12}$/.test(id)) return undefined;
  let hi = 0;
  let lo = 0;
  for (const ch of id) {
    const d = ALPHABET.indexOf(ch);
    const l = lo * 62 + d;
    lo = l % TWO32;
    hi = hi * 62 + Math.floor(l / TWO32);
  }
  if (hi >= TWO32) return undefined;
  const ms = hi * 256 + Math.floor(lo / 2 ** 24);
  const low24 = lo % 2 ** 24;
  return { timestamp: new Date(EPOCH_MS + ms), random: Math.floor(low24 / 1024), sequence: low24 % 1024 };
}

export interface RequestIdOptions {
  /** Id generator. Default `newRequestId`. */
  generator?: () => string;
  /** Reuse a valid incoming `X-Request-ID`. Default true (set false at an untrusted edge). */
  trustIncoming?: boolean;
  /** Response header name. Default `X-Request-ID`. */
  header?: string;
}

/**
 * Gives every request an id: the one already in the context, else a valid incoming header, else a
 * new one. Stores it in the context (`r.ctx.requestId`) and echoes it in the response header.
 */
export function requestId(options: RequestIdOptions = {}): Middleware {
  const generate = options.generator ?? newRequestId;
  const trust = options.trustIncoming ?? true;
  const header = options.header ?? REQUEST_ID_HEADER;
  if (typeof generate !== 'function') throw new TypeError('requestId: generator must be a function');
  const lower = header.toLowerCase();
  return (next) => (w, r) => {
    let id = r.ctx.requestId;
    if (id === '') {
      if (trust) {
        const incoming = r.headers[lower];
        if (incoming !== undefined) id = normalizeRequestId(Array.isArray(incoming) ? incoming[0] : incoming);
      }
      if (id === '') id = normalizeRequestId(generate());
      if (id === '') return next(w, r);
      r = r.withContext(r.ctx.withRequestId(id));
    }
    w.setHeader(header, id);
    return next(w, r);
  };
}
