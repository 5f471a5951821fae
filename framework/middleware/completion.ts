import { isPromise, type Middleware, type Request, type ResponseWriter } from 'plumego/contract';

/**
 * Called once when a request has finished: `error` is undefined on success, the thrown or
 * rejected value otherwise (null stands for a falsy throw).
 */
export type CompletionCallback = (w: ResponseWriter, r: Request, start: number, error: unknown) => void;

/**
 * A middleware that runs `done` exactly once after the inner handler finishes, synchronously when
 * it finished synchronously, and re-throws its error. Shared by the access log and HTTP metrics
 * so both observe the same completion, with no per-request closure on the sync path.
 */
export function onRequestComplete(done: CompletionCallback): Middleware {
  return (next) => (w, r) => {
    const start = performance.now();
    let p;
    try {
      p = next(w, r);
    } catch (err) {
      done(w, r, start, err ?? null);
      throw err;
    }
    if (!isPromise(p)) {
      done(w, r, start, undefined);
      return;
    }
    return p.then(
      () => done(w, r, start, undefined),
      (err: unknown) => {
        done(w, r, start, err ?? null);
        throw err;
      },
    );
  };
}
