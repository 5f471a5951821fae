import { randomBytes } from 'node:crypto';
import { Queue, Worker as BullWorker, WaitingError, type Job, type JobsOptions } from 'bullmq';
import { Redis } from 'ioredis';
import { createSubscriptionCounters, type BrokerMetrics, type SubscriptionCounters } from 'plumego/x/messaging/pubsub';
import { assertOption, MQ_ERROR_CODES, MqError } from './errors.ts';
import { assertPayload } from './bullmq-payload.ts';
import {
  assertJobName,
  describeFailure,
  encodePayload,
  resolveJobOptions,
  type ResolvedJobOptions,
} from './options.ts';
import type {
  AddResult,
  JobContext,
  JobHandler,
  JobOptions,
  JobRecord,
  JobState,
  StopOptions,
  StopResult,
  TaskQueue,
  Worker,
  WorkerOptions,
} from './types.ts';

export interface BullMqTaskQueueOptions {
  /** Redis URL, e.g. `redis://127.0.0.1:6379`. */
  readonly url: string;
  /** BullMQ queue name. */
  readonly queue: string;
  /** Key prefix. Default `plumego`. */
  readonly prefix?: string;
  /** Largest JSON payload accepted by `add`. Default 1 MiB. */
  readonly maxPayloadBytes?: number;
}

const QUEUE = /^[A-Za-z0-9_.-]{1,128}$/;

/** `add` without options: resolved once, not per job. */
const DEFAULTS: ResolvedJobOptions = resolveJobOptions();

/**
 * BullMQ's `add` is its protected `addJob` inside a telemetry span; no telemetry is configured here,
 * so the span wrapper (an async closure per add) is skipped, as BullMQ documents for subclasses.
 */
class UntracedQueue extends Queue {
  addUntraced(name: string, data: unknown, opts: JobsOptions): Promise<Job> {
    return this.addJob(name, data, opts);
  }
}

/**
 * The task queue on Redis, built on BullMQ (priorities, delays, retries with backoff, dedupe, stalled
 * job recovery) rather than re-implemented. Adds what the contract needs and BullMQ leaves to the
 * app: a per-job timeout with an AbortSignal, failures stored with their code, and a stop that
 * returns jobs still running at the deadline to the queue.
 */
export class BullMqTaskQueue implements TaskQueue {
  readonly backend = 'bullmq';
  private readonly queue: UntracedQueue;
  private readonly connection: Redis;
  private readonly workers = new Set<BullMqWorker>();
  private readonly maxPayloadBytes: number;
  private closed = false;
  private added = 0;
  private readonly counters = createSubscriptionCounters();

  constructor(private readonly options: BullMqTaskQueueOptions) {
    assertOption(typeof options.url === 'string' && options.url.length > 0, 'url', 'must be a Redis URL');
    assertOption(QUEUE.test(options.queue), 'queue', 'must be 1-128 characters of [A-Za-z0-9_.-]');
    this.maxPayloadBytes = options.maxPayloadBytes ?? 1024 * 1024;
    this.connection = new Redis(options.url, { maxRetriesPerRequest: null });
    this.connection.on('error', () => {});
    this.queue = new UntracedQueue(options.queue, { connection: this.connection, prefix: options.prefix ?? 'plumego' });
    this.queue.on('error', () => {});
  }

  async add<T>(name: string, data: T, options?: JobOptions): Promise<AddResult> {
    if (this.closed) throw closedError();
    const o = options === undefined ? DEFAULTS : resolveJobOptions(options);
    assertJobName(name);
    // Checked without serialising: BullMQ serialises the value itself.
    assertPayload(data, this.maxPayloadBytes);
    const opts: JobsOptions = {
      // BullMQ: 1 is the highest priority; ours: higher runs first. Every job is prioritized: BullMQ
      // runs unprioritized jobs before all prioritized ones, so none can stay unprioritized.
      priority: 1001 - o.priority,
      attempts: o.maxAttempts,
      backoff: { type: o.backoff.type, delay: o.backoff.delayMs },
    };
    // BullMQ's default delay is 0; left out, the job's stored options are shorter to write and to read.
    if (o.delayMs > 0) opts.delay = o.delayMs;
    // An id of our own only where it tells a new job from a deduplicated one (BullMQ then returns the
    // existing job's id); otherwise BullMQ's counter id saves a random id and an EXISTS per add.
    let ownId: string | undefined;
    if (o.dedupeKey !== undefined) {
      ownId = `${Date.now().toString(36)}-${randomBytes(8).toString('hex')}`;
      opts.jobId = ownId;
      opts.deduplication = { id: o.dedupeKey };
    }
    const job = await this.queue.addUntraced(
      name,
      o.timeoutMs === undefined ? { payload: data } : { payload: data, timeoutMs: o.timeoutMs },
      opts,
    );
    const deduplicated = ownId !== undefined && job.id !== ownId;
    if (!deduplicated) this.added++;
    return { id: String(job.id), deduplicated };
  }

