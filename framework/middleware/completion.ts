import { CLIENT_CLOSED_REQUEST_STATUS, asAPIError, isClientDisconnect, isPromise, type Handler, type Middleware, type Request, type ResponseWriter } from 'plumego/contract';

/**
 * Called once when a request has finished: `error` is undefined on success, the thrown or
 * rejected value otherwise (null stands for a falsy throw). `token` is what the caller handed to
 * runToCompletion (a start time, a span), so the sync path needs no per-request closure.
 */
export type CompletionCallback<T = number> = (w: ResponseWriter, r: Request, token: T, error: unknown) => void;

/**
 * Runs `next` and then `done` exactly once, synchronously when the handler finished synchronously,
 * and re-throws its error. Shared by the access log, HTTP metrics and tracing so all observe the
 * same completion.
 */
export function runToCompletion<T>(next: Handler, w: ResponseWriter, r: Request, token: T, done: CompletionCallback<T>): void | Promise<void> {
  let p;
  try {
    p = next(w, r);
  } catch (err) {
    done(w, r, token, err ?? null);
    throw err;
  }
  if (!isPromise(p)) {
    done(w, r, token, undefined);
    return;
  }
  return p.then(
    () => done(w, r, token, undefined),
    (err: unknown) => {
      done(w, r, token, err ?? null);
      throw err;
    },
  );
}

/** A middleware that calls `done` with the request's start time once the inner handler finishes. */
export function onRequestComplete(done: CompletionCallback): Middleware {
  return (next) => (w, r) => runToCompletion(next, w, r, performance.now(), done);
}

/**
 * The status a finished request is recorded with (access log, metrics): 499 when the client went
 * away before an answer; else what the writer sent; for a thrown error not answered yet, the
 * status recovery will give it (an APIError's own, else 500); `idle` when nothing was written.
 */
export function getOutcomeStatus(w: ResponseWriter, error: unknown, idle: number): number {
  if (error !== undefined && !w.finished && isClientDisconnect(error)) return CLIENT_CLOSED_REQUEST_STATUS;
  if (w.status !== 0) return w.status;
  if (error === undefined) return idle;
  return asAPIError(error)?.status ?? 500;
}
