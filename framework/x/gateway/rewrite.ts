import type { Request } from 'plumego/contract';
import { assertGatewayOption } from './errors.ts';

/** A path rewrite for `ProxyOptions.rewritePath`. */
export type PathRewrite = (path: string, r: Request) => string;

/** Drops `prefix` from the front of the path (`/api/users` → `/users`); other paths pass unchanged. */
export function stripPrefix(prefix: string): PathRewrite {
  assertGatewayOption(
    prefix.startsWith('/') && !prefix.endsWith('/'),
    'stripPrefix',
    'a prefix like "/api" (leading slash, no trailing slash)',
  );
  return (path) => {
    if (path === prefix) return '/';
    if (path.startsWith(prefix) && path.charCodeAt(prefix.length) === 47) return path.slice(prefix.length);
    return path;
  };
}

/** Prepends `prefix` (`/users` → `/v2/users`). */
export function addPrefix(prefix: string): PathRewrite {
  assertGatewayOption(
    prefix.startsWith('/') && !prefix.endsWith('/'),
    'addPrefix',
    'a prefix like "/v2" (leading slash, no trailing slash)',
  );
  return (path) => (path === '/' ? prefix : prefix + path);
}

/** Regex replace; a result that does not start with `/` gets one. */
export function replacePath(pattern: RegExp, replacement: string): PathRewrite {
  return (path) => {
    const out = path.replace(pattern, replacement);
    return out.startsWith('/') ? out : `/${out}`;
  };
}
