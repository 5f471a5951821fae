import { RouterError } from './errors.ts';
import type { ParsedPattern } from './pattern.ts';

/** Method key of routes registered with `any()`. */
export const ANY = 'ANY';

/**
 * One trie for all methods; each level is one path segment. Children are tried in precedence
 * order static > `:param` > `*wildcard`, and the routes of a node are keyed by method, so the most
 * specific *path* is chosen first and the method fallback (exact, GET for HEAD, ANY) applies only
 * between routes of the same pattern.
 */
export class TrieNode<T> {
  statics: Map<string, TrieNode<T>> | undefined = undefined;
  param: TrieNode<T> | undefined = undefined;
  /** Parameter name per method at this position (names are per route; a clash within one method is an error). */
  readonly paramNames = new Map<string, string>();
  /** Routes ending in a wildcard here, by method. */
  wildcard: Map<string, T> | undefined = undefined;
  readonly wildcardNames = new Map<string, string>();
  /** Routes ending exactly here, by method. */
  routes: Map<string, T> | undefined = undefined;
}

/** The route for `method` among one pattern's routes: exact, then GET for HEAD, then ANY. */
export function pickMethod<T>(routes: Map<string, T> | undefined, method: string, exact: boolean): T | undefined {
  if (routes === undefined) return undefined;
  const hit = routes.get(method);
  if (hit !== undefined || exact) return hit;
  return (method === 'HEAD' ? routes.get('GET') : undefined) ?? routes.get(ANY);
}

/** Inserts `value` for `method` under `pattern`; throws on a parameter-name clash or a duplicate. */
export function insertRoute<T>(
  root: TrieNode<T>,
  method: string,
  pattern: ParsedPattern,
  value: T,
  describe: string,
): void {
  let node = root;
  for (const seg of pattern.segments) {
    if (seg.kind === 'static') {
      node.statics ??= new Map();
      let child = node.statics.get(seg.value);
      if (child === undefined) {
        child = new TrieNode<T>();
        node.statics.set(seg.value, child);
      }
      node = child;
    } else if (seg.kind === 'param') {
      const existing = node.paramNames.get(method);
      if (existing !== undefined && existing !== seg.name) {
        throw new RouterError(
          'ROUTER_PARAM_CONFLICT',
          `${describe}: parameter ":${seg.name}" conflicts with ":${existing}" at the same position`,
        );
      }
      node.paramNames.set(method, seg.name);
      node.param ??= new TrieNode<T>();
      node = node.param;
    } else {
      const existing = node.wildcardNames.get(method);
      if (existing !== undefined) {
        if (existing !== seg.name) {
          throw new RouterError(
            'ROUTER_PARAM_CONFLICT',
            `${describe}: wildcard "*${seg.name}" conflicts with "*${existing}" at the same position`,
          );
        }
        throw new RouterError('ROUTER_DUPLICATE_ROUTE', `${describe} is already registered`);
      }
      node.wildcard ??= new Map();
      node.wildcard.set(method, value);
      node.wildcardNames.set(method, seg.name);
      return;
    }
  }
  node.routes ??= new Map();
  if (node.routes.has(method)) throw new RouterError('ROUTER_DUPLICATE_ROUTE', `${describe} is already registered`);
  node.routes.set(method, value);
}

/**
 * Finds the route for `method` on a normalised, still percent-encoded path (starting with `/`),
 * pushing parameter values (decoded) onto `values` in pattern order. Segments are split on raw
 * `/` first and decoded afterwards — only those holding a `%` — so an encoded slash stays inside
 * its segment. The caller has validated the encoding.
 *
 * Backtracking: when the preferred branch dead-ends (no route there, or none for this method), the
 * next candidate at that level is tried, so with `/a/b/c` and `/a/:x/d` registered, `/a/b/d`
 * matches `/a/:x/d`. Precedence is unchanged: a path that matches a more specific route usable for
 * the method never reaches a less specific one. The work stays bounded by segments × 3 branches.
 * With `exact`, only routes registered for `method` itself count (no HEAD→GET or ANY fallback).
 */
export function matchRoute<T>(
  node: TrieNode<T>,
  path: string,
  start: number,
  values: string[],
  method: string,
  exact: boolean,
): T | undefined {
  if (start >= path.length) return pickMethod(node.routes, method, exact);
  // One pass finds the segment's end and whether it needs decoding: cheaper than two builtin
  // `indexOf` calls on the short segments of a path.
  let end = start;
  let percent = false;
  for (; end < path.length; end++) {
    const c = path.charCodeAt(end);
    if (c === 47 /* / */) break;
    if (c === 37 /* % */) percent = true;
  }
  let seg = path.slice(start, end);
  if (percent) seg = decodeURIComponent(seg);
  const next = end + 1;
  if (node.statics !== undefined) {
    const child = node.statics.get(seg);
    if (child !== undefined) {
      const found =
        next > path.length
          ? pickMethod(child.routes, method, exact)
          : matchRoute(child, path, next, values, method, exact);
      if (found !== undefined) return found;
    }
  }
  if (seg === '') return undefined;
  if (node.param !== undefined) {
    const mark = values.length;
    values.push(seg);
    const child = node.param;
    const found =
      next > path.length
        ? pickMethod(child.routes, method, exact)
        : matchRoute(child, path, next, values, method, exact);
    if (found !== undefined) return found;
    values.length = mark;
  }
  if (node.wildcard !== undefined) {
    const found = pickMethod(node.wildcard, method, exact);
    if (found !== undefined) {
      const rest = path.slice(start);
      values.push(rest.indexOf('%') >= 0 ? decodeURIComponent(rest) : rest);
    }
    return found;
  }
  return undefined;
}
