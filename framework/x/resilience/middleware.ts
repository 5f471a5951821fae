import { APIError, isPromise, writeError, type Middleware, type Request, type ResponseWriter } from 'plumego/contract';
import { CircuitBreaker, type CircuitPermit } from './circuit-breaker.ts';
import { RESILIENCE_ERROR_CODES, isResilienceError } from './errors.ts';

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
  writeError(
    w,
    r,
    new APIError({
      type: 'service_unavailable',
      code: RESILIENCE_ERROR_CODES.circuitOpen,
      message: 'service temporarily unavailable',
      details: { state: details['state'], retry_after_ms: retryMs },
    }),
  );
}

/**
 * Guards the wrapped handlers with `breaker`: while open, requests get 503 `CIRCUIT_OPEN` plus
 * `Retry-After` without reaching the handler. 5xx responses and thrown errors count as failures; a
 * thrown error is rethrown for recovery middleware to answer.
 */
export function circuitBreakerMiddleware(
  breaker: CircuitBreaker,
  options: CircuitBreakerMiddlewareOptions = {},
): Middleware {
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
