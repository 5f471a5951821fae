import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request } from 'plumego/contract';
import { SecurityError } from '../errors.ts';
import type { Authenticator } from './authenticator.ts';
import { extractBearerToken } from './bearer.ts';
import { createPrincipal, type Principal, type PrincipalInit } from './principal.ts';

export interface StaticTokenOptions {
  /** Principal returned on success. Default: subject `static-token`, no roles. */
  principal?: PrincipalInit;
  /** A second header read when there is no Bearer token (lower-case). Default: `x-token`; '' disables it. */
  header?: string;
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/**
 * Authenticates requests that present one shared secret, as a Bearer token or in `X-Token`.
 * Both sides are reduced to SHA-256 digests before `timingSafeEqual`, so neither the content nor
 * the length of the secret leaks through timing.
 */
export function createStaticTokenAuthenticator(token: string, options: StaticTokenOptions = {}): Authenticator {
  if (typeof token !== 'string' || token.length < 16) {
    throw new TypeError('static token must be a string of at least 16 characters');
  }
  const expected = digest(token);
  const header = options.header ?? 'x-token';
  const principal: Principal = createPrincipal(options.principal ?? { subject: 'static-token' });
  return {
    authenticate(r: Request): Principal {
      const presented = extractBearerToken(r.header('authorization')) ?? (header === '' ? undefined : r.header(header));
      if (presented === undefined || presented === '') throw new SecurityError('PLUMEGO_ERR_AUTH_UNAUTHENTICATED');
      if (!timingSafeEqual(digest(presented), expected)) throw new SecurityError('PLUMEGO_ERR_AUTH_INVALID_TOKEN');
      return principal;
    },
  };
}
