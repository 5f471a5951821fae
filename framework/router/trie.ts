import { RouterError } from './errors.ts';
import type { ParsedPattern } from './pattern.ts';

/**
 * A trie node. One trie per method; each level is one path segment. Children are tried in
 * precedence order static > `:param` > `*wildcard`.
 */
export class TrieNode<T> {
  statics: Map<string, TrieNode<T>> | undefined = undefined;
  param: TrieNode<T> | undefined = undefined;
  paramName = '';
  wildcard: T | undefined = undefined;
  wildcardName = '';
  value: T | undefined = undefined;
}

/** Inserts `value` under `pattern`; throws on a parameter-name clash or a duplicate. */
export function insertRoute<T>(root: TrieNode<T>, pattern: ParsedPattern, value: T, describe: string): void {
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
      if (node.param === undefined) {
        node.param = new TrieNode<T>();
        node.paramName = seg.name;
      } else if (node.paramName !== seg.name) {
        throw new RouterError(
          'ROUTER_PARAM_CONFLICT',
          `${describe}: parameter ":${seg.name}" conflicts with ":${node.paramName}" at the same position`,
        );
      }
      node = node.param;
    } else {
      if (node.wildcard !== undefined) {
        if (node.wildcardName !== seg.name) {
          throw new RouterError(
            'ROUTER_PARAM_CONFLICT',
            `${describe}: wildcard "*${seg.name}" conflicts with "*${node.wildcardName}" at the same position`,
          );
        }
        throw new RouterError('ROUTER_DUPLICATE_ROUTE', `${describe} is already registered`);
      }
      node.wildcard = value;
      node.wildcardName = seg.name;
      return;
    }
  }
  if (node.value !== undefined) throw new RouterError('ROUTER_DUPLICATE_ROUTE', `${describe} is already registered`);
  node.value = value;
}

/**
 * Finds the value for a decoded, normalised path (starting with `/`), pushing parameter values
 * onto `values` in pattern order.
 *
 * Backtracking: when the preferred branch dead-ends, the next candidate at that level is tried, so
 * with `/a/b/c` and `/a/:x/d` registered, `/a/b/d` matches `/a/:x/d`. (The Go reference descends
 * greedily and answers 404 there; we chose the answer users expect. Precedence is unchanged: a
 * path that matches a static route never reaches a parameter route.) The work stays bounded by
 * segments × 3 branches per level.
 */
export function matchRoute<T>(node: TrieNode<T>, path: string, start: number, values: string[]): T | undefined {
  if (start >= path.length) return node.value;
  let end = path.indexOf('/', start);
  if (end < 0) end = path.length;
  const seg = path.slice(start, end);
  const next = end + 1;
  if (node.statics !== undefined) {
    const child = node.statics.get(seg);
    if (child !== undefined) {
      const found = next > path.length ? child.value : matchRoute(child, path, next, values);
      if (found !== undefined) return found;
    }
  }
  if (node.param !== undefined && seg !== '') {
    const mark = values.length;
    values.push(seg);
    const found = next > path.length ? node.param.value : matchRoute(node.param, path, next, values);
    if (found !== undefined) return found;
    values.length = mark;
  }
  if (node.wildcard !== undefined && seg !== '') {
    values.push(path.slice(start));
    return node.wildcard;
  }
  return undefined;
}
