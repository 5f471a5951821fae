import type { IncomingHttpHeaders } from 'node:http';
import type { Request } from 'plumego/contract';

/** A mutable header record with lowercase names; several values as an array. */
export type HeaderRecord = Record<string, string | string[]>;

/**
 * RFC 9110 §7.6.1 connection-specific fields, plus the ones a proxy must never forward: `expect` (the
 * proxy answers 100-continue itself) and the `proxy-*` pair meant for this hop only.
 */
const HOP_BY_HOP: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'expect',
  'http2-settings',
]);

export function isHopByHopHeader(lowerName: string): boolean {
  return HOP_BY_HOP.has(lowerName);
}

const NO_TOKENS: readonly string[] = [];

/** Names listed in `Connection` are hop-by-hop too (RFC 9110 §7.6.1). */
export function getConnectionTokens(value: string | string[] | undefined): readonly string[] {
  if (value === undefined) return NO_TOKENS;
  if (typeof value === 'string' && !value.includes(',')) {
    // Nearly every peer sends exactly `keep-alive` or `close`: answered without a split, a trim and a
    // lowercase copy per request (1.8% of the proxy's CPU in a perf profile).
    if (value === 'keep-alive' || value === 'close') return NO_TOKENS;
    const t = value.trim().toLowerCase();
    return t === '' || t === 'close' || t === 'keep-alive' ? NO_TOKENS : [t];
  }
  const joined = Array.isArray(value) ? value.join(',') : value;
  const out: string[] = [];
  for (const part of joined.split(',')) {
    const t = part.trim().toLowerCase();
    if (t !== '' && t !== 'close' && t !== 'keep-alive') out.push(t);
  }
  return out;
}

/** Removes hop-by-hop fields (fixed and `Connection`-listed) in place and returns the record. */
export function removeHopByHopHeaders(headers: HeaderRecord): HeaderRecord {
  const listed = getConnectionTokens(headers['connection']);
  for (const name of listed) delete headers[name];
  for (const name of HOP_BY_HOP) delete headers[name];
  return headers;
}

/** What one pass over the raw request head yields: everything the proxy needs before it forwards. */
export interface InboundHead {
  /** Inbound fields minus hop-by-hop ones, lowercase names, repeated fields as arrays. */
  headers: HeaderRecord;
  /** Why the framing is ambiguous (see `getFramingProblem`), or undefined. */
  problem: string | undefined;
  /** First `Host` value, '' when absent. */
  host: string;
  /** A non-zero `Content-Length` or any `Transfer-Encoding`. */
  hasBody: boolean;
}

/**
 * Reads the raw name/value list once: framing checks, `Host`, body presence and the forwarded copy
 * come from the same loop instead of two lowercasing passes, object lookups and a delete per
 * hop-by-hop name (a delete also turns the copy into a slow dictionary object for undici).
 */
export function readInboundHead(rawHeaders: readonly string[]): InboundHead {
  const out: HeaderRecord = {};
  let lineBreak = false;
  let host: string | undefined;
  let te: string | undefined;
  let cl: string | undefined;
  let lengths = 0;
  let teCount = 0;
  let connection: string | string[] | undefined;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!.toLowerCase();
    const value = rawHeaders[i + 1]!;
    if (!lineBreak && hasLineBreak(value)) lineBreak = true;
    if (HOP_BY_HOP.has(name)) {
      if (name === 'transfer-encoding') {
        teCount++;
        // Joined like Node's header object, so both paths judge the same value.
        te = te === undefined ? value : `${te}, ${value}`;
      } else if (name === 'connection') {
        connection = connection === undefined ? value : [connection, value].flat();
      }
      continue;
    }
    if (name === 'content-length') {
      lengths++;
      cl ??= value;
    } else if (name === 'host') host ??= value;
    const prev = out[name];
    if (prev === undefined) out[name] = value;
    else if (Array.isArray(prev)) prev.push(value);
    else out[name] = [prev, value];
  }
  // Same order of checks as getFramingProblem, so a request with several faults gets the same reason.
  let problem: string | undefined;
  if (te !== undefined && cl !== undefined) problem = 'content_length_with_transfer_encoding';
  else if (te !== undefined && te.trim().toLowerCase() !== 'chunked') problem = 'unsupported_transfer_encoding';
  else if (lineBreak) problem = 'line_break_in_header';
  else if (lengths > 1) problem = 'repeated_content_length';
  else if (teCount > 1) problem = 'repeated_transfer_encoding';
  else if (cl !== undefined && !DIGITS.test(cl)) problem = 'invalid_content_length';
  if (connection !== undefined) for (const token of getConnectionTokens(connection)) delete out[token];
  return {
    headers: out,
    problem,
    host: host ?? '',
    hasBody: te !== undefined || (cl !== undefined && cl !== '0'),
  };
}

