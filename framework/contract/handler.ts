import type { Request } from './request.ts';
import type { ResponseWriter } from './response-writer.ts';

/**
 * Serves one request. Return nothing when done synchronously, or a promise that settles when done;
 * throwing (or rejecting) hands the error to recovery middleware, or to the app's last-resort
 * handler, which answers 500 if nothing was written yet.
 */
export type Handler = (w: ResponseWriter, r: Request) => void | Promise<void>;

/**
 * Wraps a handler: `(next) => (w, r) => { …; return next(w, r); }`. Middleware is applied once, when
 * the app is prepared, so the returned handler must not build closures per request. Rules: call
 * `next` at most once; return its result (do not drop a promise); stay synchronous unless `next`
 * returned a promise (check with `isPromise`).
 */
export type Middleware = (next: Handler) => Handler;

/** True for a thenable; cheaper than `instanceof Promise` across realms and for custom thenables. */
export function isPromise(value: unknown): value is Promise<unknown> {
  return value !== undefined && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

/**
 * Applies `middlewares` around `handler`, the first one outermost. Done once at startup; the result
 * is a plain handler with no per-request chain building.
 */
export function composeMiddleware(middlewares: readonly Middleware[], handler: Handler): Handler {
  let h = handler;
  for (let i = middlewares.length - 1; i >= 0; i--) {
    const mw = middlewares[i];
    if (typeof mw !== 'function') throw new TypeError(`middleware at index ${i} is not a function`);
    h = mw(h);
    if (typeof h !== 'function') throw new TypeError(`middleware at index ${i} did not return a handler`);
  }
  return h;
}
