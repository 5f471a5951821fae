import { APIError, isPromise, writeError, type Middleware, type Request, type ResponseWriter } from 'plumego/contract';
import type { Bulkhead } from './bulkhead.ts';
import { CircuitBreaker, type CircuitPermit } from './circuit-breaker.ts';
import { RESILIENCE_ERROR_CODES, isResilienceError } from './errors.ts';
import type { KeyedTokenBuckets } from './token-bucket.ts';

export interface CircuitBreakerMiddlewareOptions {
  /** Whether a finished response counts as a failure. Default: status ≥ 500. */
  isFailureStatus?: (status: number) => boolean;
}

function retryAfterSeconds(ms: number): string {
  return String(Math.max(1, Math.ceil(ms / 1000)));
}

function circuitOpen(w: ResponseWriter, r: Request, error: unknown): void {
  const details = isResilienceError(error) ? error.details : {};
  const retryMs = Number(details['retry_after_ms'] ?? 0);
  w.setHeader('retry-after', retryAfterSeconds(retryMs));
  writeError(w, r, new APIError({
    type: 'service_unavailable',
    code: RESILIENCE_ERROR_CODES.circuitOpen,
    message: 'service temporarily unavailable',
    details: { state: details['state'], retry_after_ms: retryMs },
  }));
}

/**
 * Guards the wrapped handlers with `breaker`: while open, requests get 503 `CIRCUIT_OPEN` plus
 * `Retry-After` without reaching the handler. 5xx responses and thrown errors count as failures; a
 * thrown error is rethrown for recovery middleware to answer.
 */
export function circuitBreakerMiddleware(breaker: CircuitBreaker, options: CircuitBreakerMiddlewareOptions = {}): Middleware {
  if (!(breaker instanceof CircuitBreaker)) throw new TypeError('circuitBreakerMiddleware needs a CircuitBreaker');
  const isFailureStatus = options.isFailureStatus ?? ((status: number) => status >= 500);
  const settle = (permit: CircuitPermit, w: ResponseWriter): void => {
    if (isFailureStatus(w.status || 200)) permit.failure();
    else permit.success();
  };
  return (next) => (w, r) => {
    let permit: CircuitPermit;
    try {
      permit = breaker.acquire();
    } catch (error) {
      circuitOpen(w, r, error);
      return;
    }
    let result: void | Promise<void>;
    try {
      result = next(w, r);
    } catch (error) {
      permit.failure(error);
      throw error;
    }
    if (!isPromise(result)) {
      settle(permit, w);
      return;
    }
    return result.then(
      () => settle(permit, w),
      (error: unknown) => {
        permit.failure(error);
        throw error;
      },
    );
  };
}

/** Caps concurrent requests through the wrapped handlers; overflow gets 503 `BULKHEAD_FULL`. */
export function bulkheadMiddleware(bulkhead: Bulkhead): Middleware {
  return (next) => async (w, r) => {
    try {
      await bulkhead.execute(() => next(w, r), r.signal);
    } catch (error) {
      if (!isResilienceError(error) || error.code !== RESILIENCE_ERROR_CODES.bulkheadFull) throw error;
      w.setHeader('retry-after', '1');
      writeError(w, r, new APIError({ type: 'service_unavailable', code: RESILIENCE_ERROR_CODES.bulkheadFull, message: 'server busy' }));
    }
  };
}

export interface RateLimitMiddlewareOptions {
  /**
   * The key to limit by. Required: the right key (peer IP, tenant, API key) depends on the deployment, and
   * trusting a forwarded header by default would let any client pick its own bucket.
   */
  key: (r: Request) => string;
  /** Tokens per request. Default 1. */
  cost?: number;
}

/** Per-key token buckets in front of a route; a denied request gets 429 `RATE_LIMITED` with `Retry-After`. */
export function rateLimitMiddleware(buckets: KeyedTokenBuckets, options: RateLimitMiddlewareOptions): Middleware {
  if (typeof options.key !== 'function') throw new TypeError('rateLimitMiddleware needs a key function');
  const cost = options.cost ?? 1;
  return (next) => (w, r) => {
    // An empty key would merge unrelated clients into one bucket; fail closed instead.
    const key = options.key(r) || '\u0000anonymous';
    const decision = buckets.take(key, cost);
    w.setHeader('x-ratelimit-remaining', String(decision.remaining));
    if (decision.allowed) return next(w, r);
    w.setHeader('retry-after', retryAfterSeconds(decision.retryAfterMs));
    writeError(w, r, new APIError({
      type: 'rate_limited',
      message: 'too many requests',
      details: { retry_after_ms: decision.retryAfterMs },
    }));
  };
}
