/** Longest Authorization header value considered at all; longer ones are refused unparsed. */
const MAX_AUTHORIZATION_LENGTH = 16 * 1024;

/**
 * The token of an `Authorization: Bearer <token>` header value, or undefined. The scheme must be
 * exactly `Bearer` (any case) followed by one or more spaces or tabs; the token itself must be
 * non-empty, contain no whitespace or controls, and fit in 16 KiB. Tokens in query strings are
 * never read: they end up in access logs, browser history and Referer headers.
 */
export function extractBearerToken(authorization: string | undefined): string | undefined {
  if (authorization === undefined || authorization.length > MAX_AUTHORIZATION_LENGTH) return undefined;
  if (authorization.length < 8 || authorization.slice(0, 6).toLowerCase() !== 'bearer') return undefined;
  let i = 6;
  if (authorization[i] !== ' ' && authorization[i] !== '\t') return undefined;
  while (authorization[i] === ' ' || authorization[i] === '\t') i++;
  const token = authorization.slice(i).replace(/[ \t]+$/, '');
  if (token === '' || !/^[\x21-\x7e]+$/.test(token)) return undefined;
  return token;
}
