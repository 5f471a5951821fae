import { RouterError } from './errors.ts';
import type { ParsedPattern } from './pattern.ts';

/**
 * Builds a path from a parsed pattern so that routing it yields the same route and parameters.
 * A parameter is percent-encoded as one segment (a `/` inside becomes `%2F`). A wildcard value is
 * encoded per segment so its slashes stay readable, unless it has an empty or dot segment (which a
 * request path cannot carry); then its slashes are encoded too — the router decodes a wildcard's
 * remainder as a whole, so both spellings give the same value. Every parameter must be given and
 * non-empty and routable — a value that is itself `.` or `..`, or holds an unpaired surrogate, can
 * never be requested, so it counts as missing (`ROUTER_MISSING_PARAM`); unknown keys are errors
 * (they usually mean a typo).
 */
export function buildPath(
  name: string,
  pattern: ParsedPattern,
  params: Readonly<Record<string, string | number>>,
): string {
  for (const key of Object.keys(params)) {
    if (!pattern.paramNames.includes(key)) {
      throw new RouterError('ROUTER_UNKNOWN_PARAM', `route "${name}" (${pattern.path}) has no parameter "${key}"`);
    }
  }
  if (pattern.segments.length === 0) return '/';
  let out = '';
  for (const seg of pattern.segments) {
    if (seg.kind === 'static') {
      out += '/' + seg.value;
      continue;
    }
    const raw = Object.hasOwn(params, seg.name) ? params[seg.name] : undefined;
    const value = raw === undefined ? '' : String(raw);
    if (value === '') {
      throw new RouterError(
        'ROUTER_MISSING_PARAM',
        `route "${name}" (${pattern.path}) needs a non-empty "${seg.name}"`,
      );
    }
    if (isDotSegment(value) || LONE_SURROGATE.test(value)) {
      // The value itself is not echoed: it may be user data.
      throw new RouterError(
        'ROUTER_MISSING_PARAM',
        `route "${name}" (${pattern.path}): "${seg.name}" is "." or "..", or not well-formed Unicode, so no request can carry it`,
      );
    }
    out += '/' + (seg.kind === 'param' ? encodeURIComponent(value) : encodeWildcard(value));
  }
  return out;
}

// encodeURIComponent throws a bare URIError on these; the typed error says what is wrong.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function isDotSegment(s: string): boolean {
  return s === '.' || s === '..';
}

function encodeWildcard(value: string): string {
  const parts = value.split('/');
  if (parts.some((p) => p === '' || isDotSegment(p))) return encodeURIComponent(value);
  return parts.map(encodeURIComponent).join('/');
}
