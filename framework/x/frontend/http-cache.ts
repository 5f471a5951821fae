/** Pure helpers for conditional and partial GET (RFC 9110 §13 and §14). */

export interface ByteRange {
  start: number;
  /** Inclusive. */
  end: number;
}

function stripWeak(tag: string): string {
  return tag.startsWith('W/') ? tag.slice(2) : tag;
}

/** If-None-Match uses weak comparison: `W/"x"` matches `"x"`. */
export function matchesIfNoneMatch(header: string, etag: string): boolean {
  if (header.trim() === '*') return true;
  const want = stripWeak(etag);
  return header.split(',').some((t) => stripWeak(t.trim()) === want);
}

/**
 * Whether a conditional GET can be answered 304. If-None-Match wins over If-Modified-Since, as the
 * specification requires, so a changed ETag is never masked by a coarse one-second date.
 */
export function isNotModified(
  headers: { ifNoneMatch?: string | undefined; ifModifiedSince?: string | undefined },
  etag: string,
  mtimeMs: number | undefined,
): boolean {
  if (headers.ifNoneMatch !== undefined) return matchesIfNoneMatch(headers.ifNoneMatch, etag);
  if (headers.ifModifiedSince === undefined || mtimeMs === undefined) return false;
  const since = Date.parse(headers.ifModifiedSince);
  return Number.isFinite(since) && Math.floor(mtimeMs / 1000) * 1000 <= since;
}

/**
 * If-Range: the range applies only when the validator still matches. ETags compare strongly, so a weak
 * ETag never matches and the client gets the whole, current representation.
 */
export function isRangeFresh(ifRange: string | undefined, etag: string, lastModified: string | undefined): boolean {
  if (ifRange === undefined) return true;
  const v = ifRange.trim();
  if (v.startsWith('"') || v.startsWith('W/')) return !v.startsWith('W/') && !etag.startsWith('W/') && v === etag;
  return lastModified !== undefined && v === lastModified;
}

/**
 * Parses a single `bytes=` range against `size`. Returns undefined to ignore the header (malformed, or
 * several ranges — serving the whole body is always allowed), or `'unsatisfiable'` for a 416.
 */
export function parseRange(header: string | undefined, size: number): ByteRange | 'unsatisfiable' | undefined {
  if (header === undefined) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m) return undefined;
  const [, a = '', b = ''] = m;
  if (a === '' && b === '') return undefined;
  if (a === '') {
    const suffix = Number(b);
    if (suffix === 0) return 'unsatisfiable';
    return size === 0 ? 'unsatisfiable' : { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(a);
  const end = b === '' ? size - 1 : Math.min(Number(b), size - 1);
  if (b !== '' && Number(b) < start) return undefined;
  if (start >= size) return 'unsatisfiable';
  return { start, end };
}
