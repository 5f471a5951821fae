import { assertOption } from './errors.ts';

export type JitterMode = 'full' | 'equal' | 'none';

export interface RetryOptions {
  /** Total attempts including the first. Default 3. */
  maxAttempts?: number;
  /** Delay before the second attempt, before jitter. Default 100 ms. */
  initialDelayMs?: number;
  /** Cap on any single delay. Default 10 000 ms. */
  maxDelayMs?: number;
  /** Growth factor between attempts. Default 2. */
  multiplier?: number;
  /**
   * `full` draws uniformly from [0, d] (AWS "full jitter", best at spreading herds), `equal` from [d/2, d],
   * `none` waits exactly d. Default `full`.
   */
  jitter?: JitterMode;
  /** Whether an error is worth another attempt. Default: every error except an abort. */
  shouldRetry?: (error: unknown, attempt: number) => boolean;
  /** Called before each wait. Default none. */
  onRetry?: (info: { error: unknown; attempt: number; delayMs: number }) => void;
  /** Uniform random in [0, 1); injectable for tests. Default `Math.random`. */
  random?: () => number;
  /** Waits `ms` or rejects when `signal` aborts; injectable for tests. Default a timer. */
  sleep?: (ms: number, signal: AbortSignal | undefined) => Promise<void>;
}

export interface ResolvedRetryOptions {
  maxAttempts: number;
  initialDelayMs: number;
  maxDelayMs: number;
  multiplier: number;
  jitter: JitterMode;
  shouldRetry: (error: unknown, attempt: number) => boolean;
  onRetry: ((info: { error: unknown; attempt: number; delayMs: number }) => void) | undefined;
  random: () => number;
  sleep: (ms: number, signal: AbortSignal | undefined) => Promise<void>;
}

const DEFAULT_RETRY = {
  maxAttempts: 3,
  initialDelayMs: 100,
  maxDelayMs: 10_000,
  multiplier: 2,
  jitter: 'full',
} as const;

function isAbort(error: unknown): boolean {
  return error instanceof Error && error.name === 'AbortError';
}

function sleepWithSignal(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export function resolveRetryOptions(options: RetryOptions = {}): ResolvedRetryOptions {
  const r = {
    maxAttempts: options.maxAttempts ?? DEFAULT_RETRY.maxAttempts,
    initialDelayMs: options.initialDelayMs ?? DEFAULT_RETRY.initialDelayMs,
    maxDelayMs: options.maxDelayMs ?? DEFAULT_RETRY.maxDelayMs,
    multiplier: options.multiplier ?? DEFAULT_RETRY.multiplier,
    jitter: options.jitter ?? DEFAULT_RETRY.jitter,
    shouldRetry: options.shouldRetry ?? ((error: unknown) => !isAbort(error)),
    onRetry: options.onRetry,
    random: options.random ?? Math.random,
    sleep: options.sleep ?? sleepWithSignal,
  };
  assertOption(Number.isInteger(r.maxAttempts) && r.maxAttempts >= 1, 'maxAttempts', 'an integer ≥ 1');
  assertOption(Number.isFinite(r.initialDelayMs) && r.initialDelayMs >= 0, 'initialDelayMs', 'a non-negative number');
  assertOption(
    Number.isFinite(r.maxDelayMs) && r.maxDelayMs >= r.initialDelayMs,
    'maxDelayMs',
    'a number ≥ initialDelayMs',
  );
  assertOption(Number.isFinite(r.multiplier) && r.multiplier >= 1, 'multiplier', 'a number ≥ 1');
  assertOption(['full', 'equal', 'none'].includes(r.jitter), 'jitter', 'one of full, equal, none');
  return r;
}

/** The wait after failed attempt `attempt` (1-based): min(max, initial·multiplier^(attempt-1)), then jittered. */
export function getBackoffDelay(attempt: number, options: ResolvedRetryOptions): number {
  const exp = Math.min(options.maxDelayMs, options.initialDelayMs * options.multiplier ** (attempt - 1));
  switch (options.jitter) {
    case 'none':
      return exp;
    case 'equal':
      return exp / 2 + options.random() * (exp / 2);
    case 'full':
      return options.random() * exp;
  }
}

/**
 * Runs `fn` until it succeeds, `shouldRetry` says no, attempts run out, or `signal` aborts; the last error
 * is rethrown unchanged so callers keep their own error types. Hand-written rather than cockatiel's
 * `retry()` because the random source and the sleep must be injectable to test jitter without timers.
 */
export function retry<T>(
  fn: (attempt: number, signal: AbortSignal | undefined) => T | PromiseLike<T>,
  options: RetryOptions = {},
  signal?: AbortSignal,
): Promise<T> {
  return runRetry(fn, resolveRetryOptions(options), signal);
}

async function runRetry<T>(
  fn: (attempt: number, signal: AbortSignal | undefined) => T | PromiseLike<T>,
  resolved: ResolvedRetryOptions,
  signal: AbortSignal | undefined,
): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await fn(attempt, signal);
    } catch (error) {
      if (attempt >= resolved.maxAttempts || signal?.aborted || !resolved.shouldRetry(error, attempt)) throw error;
      const delayMs = getBackoffDelay(attempt, resolved);
      resolved.onRetry?.({ error, attempt, delayMs });
      await resolved.sleep(delayMs, signal);
    }
  }
}

/** Binds options once so bad options fail at wiring time. */
export function createRetry(
  options: RetryOptions = {},
): <T>(
  fn: (attempt: number, signal: AbortSignal | undefined) => T | PromiseLike<T>,
  signal?: AbortSignal,
) => Promise<T> {
  const resolved = resolveRetryOptions(options);
  return (fn, signal) => runRetry(fn, resolved, signal);
}