/**
 * Copies inbound headers (Node's lowercase object, or the raw name/value list when there is one, so
 * repeated fields stay repeated) without hop-by-hop fields.
 */
export function copyRequestHeaders(
  headers: IncomingHttpHeaders,
  rawHeaders: readonly string[] | undefined,
): HeaderRecord {
  if (rawHeaders !== undefined) return readInboundHead(rawHeaders).headers;
  const out: HeaderRecord = {};
  {
    for (const name in headers) {
      const v = headers[name];
      if (v !== undefined) out[name] = Array.isArray(v) ? [...v] : v;
    }
  }
  return removeHopByHopHeaders(out);
}

/** Copies undici's response headers, dropping hop-by-hop fields. */
export function copyResponseHeaders(headers: Record<string, string | string[] | undefined>): HeaderRecord {
  // Skipped rather than deleted afterwards: nearly every upstream sends Connection and Keep-Alive, and
  // deleting them would turn each response's copy into a slow dictionary-mode object.
  const out: HeaderRecord = {};
  let connection: string | string[] | undefined;
  for (const name in headers) {
    const v = headers[name];
    if (v === undefined) continue;
    if (HOP_BY_HOP.has(name)) {
      if (name === 'connection') connection = v;
      continue;
    }
    out[name] = v;
  }
  if (connection !== undefined) for (const token of getConnectionTokens(connection)) delete out[token];
  return out;
}

const DIGITS = /^[0-9]+$/;

/**
 * Returns why the request's framing is ambiguous, or undefined when it is safe to forward. Node's
 * parser already refuses most of these; this check keeps the proxy closed when it runs behind a
 * lenient parser (`insecureHTTPParser`) or an adapter.
 */
export function getFramingProblem(
  headers: IncomingHttpHeaders,
  rawHeaders: readonly string[] | undefined,
): string | undefined {
  const te = headers['transfer-encoding'];
  const cl = headers['content-length'];
  if (te !== undefined && cl !== undefined) return 'content_length_with_transfer_encoding';
  if (te !== undefined && te.trim().toLowerCase() !== 'chunked') return 'unsupported_transfer_encoding';
  if (rawHeaders !== undefined) {
    let lengths = 0;
    let teCount = 0;
    for (let i = 0; i < rawHeaders.length; i += 2) {
      const name = rawHeaders[i]!.toLowerCase();
      if (name === 'content-length') lengths++;
      else if (name === 'transfer-encoding') teCount++;
      if (hasLineBreak(rawHeaders[i + 1]!)) return 'line_break_in_header';
    }
    if (lengths > 1) return 'repeated_content_length';
    if (teCount > 1) return 'repeated_transfer_encoding';
  } else {
    for (const name in headers) {
      const v = headers[name];
      const values = Array.isArray(v) ? v : v === undefined ? [] : [v];
      for (const value of values) if (hasLineBreak(value)) return 'line_break_in_header';
    }
  }
  if (cl !== undefined && !DIGITS.test(cl)) return 'invalid_content_length';
  return undefined;
}

function hasLineBreak(value: string): boolean {
  return value.includes('\n') || value.includes('\r');
}

/** True when the request carries a body: a non-zero length or chunked framing. */
export function hasRequestBody(headers: IncomingHttpHeaders): boolean {
  if (headers['transfer-encoding'] !== undefined) return true;
  const cl = headers['content-length'];
  return cl !== undefined && cl !== '0';
}

/**
 * The Node request's raw name/value list, but only while the request still carries Node's own header
 * object: a copy made with other headers (a cache's conditional request) must be read from those.
 */
export function getRawHeaders(r: Request): readonly string[] | undefined {
  const raw = r.raw;
  return raw !== undefined && r.headers === raw.headers ? raw.rawHeaders : undefined;
}
