import { REQUEST_ID_HEADER, normalizeRequestId, type Middleware } from 'plumego/contract';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const EPOCH_MS = Date.UTC(2020, 0, 1);
const MS_BITS = 2 ** 40;

let lastNow = Number.NaN;
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

// Every two-digit base62 string, so the per-request suffix is three lookups instead of a loop.
const PAIRS: readonly string[] = Array.from({ length: 62 * 62 }, (_, i) => encode(i, 2));

/** `encode(value, 5)` for 0 ≤ value < 2^24 (fits in 62^5), without the loop. */
function encodeSuffix(value: number): string {
  const low = value % 3844;
  const rest = (value - low) / 3844;
  const mid = rest % 3844;
  return ALPHABET[(rest - mid) / 3844]! + PAIRS[mid]! + PAIRS[low]!;
}

/**
 * A 12-character base62 id: 7 characters of milliseconds since 2020-01-01 (40 bits), then 5
 * characters holding 14 random bits and a 10-bit per-millisecond sequence. Fixed width, so ids sort
 * by time; decodable with `decodeRequestId`; **not a secret**. The time prefix is encoded once per
 * millisecond, so a busy server pays for five characters per id.
 */
export function newRequestId(now: number = Date.now()): string {
  // Compare the clock first: the float modulo below costs more than the rest of the id.
  const ms = now === lastNow ? lastMs : Math.max(0, now - EPOCH_MS) % MS_BITS;
  lastNow = now;
  if (ms !== lastMs) {
    lastMs = ms;
    prefix = encode(ms, 7);
    sequence = 0;
  } else {
    sequence = (sequence + 1) & 0x3ff;
  }
  const rand = (Math.random() * 0x4000) | 0;
  return prefix + encodeSuffix(rand * 1024 + sequence);
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

/**
 * The charset an incoming id must keep to: enough for UUIDs, ULIDs, hex trace ids and our own
 * ids, and nothing a log viewer, a header or a JSON string would treat specially.
 */
function isSafeIncomingId(id: string): boolean {
  if (id.length === 0 || id.length > 128) return false;
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i);
    const ok =
      (c >= 0x30 && c <= 0x3a) ||
      (c >= 0x41 && c <= 0x5a) ||
      (c >= 0x61 && c <= 0x7a) ||
      c === 0x2d ||
      c === 0x2e ||
      c === 0x5f;
    if (!ok) return false;
  }
  return true;
}

/** The trimmed incoming id when it keeps to the safe charset, else ''. */
function acceptIncoming(value: string | readonly string[]): string {
  const first = typeof value === 'string' ? value : value[0];
  if (first === undefined) return '';
  const id = first.trim();
  return isSafeIncomingId(id) ? id : '';
}

export interface RequestIdOptions {
  /** Id generator. Default `newRequestId`. */
  generator?: () => string;
  /**
   * Reuse an incoming `X-Request-ID` when it is 1–128 characters of `A-Z a-z 0-9 . _ : -` (after
   * trimming); anything else is replaced by a new id, never echoed. Default true (set false at an
   * untrusted edge so clients cannot choose the ids in your logs at all).
   */
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
  const own = generate === newRequestId;
  return (next) => (w, r) => {
    let id = r.ctx.requestId;
    if (id === '') {
      if (trust) {
        const incoming = r.headers[lower];
        if (incoming !== undefined) id = acceptIncoming(incoming);
      }
      // Our own ids are valid by construction; a custom generator's are checked.
      if (id === '') id = own ? newRequestId() : normalizeRequestId(generate());
      if (id === '') return next(w, r);
      r = r.withContext(r.ctx.withRequestId(id));
    }
    w.setHeader(lower, id); // the same header: writers store names in lowercase
    return next(w, r);
  };
}
