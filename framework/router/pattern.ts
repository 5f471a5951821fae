import { RouterError } from './errors.ts';

/** One segment of a route pattern. */
export type Segment =
  | { readonly kind: 'static'; readonly value: string }
  | { readonly kind: 'param'; readonly name: string }
  | { readonly kind: 'wildcard'; readonly name: string };

export interface ParsedPattern {
  /** Normalised pattern (leading slashes collapsed, trailing slashes removed). */
  readonly path: string;
  readonly segments: readonly Segment[];
  readonly paramNames: readonly string[];
  /** True when the pattern has no `:param` or `*wildcard`. */
  readonly isStatic: boolean;
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
// A request's `?` and `#` end its path, and `%XX` is decoded before a segment is compared, so a
// static segment holding any of them could never match; such patterns are refused at registration.
const UNREACHABLE = /[?#]|%[0-9A-Fa-f]{2}/;

/** Collapses repeated leading slashes and strips trailing ones (`//a/b/` → `/a/b`, `/` stays). */
export function normalizePatternPath(path: string): string {
  let p = path;
  if (p.startsWith('//')) p = '/' + p.replace(/^\/+/, '');
  if (p.length > 1 && p.endsWith('/')) p = p.replace(/\/+$/, '') || '/';
  return p;
}

/**
 * Parses and validates a route pattern. Rules: absolute path; no empty internal segment; `:name`
 * and `*name` use ASCII identifiers, unique within the pattern; `*name` only as the last segment.
 * Static segments are written decoded (`/café`, not `/caf%C3%A9`): no `%XX` escape, `?`, `#`, and
 * no `.` or `..` segment (requests with dot segments are refused, so such a route is unreachable).
 */
export function parsePattern(path: string): ParsedPattern {
  if (typeof path !== 'string' || !path.startsWith('/')) {
    throw new RouterError('ROUTER_INVALID_PATTERN', `pattern ${JSON.stringify(path)} must start with "/"`);
  }
  const norm = normalizePatternPath(path);
  if (norm === '/') return { path: '/', segments: [], paramNames: [], isStatic: true };
  const raw = norm.slice(1).split('/');
  const segments: Segment[] = [];
  const names: string[] = [];
  for (let i = 0; i < raw.length; i++) {
    const s = raw[i]!;
    if (s === '')
      throw new RouterError('ROUTER_INVALID_PATTERN', `pattern ${JSON.stringify(path)} has an empty segment`);
    const c = s[0];
    if (c === ':' || c === '*') {
      const name = s.slice(1);
      if (!IDENT.test(name)) {
        throw new RouterError(
          'ROUTER_INVALID_PATTERN',
          `pattern ${JSON.stringify(path)}: "${s}" needs an identifier name`,
        );
      }
      if (names.includes(name)) {
        throw new RouterError(
          'ROUTER_INVALID_PATTERN',
          `pattern ${JSON.stringify(path)} repeats the parameter "${name}"`,
        );
      }
      if (c === '*' && i !== raw.length - 1) {
        throw new RouterError(
          'ROUTER_INVALID_PATTERN',
          `pattern ${JSON.stringify(path)}: wildcard "${s}" must be the last segment`,
        );
      }
      names.push(name);
      segments.push(c === ':' ? { kind: 'param', name } : { kind: 'wildcard', name });
    } else {
      if (s === '.' || s === '..' || UNREACHABLE.test(s)) {
        throw new RouterError(
          'ROUTER_INVALID_PATTERN',
          `pattern ${JSON.stringify(path)}: static segment "${s}" can never match a request (write it decoded, without "?", "#" or dot segments)`,
        );
      }
      segments.push({ kind: 'static', value: s });
    }
  }
  return { path: norm, segments, paramNames: names, isStatic: names.length === 0 };
}

/** Joins a group prefix and a route path (`/api` + `/users` → `/api/users`; `/api` + `/` → `/api`). */
export function joinPaths(prefix: string, path: string): string {
  if (prefix === '' || prefix === '/') return path;
  const p = prefix.endsWith('/') ? prefix.slice(0, -1) : prefix;
  if (path === '/' || path === '') return p;
  return p + path;
}
