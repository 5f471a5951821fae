import { basename } from 'node:path';
import type { LogLevel } from './logger.ts';

const LEVEL_NAMES: Readonly<Record<LogLevel, string>> = Object.freeze({
  debug: 'DEBUG',
  info: 'INFO',
  warn: 'WARN',
  error: 'ERROR',
});

function safeStringify(value: unknown): string {
  try {
    return JSON.stringify(value, (_k, v: unknown) => {
      if (typeof v === 'bigint') return v.toString();
      if (v instanceof Error) return { name: v.name, message: v.message };
      return v;
    });
  } catch {
    return JSON.stringify(String(value));
  }
}

/**
 * Per field name: its encoded `,"name":` and the last scalar value seen with its encoded pair.
 * Field names repeat on every line (an access log has a dozen fixed ones), and many values do too
 * (method, route, status, user agent, client address): those lines reuse whole `,"k":v` pieces.
 */
class KeyEntry {
  value: unknown = undefined;
  pair = '';
  constructor(readonly prefix: string) {}
}
const KEY_CACHE = new Map<string, KeyEntry>();
// The field names of the previous line, in order, with their entries: a logger call site passes
// the same keys in the same order every time, so most lines find their entries here by position
// (two short arrays) instead of hashing each name into KEY_CACHE.
const RECENT_KEYS: string[] = [];
const RECENT_ENTRIES: KeyEntry[] = [];
const RECENT_MAX = 64;

function getKeyEntry(k: string): KeyEntry {
  let e = KEY_CACHE.get(k);
  if (e === undefined) {
    e = new KeyEntry(`,${JSON.stringify(k)}:`);
    if (KEY_CACHE.size < 4096) KEY_CACHE.set(k, e);
  }
  return e;
}

/** JSON.stringify for a string, without the call when nothing needs escaping (the common case). */
function quoteJsonString(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0xd800 && c <= 0xdfff)) return JSON.stringify(s);
  }
  return '"' + s + '"';
}

const FRACTIONS: readonly string[] = Array.from({ length: 1000 }, (_, i) =>
  i === 0 ? '' : `.${String(i).padStart(3, '0').replace(/0+$/, '')}`,
);

/**
 * `String(v)` for a finite number, with a fast path for values with at most three decimals below
 * 10^9 in magnitude (durations in ms, sizes, ratios): V8's shortest-representation conversion of
 * a fractional double costs about a thousand instructions, and an access log writes one per line.
 * For such a value the shortest decimal that reads back as `v` is exactly `k / 1000` with trailing
 * zeros dropped (neighbouring doubles are far closer together than 0.001 there), which is what
 * the table holds; anything else goes to `String`.
 */
export function formatJsonNumber(v: number): string {
  if (Number.isInteger(v) || !(v > -1e9 && v < 1e9)) return String(v);
  const k = Math.round(v * 1000);
  if (k / 1000 !== v) return String(v);
  const a = k < 0 ? -k : k;
  const frac = a % 1000;
  const int = (a - frac) / 1000;
  return (k < 0 ? '-' : '') + int + FRACTIONS[frac]!;
}

let isoMs = Number.NaN;
let isoText = '';
// Null prototype: a stray level name (the function is exported) must not hit Object.prototype.
const HEADS: Record<string, string> = Object.assign(Object.create(null) as Record<string, string>, {
  debug: '',
  info: '',
  warn: '',
  error: '',
});
let lastMsg = '';
let lastMsgJson = '""';

/** `{"time":"…","level":"…","msg":` for this millisecond and level, built once per millisecond. */
function getLineHead(time: Date, level: LogLevel): string {
  const ms = time.getTime();
  if (ms !== isoMs) {
    isoMs = ms;
    isoText = time.toISOString();
    HEADS.debug = HEADS.info = HEADS.warn = HEADS.error = '';
  }
  const cached = HEADS[level];
  if (cached) return cached;
  const head = `{"time":"${isoText}","level":"${LEVEL_NAMES[level]}","msg":`;
  if (cached === '') HEADS[level] = head; // only the four known levels are cached
  return head;
}

/** One JSON object per line; reserved keys `time` (ISO, UTC), `level`, `msg` come first and win. */
export function formatJsonLine(time: Date, level: LogLevel, msg: string, fields: Record<string, unknown>): string {
  if (msg !== lastMsg) {
    lastMsgJson = JSON.stringify(msg);
    lastMsg = msg;
  }
  let line = getLineHead(time, level) + lastMsgJson;
  let i = 0;
  for (const k in fields) {
    if (k === 'time' || k === 'level' || k === 'msg') continue;
    const v = fields[k];
    let e: KeyEntry;
    if (RECENT_KEYS[i] === k) e = RECENT_ENTRIES[i]!;
    else {
      e = getKeyEntry(k);
      if (i < RECENT_MAX) {
        RECENT_KEYS[i] = k;
        RECENT_ENTRIES[i] = e;
      }
    }
    i++;
    if (v === undefined) continue;
    if (v === e.value) {
      line += e.pair;
      continue;
    }
    // Fast paths for the common scalar values; everything else goes through the safe encoder.
    const t = typeof v;
    let enc: string | undefined;
    if (t === 'string') enc = quoteJsonString(v as string);
    else if (t === 'number') enc = Number.isFinite(v) ? formatJsonNumber(v as number) : 'null';
    else if (t === 'boolean') enc = v ? 'true' : 'false';
    else enc = safeStringify(v);
    if (enc === undefined) continue;
    const pair = e.prefix + enc;
    if (t === 'string' || t === 'number' || t === 'boolean') {
      // Primitives only: an object's encoding can change while its identity stays the same.
      e.value = v;
      e.pair = pair;
    }
    line += pair;
  }
  return line + '}\n';
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

function formatTextValue(v: unknown): string {
  if (typeof v === 'string') return /^[\w./:@-]+$/.test(v) ? v : JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean' || v === null) return String(v);
  return safeStringify(v);
}

/** glog-style: `Immdd hh:mm:ss.uuuuuu pid [file] msg k=v …` with sorted keys. */
export function formatTextLine(
  time: Date,
  level: LogLevel,
  msg: string,
  fields: Record<string, unknown>,
  source: string,
): string {
  const head =
    LEVEL_NAMES[level][0] +
    pad(time.getUTCMonth() + 1) +
    pad(time.getUTCDate()) +
    ' ' +
    pad(time.getUTCHours()) +
    ':' +
    pad(time.getUTCMinutes()) +
    ':' +
    pad(time.getUTCSeconds()) +
    '.' +
    pad(time.getUTCMilliseconds() * 1000, 6) +
    ' ' +
    process.pid +
    ' [' +
    basename(source) +
    '] ' +
    msg;
  const keys = Object.keys(fields)
    .filter((k) => fields[k] !== undefined)
    .sort();
  let line = head;
  for (const k of keys) line += ' ' + k + '=' + formatTextValue(fields[k]);
  return line + '\n';
}
