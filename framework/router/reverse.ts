import { RouterError } from './errors.ts';
import type { ParsedPattern } from './pattern.ts';

/**
 * Builds a path from a parsed pattern. Parameters are percent-encoded as one segment (a `/` inside
 * becomes `%2F`); a wildcard value is encoded per segment so its slashes survive. Every parameter
 * must be given and non-empty; unknown keys are errors (they usually mean a typo).
 */
export function buildPath(name: string, pattern: ParsedPattern, params: Readonly<Record<string, string | number>>): string {
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
    const raw = params[seg.name];
    const value = raw === undefined ? '' : String(raw);
    if (value === '') {
      throw new RouterError('ROUTER_MISSING_PARAM', `route "${name}" (${pattern.path}) needs a non-empty "${seg.name}"`);
    }
    out += '/' + (seg.kind === 'param' ? encodeURIComponent(value) : value.split('/').map(encodeURIComponent).join('/'));
  }
  return out;
}
