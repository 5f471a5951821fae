import { createHash, timingSafeEqual } from 'node:crypto';
import { APIError, writeError, type Middleware } from 'plumego/contract';
import { OPS_ERRORS, assertOption } from './errors.ts';

/** Shortest operator token accepted; shorter ones are guessable. */
export const MIN_OPS_TOKEN_LENGTH = 16;

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/**
 * Requires `Authorization: Bearer <token>`. Both sides are hashed first so the comparison is
 * constant-time whatever the lengths; failures answer 401 `OPS_UNAUTHORIZED` without saying why.
 */
export function requireOpsToken(token: string): Middleware {
  assertOption(typeof token === 'string' && token.length >= MIN_OPS_TOKEN_LENGTH, 'token');
  const expected = digest(`Bearer ${token}`);
  const e = OPS_ERRORS.OPS_UNAUTHORIZED;
  return (next) => (w, r) => {
    if (timingSafeEqual(expected, digest(r.header('authorization') ?? ''))) return next(w, r);
    w.setHeader('www-authenticate', 'Bearer realm="ops"');
    writeError(w, r, new APIError({ status: e.status, code: 'OPS_UNAUTHORIZED', message: e.message }));
  };
}
