import { REQUEST_ID_HEADER, normalizeRequestId, type Middleware } from 'plumego/contract';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const EPOCH_MS = Date.UTC(2020, 0, 1);
const MS_BITS = 2 ** 40;

let lastMs = -1;
let prefix = '';
let sequence = 0;

function encode(value: number, width: number): string {
  let out = '';
  for (let i = 0; i < width; i++) {
    out = ALPHABET[value % 62]! + out;
    value = Math.floor(value / 62);
  }
  return out;
}

/**
 * A 12-character base62 id: 7 characters of milliseconds since 2020-01-01 (40 bits), then 5
 * characters holding 14 random bits and a 10-bit per-millisecond sequence. Fixed width, so ids sort
 * by time; decodable with `decodeRequestId`; **not a secret**. The time prefix is encoded once per
 * millisecond, so a busy server pays for five characters per id.
 */
export function newRequestId(now: number = Date.now()): string {
  const ms = Math.max(0, now - EPOCH_MS) % MS_BITS;
  if (ms !== lastMs) {
    lastMs = ms;
    prefix = encode(ms, 7);
    sequence = 0;
  } else {
    sequence = (sequence + 1) & 0x3ff;
  }
  const rand = (Math.random() * 0x4000) | 0;
  return prefix + encode(rand * 1024 + sequence, 5);
}

/** The parts of an id made by `newRequestId`, or undefined for other ids. */
export function decodeRequestId(id: string): { timestamp: Date; random: number; sequence: number } | undefined {
  if (!/^[0-9A-Za-z]{12}$/.test(id)) return undefined;
  let ms = 0;
  let low = 0;
  for (let i = 0; i < 12; i++) {
    const d = ALPHABET.indexOf(id[i]!);
    if (i < 7) ms = ms * 62 + d;
    else low = low * 62 + d;
  }
  if (ms >= MS_BITS || low >= 2 ** 24) return undefined;
  return { timestamp: new Date(EPOCH_MS + ms), random: Math.floor(low / 1024), sequence: low % 1024 };
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
