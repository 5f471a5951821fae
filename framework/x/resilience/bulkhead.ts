import { BulkheadRejectedError, bulkhead as cockatielBulkhead } from 'cockatiel';
import { RESILIENCE_ERROR_CODES, ResilienceError, assertOption } from './errors.ts';

export interface BulkheadOptions {
  /** Calls allowed to run at once. Required, integer ≥ 1. */
  limit: number;
  /** Calls allowed to wait for a slot; more are rejected. Default 0. */
  queue?: number;
}

export interface Bulkhead {
  readonly limit: number;
  readonly queue: number;
  /** Free execution slots right now. */
  readonly executionSlots: number;
  /** Free queue slots right now. */
  readonly queueSlots: number;
  /** Runs `fn` when a slot frees up, or rejects at once with `BULKHEAD_FULL` when slots and queue are full. */
  execute<T>(fn: () => T | PromiseLike<T>, signal?: AbortSignal): Promise<T>;
}

/** Built on cockatiel's bulkhead, whose FIFO queue and slot accounting match this contract one to one. */
export function createBulkhead(options: BulkheadOptions): Bulkhead {
  const queue = options.queue ?? 0;
  assertOption(Number.isInteger(options.limit) && options.limit >= 1, 'limit', 'an integer ≥ 1');
  assertOption(Number.isInteger(queue) && queue >= 0, 'queue', 'an integer ≥ 0');
  const policy = cockatielBulkhead(options.limit, queue);
  return {
    limit: options.limit,
    queue,
    get executionSlots() {
      return policy.executionSlots;
    },
    get queueSlots() {
      return policy.queueSlots;
    },
    async execute<T>(fn: () => T | PromiseLike<T>, signal?: AbortSignal): Promise<T> {
      try {
        return await policy.execute(() => fn(), signal);
      } catch (error) {
        if (error instanceof BulkheadRejectedError) {
          throw new ResilienceError(
            RESILIENCE_ERROR_CODES.bulkheadFull,
            'bulkhead is full',
            { limit: options.limit, queue },
            error,
          );
        }
        throw error;
      }
    },
  };
}
