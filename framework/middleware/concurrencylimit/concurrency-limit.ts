import { APIError, writeError, type Handler, type Middleware } from 'plumego/contract';

export interface ConcurrencyLimitOptions {
  /** Requests handled at once. Required, positive integer. */
  maxConcurrent: number;
  /** Requests allowed to wait for a slot; beyond it the answer is 503 at once. Default: 0. */
  queueDepth?: number;
  /** Longest wait for a slot, in ms. Default: 100. */
  queueTimeoutMs?: number;
}

export interface ResolvedConcurrencyLimitOptions {
  maxConcurrent: number;
  queueDepth: number;
  queueTimeoutMs: number;
}

export function resolveConcurrencyLimitOptions(options: ConcurrencyLimitOptions): ResolvedConcurrencyLimitOptions {
  const o = { queueDepth: 0, queueTimeoutMs: 100, ...options };
  if (!Number.isSafeInteger(o.maxConcurrent) || o.maxConcurrent <= 0)
    throw new TypeError('concurrencyLimit: maxConcurrent must be a positive integer');
  if (!Number.isSafeInteger(o.queueDepth) || o.queueDepth < 0)
    throw new TypeError('concurrencyLimit: queueDepth must be a non-negative integer');
  if (!Number.isSafeInteger(o.queueTimeoutMs) || o.queueTimeoutMs <= 0)
    throw new TypeError('concurrencyLimit: queueTimeoutMs must be a positive integer');
  return o;
}

interface Waiter {
  grant: () => void;
  timer: NodeJS.Timeout;
}

/**
 * Caps in-flight requests with a semaphore and a bounded FIFO queue. A full queue answers 503
 * `CONCURRENCY_LIMIT_BUSY`; a wait past `queueTimeoutMs` answers 503
 * `CONCURRENCY_LIMIT_QUEUE_TIMEOUT` with details `queue_occupancy, queue_capacity`; both carry
 * `Retry-After: 1`. A waiter whose client disconnects leaves the queue silently. The slot is
 * released when the handler settles, including when it throws.
 */
export function concurrencyLimit(options: ConcurrencyLimitOptions): Middleware {
  const o = resolveConcurrencyLimitOptions(options);
  let active = 0;
  const queue: Waiter[] = [];
  const release = (): void => {
    const waiter = queue.shift();
    if (waiter === undefined) {
      active--;
      return;
    }
    clearTimeout(waiter.timer);
    waiter.grant(); // the slot passes straight to the waiter; `active` stays the same
  };
  const busy = new APIError({ type: 'service_unavailable', code: 'CONCURRENCY_LIMIT_BUSY', message: 'server busy' });

  return (next: Handler): Handler =>
    async (w, r) => {
      if (active >= o.maxConcurrent) {
        if (queue.length >= o.queueDepth) {
          w.setHeader('retry-after', '1');
          writeError(w, r, busy);
          return;
        }
        const outcome = await new Promise<'granted' | 'timeout' | 'aborted'>((resolve) => {
          const waiter: Waiter = {
            grant: () => {
              r.signal.removeEventListener('abort', onAbort);
              resolve('granted');
            },
            timer: setTimeout(() => {
              queue.splice(queue.indexOf(waiter), 1);
              r.signal.removeEventListener('abort', onAbort);
              resolve('timeout');
            }, o.queueTimeoutMs),
          };
          const onAbort = (): void => {
            const at = queue.indexOf(waiter);
            if (at < 0) return;
            queue.splice(at, 1);
            clearTimeout(waiter.timer);
            resolve('aborted');
          };
          r.signal.addEventListener('abort', onAbort, { once: true });
          queue.push(waiter);
        });
        if (outcome === 'aborted') return;
        if (outcome === 'timeout') {
          w.setHeader('retry-after', '1');
          writeError(
            w,
            r,
            new APIError({
              type: 'service_unavailable',
              code: 'CONCURRENCY_LIMIT_QUEUE_TIMEOUT',
              message: 'timed out waiting for capacity',
              details: { queue_occupancy: queue.length, queue_capacity: o.queueDepth },
            }),
          );
          return;
        }
      } else {
        active++;
      }
      try {
        await next(w, r);
      } finally {
        release();
      }
    };
}