  /** Counters are this process's adds and runs; the depth is read from Redis (waiting, delayed, prioritized). */
  async metrics(): Promise<BrokerMetrics> {
    let depth: number | undefined;
    if (!this.closed) {
      try {
        const counts = await this.queue.getJobCounts('wait', 'delayed', 'prioritized');
        depth = Object.values(counts).reduce((a, b) => a + b, 0);
      } catch {
        /* Redis unreachable: the scrape reports no depth rather than failing */
      }
    }
    return {
      backend: this.backend,
      published: this.added,
      subscriptions: [{ pattern: this.options.queue, group: undefined, ...this.counters, depth }],
    };
  }

  async getJob<T = unknown, R = unknown>(id: string): Promise<JobRecord<T, R> | undefined> {
    if (this.closed) throw closedError();
    const job = await this.queue.getJob(id);
    if (job === undefined || job === null) return undefined;
    const state = toState(await job.getState());
    return {
      id,
      name: job.name,
      data: (job.data as { payload: T }).payload,
      state,
      priority: 1001 - (job.opts.priority ?? 1001),
      attempts: job.attemptsMade + (state === 'active' ? 1 : 0),
      maxAttempts: job.opts.attempts ?? 1,
      progress: isEmptyProgress(job.progress) ? undefined : job.progress,
      result: (job.returnvalue ?? undefined) as R | undefined,
      error: job.failedReason ? parseFailure(job.failedReason) : undefined,
    };
  }

  process<T = unknown, R = unknown>(handler: JobHandler<T, R>, options: WorkerOptions = {}): Worker {
    if (this.closed) throw closedError();
    const concurrency = options.concurrency ?? 1;
    assertOption(
      Number.isInteger(concurrency) && concurrency >= 1 && concurrency <= 1000,
      'concurrency',
      'must be an integer in 1..1000',
    );
    const worker = new BullMqWorker(
      this.options,
      handler as JobHandler,
      concurrency,
      () => this.workers.delete(worker),
      this.counters,
    );
    this.workers.add(worker);
    return worker;
  }

  /** Deletes the queue and all its jobs (tests, decommissioning). */
  async obliterate(): Promise<void> {
    await this.queue.obliterate({ force: true });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.workers].map((w) => w.stop()));
    await this.queue.close();
    this.connection.disconnect();
  }
}

/**
 * One run of a job: the context the handler gets and the worker's handle on it. The abort signal is
 * made only when the handler reads it (or the run is aborted first): most handlers never do, and an
 * AbortController per job was the largest part of this wrapper's per-job cost. A handler that returns
 * synchronously settles the run without a promise, a timer or a closure of its own.
 */
class Run implements JobContext {
  readonly id: string;
  readonly name: string;
  readonly data: unknown;
  readonly attempt: number;
  #controller: AbortController | undefined;
  /** Why the run was aborted (timeout, or STOPPED by a worker stop); undefined while it runs. */
  #reason: unknown = undefined;
  #settled = false;
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** Settle BullMQ's processor promise; set only for a handler that returned a promise. */
  #resolve: ((value: unknown) => void) | undefined;
  #reject: ((error: unknown) => void) | undefined;

