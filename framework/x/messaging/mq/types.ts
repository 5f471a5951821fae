import type { BrokerMetrics } from 'plumego/x/messaging/pubsub';

export type JobState = 'waiting' | 'active' | 'completed' | 'failed';

export type Backoff = { readonly type: 'fixed' | 'exponential'; readonly delayMs: number };

export interface JobOptions {
  /** Higher runs first. Integer in -1000..1000. Default 0. */
  readonly priority?: number;
  /** Not visible to workers before this many ms from now. Default 0. */
  readonly delayMs?: number;
  /** Runs including the first; after the last failure the job is `failed`. Default 3. */
  readonly maxAttempts?: number;
  /** Wait before a retry: fixed, or delayMs·2^(attempt-1). Default exponential from 1000 ms. */
  readonly backoff?: Backoff;
  /** A run longer than this is aborted (its signal fires) and counts as a failure. Default none. */
  readonly timeoutMs?: number;
  /** While a job with this key is waiting or active, adding another returns the existing job. */
  readonly dedupeKey?: string;
}

export interface AddResult {
  readonly id: string;
  /** True when an unfinished job with the same dedupe key already existed and nothing was added. */
  readonly deduplicated: boolean;
}

export interface JobRecord<T = unknown, R = unknown> {
  readonly id: string;
  readonly name: string;
  readonly data: T;
  readonly state: JobState;
  readonly priority: number;
  /** Runs started so far. */
  readonly attempts: number;
  readonly maxAttempts: number;
  readonly progress: unknown;
  readonly result: R | undefined;
  /** Code (or name) and message of the last failure; never a stack. */
  readonly error: { readonly code: string; readonly message: string } | undefined;
}

export interface JobContext<T = unknown> {
  readonly id: string;
  readonly name: string;
  readonly data: T;
  /** 1 on the first run. */
  readonly attempt: number;
  /** Aborted on timeout and on a forced worker stop; pass it to I/O. */
  readonly signal: AbortSignal;
  updateProgress(progress: unknown): Promise<void>;
}

export type JobHandler<T = unknown, R = unknown> = (job: JobContext<T>) => Promise<R> | R;

export interface WorkerOptions {
  /** Jobs run at once by this worker. Default 1. */
  readonly concurrency?: number;
}

export interface StopOptions {
  /** How long in-flight jobs may run on; the rest are aborted and handed back to the queue. Default 10 000 ms. */
  readonly timeoutMs?: number;
}

export interface StopResult {
  /** Jobs that finished (completed or failed) during the stop. */
  readonly finished: number;
  /** Jobs handed back to the queue unfinished, to run again (their attempt not counted). */
  readonly returned: number;
}

export interface Worker {
  /** Stops taking jobs, lets in-flight ones finish within the deadline, returns the rest. */
  stop(options?: StopOptions): Promise<StopResult>;
}

export interface TaskQueue {
  readonly backend: string;
  /**
   * This process's counters and the queue's backlog, shaped like a broker's so pubsub's
   * `registerBrokerMetrics(registry, queues, { family: 'mq' })` exports them: `published` = jobs added
   * (not deduplicated), one subscription named after the queue with `delivered` = runs started,
   * `acked` = completed, `nacked` = failed runs, `redelivered` = retry runs, `deadLettered` = jobs
   * failed for good, `depth` = waiting jobs (delayed and retry-waiting included) on the server.
   */
  metrics(): Promise<BrokerMetrics>;
  add<T>(name: string, data: T, options?: JobOptions): Promise<AddResult>;
  getJob<T = unknown, R = unknown>(id: string): Promise<JobRecord<T, R> | undefined>;
  process<T = unknown, R = unknown>(handler: JobHandler<T, R>, options?: WorkerOptions): Worker;
  /** Stops every worker (graceful, default deadline) and releases the backend. */
  close(): Promise<void>;
}
