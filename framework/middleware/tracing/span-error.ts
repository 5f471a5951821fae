import type { Request } from 'plumego/contract';

// Recovery sits inside tracing in the canonical stack, so a thrown error is answered (500 envelope,
// 499 for a client disconnect) before the tracing middleware's completion runs, and never reaches
// it as a rejection. Recovery leaves the error here, keyed by the request's shared state slot, for
// tracing to hand to the span. Only the error path writes; a WeakMap keeps nothing alive.
const recovered = new WeakMap<object, unknown>();

/** Called by recovery with an error it answered for `r`. */
export function noteRecoveredError(r: Request, err: unknown): void {
  recovered.set(r.state, err ?? null);
}

/** The error recovery answered for `r`, or undefined; forgets it. */
export function takeRecoveredError(r: Request): unknown {
  const err = recovered.get(r.state);
  if (err !== undefined) recovered.delete(r.state);
  return err;
}
