import {
  APIError,
  BufferedResponseWriter,
  isPromise,
  writeError,
  type Middleware,
  type Request,
  type ResponseWriter,
} from 'plumego/contract';
import { createDiscardLogger, type StructuredLogger } from 'plumego/log';
import { DeadlineEntry, DeadlineQueue } from './deadline-queue.ts';

export interface TimeoutOptions {
  /** Handler time budget in ms; ≤ 0 disables the middleware. Required. */
  timeoutMs: number;
  /** Largest buffered response; a bigger one is replaced by a 500. Default 10 MiB. */
  maxBufferBytes?: number;
  /** Where errors thrown after the deadline are logged (the client already got the 504). Default: discard. */
  logger?: StructuredLogger;
}

/** Abort reason given to `r.signal` when the deadline passes. */
export class RequestTimeoutError extends Error {
  readonly code = 'REQUEST_TIMEOUT';
  constructor(readonly timeoutMs: number) {
    super(`request exceeded its ${timeoutMs}ms budget`);
    this.name = 'RequestTimeoutError';
  }
}

class Pending extends DeadlineEntry {
  timedOut = false;
  settled = false;
  resolve: () => void = noop;
  reject: (err: unknown) => void = noop;
  constructor(
    readonly mw: TimeoutState,
    readonly w: ResponseWriter,
    readonly r: Request,
    readonly buf: BufferedResponseWriter,
  ) {
    super();
  }
  readonly onDone = (): void => {
    if (this.timedOut) return; // late: dropped
    if (!this.buf.finished) {
      // Settled without ending the response: keep waiting for `end`, under the same deadline.
      this.buf.onEnd = this.onDone;
      return;
    }
    this.settled = true;
    this.mw.queue.cancel(this);
    flush(this.buf, this.w, this.r);
    this.resolve();
  };
  readonly onError = (err: unknown): void => {
    if (this.timedOut) {
      this.mw.logger.error('handler failed after timeout', {
        method: this.r.method,
        route: this.r.state.routePattern,
        request_id: this.r.ctx.requestId,
        error_type: err instanceof Error ? err.name : typeof err,
      });
      return;
    }
    this.settled = true;
    this.mw.queue.cancel(this);
    this.buf.abandon();
    this.reject(err); // outer recovery answers on the real writer, untouched so far
  };
  fire(): void {
    if (this.settled) return;
    this.timedOut = true;
    this.buf.abandon();
    this.r.state.abort(new RequestTimeoutError(this.mw.timeoutMs));
    writeError(this.w, this.r, this.mw.timeoutError);
    this.resolve();
  }
}

function noop(): void {}

class TimeoutState {
  readonly queue: DeadlineQueue;
  readonly timeoutError = new APIError({ type: 'gateway_timeout', message: 'request timed out' });
  constructor(
    readonly timeoutMs: number,
    readonly maxBufferBytes: number,
    readonly logger: StructuredLogger,
  ) {
    this.queue = new DeadlineQueue(timeoutMs);
  }
}

const overflowError = new APIError({ type: 'internal_error', message: 'response too large to buffer' });

function flush(buf: BufferedResponseWriter, w: ResponseWriter, r: Request): void {
  if (buf.overflowed) writeError(w, r, overflowError);
  else buf.flushTo(w);
}

/**
 * Gives the handler a time budget. The handler writes into a buffer; when it finishes in time the
 * buffer is replayed onto the real response. At the deadline the client gets 504
 * `GATEWAY_TIMEOUT` ("request timed out"), `r.signal` aborts with `RequestTimeoutError`, and
 * anything the handler writes later is dropped; a later throw or rejection is logged, never left
 * unhandled. JS cannot be pre-empted: handlers must pass `r.signal` on. Because it buffers, this
 * middleware does not suit streaming, SSE or upgrades. All requests share one timer.
 */
export function timeout(options: TimeoutOptions): Middleware {
  const ms = options.timeoutMs;
  if (typeof ms !== 'number' || Number.isNaN(ms)) throw new TypeError('timeout: timeoutMs must be a number');
  if (ms <= 0) return (next) => next;
  const state = new TimeoutState(
    ms,
    options.maxBufferBytes ?? 10 * 1024 * 1024,
    options.logger ?? createDiscardLogger(),
  );
  return (next) => (w, r) => {
    const buf = new BufferedResponseWriter(state.maxBufferBytes, w.raw);
    const p = next(buf, r); // a synchronous throw propagates to outer recovery as is
    if (!isPromise(p) && buf.finished) {
      flush(buf, w, r); // the common synchronous case: no timer work at all
      return;
    }
    const pending = new Pending(state, w, r, buf);
    state.queue.add(pending);
    return new Promise<void>((resolve, reject) => {
      pending.resolve = resolve;
      pending.reject = reject;
      if (isPromise(p)) p.then(pending.onDone, pending.onError);
      else pending.onDone();
    });
  };
}
