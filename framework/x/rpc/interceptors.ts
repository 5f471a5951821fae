import { status as GrpcStatus, type Metadata, type MethodDefinition } from '@grpc/grpc-js';
import { formatTraceparent, type Context } from 'plumego/contract';
import type { StructuredLogger } from 'plumego/log';
import { deadlineFromContext, newSpanId } from './call-context.ts';
import { assertRpcOption, getGrpcStatus } from './errors.ts';

/** One outgoing unary call as interceptors see it; they may change metadata and deadline. */
export interface RpcCall {
  readonly target: string;
  /** `/package.Service/Method`. */
  readonly method: string;
  /** Serialisers of the method. */
  readonly definition: MethodDefinition<unknown, unknown>;
  readonly request: unknown;
  metadata: Metadata;
  /** Epoch ms by which the call must finish, or undefined for none. */
  deadline: number | undefined;
  /** The caller's context (trace, deadline). */
  readonly ctx: Context;
  /** Cancels the call. */
  readonly signal: AbortSignal | undefined;
  /** 1 for the first attempt; retries count up. */
  attempt: number;
}

export type UnaryInvoker = (call: RpcCall) => Promise<unknown>;

/** Wraps the next invoker; the first interceptor in a list is the outermost. */
export type UnaryInterceptor = (next: UnaryInvoker) => UnaryInvoker;

/** Applies interceptors once, at pool creation; the first one runs first. */
export function composeInterceptors(interceptors: readonly UnaryInterceptor[], invoke: UnaryInvoker): UnaryInvoker {
  let next = invoke;
  for (let i = interceptors.length - 1; i >= 0; i--) next = interceptors[i]!(next);
  return next;
}

/** Logs every call once it settles: method, target, gRPC status name, attempt and duration. */
export function loggingInterceptor(
  logger: StructuredLogger,
  now: () => number = performance.now.bind(performance),
): UnaryInterceptor {
  return (next) => async (call) => {
    const start = now();
    try {
      const result = await next(call);
      logger.info('rpc call', { method: call.method, target: call.target, status: 'OK', duration_ms: now() - start });
      return result;
    } catch (error) {
      const code = getGrpcStatus(error);
      logger.warn('rpc call failed', {
        method: call.method,
        target: call.target,
        status: GrpcStatus[code] ?? 'UNKNOWN',
        duration_ms: now() - start,
      });
      throw error;
    }
  };
}

export interface RetryInterceptorOptions {
  /** Attempts in total, first included. Default 3. */
  maxAttempts?: number;
  /** First backoff; doubles per retry up to `maxDelayMs`, with full jitter. Default 50 ms. */
  initialDelayMs?: number;
  /** Default 1 000 ms. */
  maxDelayMs?: number;
  /** gRPC statuses worth another attempt. Default UNAVAILABLE only (the call did not run). */
  retryOn?: readonly number[];
  /** Jitter source in [0, 1). Default `Math.random`. */
  random?: () => number;
  /** Waits `ms` (injectable for tests). Default a timer. */
  sleep?: (ms: number, signal: AbortSignal | undefined) => Promise<void>;
}

function defaultSleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Retries retryable statuses with exponential backoff and full jitter; never past the call's
 * deadline (a backoff that would end after it is not taken) and never after cancellation.
 */
export function retryInterceptor(options: RetryInterceptorOptions = {}): UnaryInterceptor {
  const maxAttempts = options.maxAttempts ?? 3;
  const initial = options.initialDelayMs ?? 50;
  const max = options.maxDelayMs ?? 1_000;
  const retryOn = new Set(options.retryOn ?? [GrpcStatus.UNAVAILABLE]);
  const random = options.random ?? Math.random;
  const sleep = options.sleep ?? defaultSleep;
  assertRpcOption(
    Number.isInteger(maxAttempts) && maxAttempts >= 1 && maxAttempts <= 10,
    'retry.maxAttempts',
    'an integer between 1 and 10',
  );
  assertRpcOption(initial > 0 && max >= initial, 'retry.initialDelayMs', 'positive and ≤ maxDelayMs');
  return (next) => async (call) => {
    for (let attempt = 1; ; attempt++) {
      call.attempt = attempt;
      try {
        return await next(call);
      } catch (error) {
        if (attempt >= maxAttempts || !retryOn.has(getGrpcStatus(error)) || call.signal?.aborted === true) throw error;
        const delay = Math.floor(random() * Math.min(max, initial * 2 ** (attempt - 1)));
        if (call.deadline !== undefined && Date.now() + delay >= call.deadline) throw error;
        await sleep(delay, call.signal);
      }
    }
  };
}

/**
 * Continues the W3C trace of `call.ctx`: sends `traceparent` with the caller's trace id and a new
 * span id (and its `tracestate`). Without a trace in the context nothing is added.
 */
export function traceContextInterceptor(): UnaryInterceptor {
  return (next) => (call) => {
    const tc = call.ctx.trace;
    if (tc !== undefined) {
      call.metadata.set('traceparent', formatTraceparent({ ...tc, spanId: newSpanId() }));
      if (tc.traceState !== '') call.metadata.set('tracestate', tc.traceState);
    }
    return next(call);
  };
}

/**
 * Gives every call a deadline: the earliest of its own, the one its context carries (an incoming
 * request's), and now + `defaultTimeoutMs`.
 */
export function deadlineInterceptor(options: { defaultTimeoutMs?: number } = {}): UnaryInterceptor {
  const fallback = options.defaultTimeoutMs;
  assertRpcOption(
    fallback === undefined || (Number.isFinite(fallback) && fallback > 0),
    'deadline.defaultTimeoutMs',
    'a positive number',
  );
  return (next) => (call) => {
    const candidates = [
      call.deadline,
      deadlineFromContext(call.ctx),
      fallback === undefined ? undefined : Date.now() + fallback,
    ].filter((d): d is number => d !== undefined);
    if (candidates.length > 0) call.deadline = Math.min(...candidates);
    return next(call);
  };
}
