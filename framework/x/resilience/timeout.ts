import { TaskCancelledError, TimeoutStrategy, timeout as cockatielTimeout } from 'cockatiel';
import { RESILIENCE_ERROR_CODES, ResilienceError, assertOption } from './errors.ts';

export interface Timeout {
  readonly ms: number;
  /**
   * Runs `fn` with a signal that aborts at the deadline (or when `signal` aborts) and rejects with
   * `RESILIENCE_TIMEOUT` at the deadline even if `fn` ignores its signal — JS cannot preempt, so `fn` must
   * pass the signal on to fetch/DB calls to actually stop work.
   */
  execute<T>(fn: (signal: AbortSignal) => T | PromiseLike<T>, signal?: AbortSignal): Promise<T>;
}

/**
 * Built on cockatiel's aggressive timeout: its semantics (race plus a linked, aborted signal, timer cleared
 * on settle) are exactly ours, so there is nothing to gain from hand-writing it. `abortOnReturn` is off:
 * `fetch` resolves at the headers, and aborting its signal on return would kill the body read that follows.
 */
export function createTimeout(ms: number): Timeout {
  assertOption(Number.isFinite(ms) && ms > 0, 'ms', 'a positive number');
  const policy = cockatielTimeout(ms, { strategy: TimeoutStrategy.Aggressive, abortOnReturn: false });
  return {
    ms,
    async execute<T>(fn: (signal: AbortSignal) => T | PromiseLike<T>, signal?: AbortSignal): Promise<T> {
      try {
        return await policy.execute((ctx) => fn(ctx.signal), signal);
      } catch (error) {
        // A caller abort is the caller's business; only our own deadline becomes a timeout error.
        if (error instanceof TaskCancelledError && !signal?.aborted) {
          throw new ResilienceError(RESILIENCE_ERROR_CODES.timeout, 'operation timed out', { timeout_ms: ms }, error);
        }
        throw error;
      }
    },
  };
}
