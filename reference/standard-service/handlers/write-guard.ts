import { createHash, timingSafeEqual } from 'node:crypto';
import { APIError, writeError, type Middleware } from 'plumego/contract';
import type { StructuredLogger } from 'plumego/log';

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

/**
 * Route guard for writes: requires `X-Write-Key` to equal `key`, compared in constant time over
 * SHA-256 digests (so neither content nor length leaks). An empty key closes every write route.
 */
export function requireWriteKey(key: string, logger: StructuredLogger): Middleware {
  // Fail closed: with no key configured, no write is accepted (rather than every write).
  if (key === '') {
    return () => (w, r) => {
      writeError(
        w,
        r,
        new APIError({
          type: 'unauthorized_request',
          code: 'AUTH_KEY_INVALID',
          message: 'write routes are closed: no write key is configured',
        }),
      );
    };
  }
  const expected = digest(key);
  return (next) => (w, r) => {
    const got = r.header('x-write-key');
    if (got === undefined || !timingSafeEqual(digest(got), expected)) {
      logger.warn('write key rejected', {
        request_id: r.ctx.requestId,
        route: r.state.routePattern,
        present: got !== undefined,
      });
      writeError(
        w,
        r,
        new APIError({
          type: 'unauthorized_request',
          code: 'AUTH_KEY_INVALID',
          message: 'missing or invalid write key',
        }),
      );
      return;
    }
    return next(w, r);
  };
}
