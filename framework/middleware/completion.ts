import { performance } from 'node:perf_hooks';
import {
  CLIENT_CLOSED_REQUEST_STATUS,
  asAPIError,
  isClientDisconnect,
  isPromise,
  type Handler,
  type Middleware,
  type Request,
  type ResponseWriter,
} from 'plumego/contract';

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
export function runToCompletion<T>(
  next: Handler,
  w: ResponseWriter,
  r: Request,
  token: T,
  done: CompletionCallback<T>,
): void | Promise<void> {
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

/**
 * Called once when a request has finished, with its duration in ms measured around this
 * middleware's `next` (see `onRequestComplete`).
 */
export type TimedCompletion = (w: ResponseWriter, r: Request, durationMs: number, error: unknown) => void;

// Clock reads shared by nested timed middlewares of one request (the access log and HTTP metrics
// both time the request, a few frames apart): a clock read costs 40-50 ns on the benchmark
// machine, and the pair of them read four per request. Sharing is exact up to the synchronous
// frames in between, and only ever happens inside one synchronous call:
// - a start read is reused by an inner middleware of the same request entered while the outer
//   one is still inside its synchronous `next` call (`openState` is cleared when that call
//   returns, and by every completion, so an asynchronous entry or a second attempt reads anew);
// - an end read is reused by an outer middleware whose `next` finished synchronously and during
//   which an inner middleware of the same request read the end clock (`endSeq` moved).
let openState: object | undefined = undefined;
let openAt = 0;
let endState: object | undefined = undefined;
let endAt = 0;
let endSeq = 0;

function readEnd(state: object): number {
  endSeq++;
  endState = state;
  return (endAt = performance.now());
}

/**
 * A middleware that calls `done` with the request's duration once the inner handler finishes
 * (synchronously when it finished synchronously), and re-throws its error.
 */
export function onRequestComplete(done: TimedCompletion): Middleware {
  return (next) => (w, r) => {
    const state = r.state;
    const start = openState === state ? openAt : performance.now();
    // Restored when `next` returns: an enclosing open window (this request's, or another
    // request's dispatched synchronously from a handler) stays as it was.
    const outerState = openState;
    const outerAt = openAt;
    openState = state;
    openAt = start;
    const seq = endSeq;
    let p;
    try {
      p = next(w, r);
    } catch (err) {
      openState = outerState;
      openAt = outerAt;
      done(w, r, syncEnd(state, seq) - start, err ?? null);
      throw err;
    }
    openState = outerState;
    openAt = outerAt;
    if (!isPromise(p)) {
      done(w, r, syncEnd(state, seq) - start, undefined);
      return;
    }
    return p.then(
      () => done(w, r, readEnd(state) - start, undefined),
      (err: unknown) => {
        done(w, r, readEnd(state) - start, err ?? null);
        throw err;
      },
    );
  };
}

function syncEnd(state: object, seq: number): number {
  if (openState === state) openState = undefined;
  return endSeq !== seq && endState === state ? endAt : readEnd(state);
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