  constructor(
    readonly job: Job,
    data: unknown,
    readonly token: string,
    private readonly worker: BullMqWorker,
  ) {
    this.id = String(job.id);
    this.name = job.name;
    this.data = data;
    this.attempt = job.attemptsMade + 1;
  }

  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.#reason !== undefined) this.#controller.abort(this.#reason);
    }
    return this.#controller.signal;
  }

  async updateProgress(progress: unknown): Promise<void> {
    await this.job.updateProgress(JSON.parse(encodePayload(progress, 64 * 1024)) as object);
  }

  /**
   * The handler returned a promise: one promise for BullMQ, settled by whichever comes first - the
   * handler, its timeout or a forced stop (no Promise.race, no abort listener).
   */
  wait(out: PromiseLike<unknown>, timeoutMs: number | undefined): Promise<unknown> {
    const settled = new Promise<unknown>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    if (timeoutMs !== undefined) this.#timer = setTimeout(onTimeout, timeoutMs, this, timeoutMs);
    out.then(
      (v) => this.finish(true, v),
      (e: unknown) => this.finish(false, e),
    );
    return settled;
  }

  /** Settles BullMQ's processor promise now (timeout, stop), whatever the handler still does. */
  fail(reason: unknown): void {
    if (this.#reason !== undefined) return;
    this.#reason = reason;
    this.#controller?.abort(reason);
    this.finish(false, reason);
  }

  /**
   * The outcome for BullMQ: the value (or, for a pending run, its promise settled), or a rejected
   * promise. Once only: a handler settling after a timeout or stop changes nothing.
   */
  finish(ok: boolean, value: unknown): unknown {
    if (this.#settled) return undefined;
    this.#settled = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    const error = this.worker.settled(this, ok, value, this.#reason === STOPPED);
    if (this.#resolve === undefined) return ok ? value : Promise.reject(error);
    if (ok) this.#resolve(value);
    else this.#reject!(error);
    return undefined;
  }
}

function onTimeout(run: Run, timeoutMs: number): void {
  run.fail(new MqError(MQ_ERROR_CODES.jobTimeout, `job ran longer than its timeout of ${timeoutMs} ms`, { timeoutMs }));
}

class BullMqWorker implements Worker {
  private readonly worker: BullWorker;
  private readonly connection: Redis;
  private readonly running = new Map<string, Run>();
  private stopped = false;
  /** Set by stop() while it waits for in-flight runs. */
  private idle: (() => void) | undefined;
  private finishedWhileStopping = 0;

  constructor(
    options: BullMqTaskQueueOptions,
    private readonly handler: JobHandler,
    concurrency: number,
    private readonly onStop: () => void,
    private readonly counters: SubscriptionCounters,
  ) {
    this.connection = new Redis(options.url, { maxRetriesPerRequest: null });
    this.connection.on('error', () => {});
    // BullMQ awaits what the processor returns, so a plain value (a synchronous handler) needs no promise.
    this.worker = new BullWorker(options.queue, (job, token) => this.run(job, token ?? '') as Promise<unknown>, {
      connection: this.connection,
      prefix: options.prefix ?? 'plumego',
      concurrency,
    });
    this.worker.on('error', () => {});
  }

  private run(job: Job, token: string): unknown {
    const data = job.data as { payload: unknown; timeoutMs?: number | null };
    const run = new Run(job, data.payload, token, this);
    this.counters.delivered++;
    if (job.attemptsMade > 0) this.counters.redelivered++;
    // Registered before the handler runs, so a stop() it starts itself still sees it.
    this.running.set(run.id, run);
    let out: unknown;
    try {
      out = this.handler(run);
    } catch (error) {
      return run.finish(false, error);
    }
    if (typeof (out as PromiseLike<unknown> | null)?.then === 'function')
      return run.wait(out as PromiseLike<unknown>, typeof data.timeoutMs === 'number' ? data.timeoutMs : undefined);
    return run.finish(true, out);
  }

  /** Counts a settled run; for a failure, returns the error BullMQ gets. */
  settled(run: Run, ok: boolean, value: unknown, handedBack: boolean): Error | undefined {
    this.running.delete(run.id);
    let error: Error | undefined;
    if (ok) {
      this.counters.acked++;
      if (this.stopped) this.finishedWhileStopping++;
    } else if (handedBack) {
      // Handed back by stop(): BullMQ must neither fail nor retry it.
      error = new WaitingError();
    } else {
      this.counters.nacked++;
      if (this.stopped) this.finishedWhileStopping++;
      // BullMQ retries while attempts remain; the last failure leaves the job failed for good.
      if (run.job.attemptsMade + 1 >= (run.job.opts.attempts ?? 1)) this.counters.deadLettered++;
      // BullMQ keeps only a message; the code travels inside it.
      error = new Error(JSON.stringify(describeFailure(value)));
    }
    if (this.running.size === 0) this.idle?.();
    return error;
  }

  async stop(options: StopOptions = {}): Promise<StopResult> {
    const timeoutMs = options.timeoutMs ?? 10_000;
    assertOption(Number.isInteger(timeoutMs) && timeoutMs >= 0, 'timeoutMs', 'must be a non-negative integer');
    if (this.stopped) return { finished: 0, returned: 0 };
    this.stopped = true;
    this.onStop();
    // Stop fetching, then give in-flight jobs the deadline.
    const closing = this.worker.close();
    if (this.running.size > 0) {
      let deadline: ReturnType<typeof setTimeout> | undefined;
      await new Promise<void>((r) => {
        this.idle = r;
        deadline = setTimeout(r, timeoutMs);
      });
      clearTimeout(deadline);
      this.idle = undefined;
    }
    let returned = 0;
    for (const p of [...this.running.values()]) {
      try {
        await p.job.moveToWait(p.token);
        returned++;
      } catch {
        /* lock lost: BullMQ's stalled check hands it back */
      }
      p.fail(STOPPED);
    }
    await closing;
    this.connection.disconnect();
    return { finished: this.finishedWhileStopping, returned };
  }
}

const STOPPED = new MqError(
  MQ_ERROR_CODES.closed,
  'the worker was stopped before the job finished; it was returned to the queue',
);

function toState(s: string): JobState {
  if (s === 'completed' || s === 'failed' || s === 'active') return s;
  return 'waiting';
}

function isEmptyProgress(p: unknown): boolean {
  return (
    p === 0 ||
    p === undefined ||
    p === null ||
    (typeof p === 'object' && Object.keys(p).length === 0 && !Array.isArray(p))
  );
}

function parseFailure(reason: string): { code: string; message: string } {
  try {
    const v = JSON.parse(reason) as { code?: unknown; message?: unknown };
    if (typeof v.code === 'string' && typeof v.message === 'string') return { code: v.code, message: v.message };
  } catch {
    /* a failure recorded by BullMQ itself (stalled job), not by this worker */
  }
  return { code: 'MQ_JOB_FAILED', message: reason.slice(0, 1000) };
}

function closedError(): MqError {
  return new MqError(MQ_ERROR_CODES.closed, 'the task queue is closed');
}
