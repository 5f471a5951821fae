import { type Middleware, type Request, type ResponseWriter } from 'plumego/contract';
import { getOutcomeStatus, onRequestComplete } from '../completion.ts';
import type { HTTPObserver } from 'plumego/metrics';

/**
 * Reports every finished request to `observer.observeHTTP(method, route, status, bytes, ms)`,
 * labelled by the matched route pattern (never the raw path, so label cardinality stays bounded;
 * unmatched requests report ''). A thrown error is observed with the status recovery will give it
 * (an APIError's own status, else 500) and re-thrown; a client that went away counts as 499.
 */
export function httpMetrics(observer: HTTPObserver): Middleware {
  if (observer === undefined || typeof observer.observeHTTP !== 'function')
    throw new TypeError('httpMetrics: an HTTPObserver is required');
  const observe = (w: ResponseWriter, r: Request, durationMs: number, error: unknown): void => {
    try {
      const status = getOutcomeStatus(w, error, 200);
      observer.observeHTTP(r.method, r.state.routePattern, status, w.bytesWritten, durationMs);
    } catch {
      // Metrics never break requests.
    }
  };
  return onRequestComplete(observe);
}
