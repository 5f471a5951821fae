import { createHash } from 'node:crypto';
import { APIError, writeError, type Handler, type Middleware, type Request } from 'plumego/contract';
import { RateLimiter, type RateLimiterOptions } from 'plumego/security';

export interface AbuseGuardOptions extends RateLimiterOptions {
  /**
   * The caller's key. Default: the direct peer address — proxy headers are not trusted, since any
   * client can send them. An empty result falls back to the peer address.
   */
  keyFunc?: (r: Request) => string;
  /** Requests for which this returns true are not counted (health checks). Default: none. */
  skip?: (r: Request) => boolean;
}

/**
 * Token-bucket rate limiting per caller over security's sharded `RateLimiter`. Every counted
 * response carries `X-RateLimit-Limit`, `-Remaining` and `-Reset` (unix seconds); a denied one is
 * 429 `RATE_LIMITED` with `Retry-After` (≥ 1 s) and details `limit, remaining, retry_after,
 * reset_at`. Call `stop()` on shutdown (the sweep timer is unref'd either way).
 */
export class AbuseGuard {
  readonly limiter: RateLimiter;
  readonly #keyFunc: ((r: Request) => string) | undefined;
  readonly #skip: ((r: Request) => boolean) | undefined;

  constructor(options: AbuseGuardOptions = {}) {
    const { keyFunc, skip, ...limiterOptions } = options;
    if (keyFunc !== undefined && typeof keyFunc !== 'function')
      throw new TypeError('abuseGuard: keyFunc must be a function');
    if (skip !== undefined && typeof skip !== 'function') throw new TypeError('abuseGuard: skip must be a function');
    this.limiter = new RateLimiter(limiterOptions);
    this.#keyFunc = keyFunc;
    this.#skip = skip;
  }

  #key(r: Request): string {
    const custom = this.#keyFunc?.(r);
    const key = custom !== undefined && custom !== '' ? custom : r.remoteAddress || 'unknown';
    // Long custom keys (API keys, tokens) are hashed: bounded size, and no secret in the key map.
    return key.length > 64 ? createHash('sha256').update(key).digest('base64url') : key;
  }

  middleware(): Middleware {
    // The limit never changes and the reset second changes rarely: keep their header strings.
    const limit = String(this.limiter.options.burst);
    let resetAtSeconds = -1;
    let resetAtText = '';
    return (next: Handler): Handler =>
      (w, r) => {
        if (this.#skip?.(r) === true) return next(w, r);
        const decision = this.limiter.allow(this.#key(r));
        const resetAt = Math.ceil(decision.resetAt / 1000);
        if (resetAt !== resetAtSeconds) {
          resetAtSeconds = resetAt;
          resetAtText = String(resetAt);
        }
        w.setHeader('x-ratelimit-limit', limit);
        w.setHeader('x-ratelimit-remaining', String(decision.remaining));
        w.setHeader('x-ratelimit-reset', resetAtText);
        if (decision.allowed) return next(w, r);
        const retryAfter = Math.max(1, Math.ceil(decision.retryAfterMs / 1000));
        w.setHeader('retry-after', String(retryAfter));
        writeError(
          w,
          r,
          new APIError({
            type: 'rate_limited',
            message: 'rate limit exceeded',
            details: {
              limit: decision.limit,
              remaining: decision.remaining,
              retry_after: retryAfter,
              reset_at: resetAt,
            },
          }),
        );
      };
  }

  stop(): void {
    this.limiter.stop();
  }
}

/** Shorthand for `new AbuseGuard(options)`. */
export function createAbuseGuard(options: AbuseGuardOptions = {}): AbuseGuard {
  return new AbuseGuard(options);
}
