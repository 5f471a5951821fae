import { randomBytes } from 'node:crypto';
import { Queue, Worker as BullWorker, WaitingError, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { createSubscriptionCounters, type BrokerMetrics, type SubscriptionCounters } from 'plumego/x/messaging/pubsub';
import { assertOption, MQ_ERROR_CODES, MqError } from './errors.ts';
import { assertJobName, describeFailure, encodePayload, resolveJobOptions } from './options.ts';
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

/**
 * The task queue on Redis, built on BullMQ (priorities, delays, retries with backoff, dedupe, stalled
 * job recovery) rather than re-implemented. Adds what the contract needs and BullMQ leaves to the
 * app: a per-job timeout with an AbortSignal, failures stored with their code, and a stop that
 * returns jobs still running at the deadline to the queue.
 */
export class BullMqTaskQueue implements TaskQueue {
  readonly backend = 'bullmq';
  private readonly queue: Queue;
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
    this.queue = new Queue(options.queue, { connection: this.connection, prefix: options.prefix ?? 'plumego' });
    this.queue.on('error', () => {});
  }

  async add<T>(name: string, data: T, options?: JobOptions): Promise<AddResult> {
    if (this.closed) throw closedError();
    const o = resolveJobOptions(options);
    // Validated (and measured) as JSON here; BullMQ serialises the same value itself, so it is passed on as is.
    encodePayload(data, this.maxPayloadBytes);
    // An id of our own only where it tells a new job from a deduplicated one (BullMQ then returns the
    // existing job's id); otherwise BullMQ's counter id saves a random id and an EXISTS per add.
    const dedupe =
      o.dedupeKey === undefined
        ? undefined
        : { jobId: `${Date.now().toString(36)}-${randomBytes(8).toString('hex')}`, deduplication: { id: o.dedupeKey } };
    const job = await this.queue.add(
      assertJobName(name),
      o.timeoutMs === undefined ? { payload: data } : { payload: data, timeoutMs: o.timeoutMs },
      {
        ...dedupe,
        // BullMQ: 1 is the highest priority; ours: higher runs first. Every job is prioritized: BullMQ
        // runs unprioritized jobs before all prioritized ones, so none can stay unprioritized.
        priority: 1001 - o.priority,
        delay: o.delayMs,
        attempts: o.maxAttempts,
        backoff: { type: o.backoff.type, delay: o.backoff.delayMs },
      },
    );
    const deduplicated = dedupe !== undefined && job.id !== dedupe.jobId;
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
 * AbortController per job was the largest part of this wrapper's per-job cost.
 */
class Run implements JobContext {
  readonly id: string;
  readonly name: string;
  readonly data: unknown;
  readonly attempt: number;
  #controller: AbortController | undefined;
  /** Why the run was aborted (timeout, or STOPPED by a worker stop); undefined while it runs. */
  #reason: unknown = undefined;

  constructor(
    readonly job: Job,
    data: unknown,
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

  get abortReason(): unknown {
    return this.#reason;
  }

  /** Fires the signal if the handler holds it; returns false if the run was already aborted. */
  abort(reason: unknown): boolean {
    if (this.#reason !== undefined) return false;
    this.#reason = reason;
    this.#controller?.abort(reason);
    return true;
  }

  async updateProgress(progress: unknown): Promise<void> {
    await this.job.updateProgress(JSON.parse(encodePayload(progress, 64 * 1024)) as object);
  }
}

interface Running {
  readonly run: Run;
  readonly token: string;
  /** Settles BullMQ's processor promise now (timeout, stop), whatever the handler still does. */
  readonly fail: (reason: unknown) => void;
}

class BullMqWorker implements Worker {
  private readonly worker: BullWorker;
  private readonly connection: Redis;
  private readonly running = new Map<string, Running>();
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
    this.worker = new BullWorker(options.queue, (job, token) => this.run(job, token ?? ''), {
      connection: this.connection,
      prefix: options.prefix ?? 'plumego',
      concurrency,
    });
    this.worker.on('error', () => {});
  }

  /**
   * One promise per run, settled by whichever comes first: the handler, its timeout or a forced stop
   * (no Promise.race, no abort listener, no timer unless the job has a timeout).
   */
  private run(job: Job, token: string): Promise<unknown> {
    const { payload, timeoutMs } = job.data as { payload: unknown; timeoutMs?: number | null };
    const run = new Run(job, payload);
    this.counters.delivered++;
    if (job.attemptsMade > 0) this.counters.redelivered++;
    return new Promise((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      let settled = false;
      const finish = (ok: boolean, value: unknown): void => {
        if (settled) return;
        settled = true;
        if (timer !== undefined) clearTimeout(timer);
        this.running.delete(run.id);
        if (ok) {
          this.counters.acked++;
          if (this.stopped) this.finishedWhileStopping++;
          resolve(value);
        } else if (run.abortReason === STOPPED) {
          // Handed back by stop(): BullMQ must neither fail nor retry it.
          reject(new WaitingError());
        } else {
          this.counters.nacked++;
          if (this.stopped) this.finishedWhileStopping++;
          // BullMQ retries while attempts remain; the last failure leaves the job failed for good.
          if (job.attemptsMade + 1 >= (job.opts.attempts ?? 1)) this.counters.deadLettered++;
          // BullMQ keeps only a message; the code travels inside it.
          reject(new Error(JSON.stringify(describeFailure(value))));
        }
        if (this.running.size === 0) this.idle?.();
      };
      const fail = (reason: unknown): void => {
        if (run.abort(reason)) finish(false, reason);
      };
      this.running.set(run.id, { run, token, fail });
      if (typeof timeoutMs === 'number')
        timer = setTimeout(
          () =>
            fail(
              new MqError(MQ_ERROR_CODES.jobTimeout, `job ran longer than its timeout of ${timeoutMs} ms`, {
                timeoutMs,
              }),
            ),
          timeoutMs,
        );
      let out: unknown;
      try {
        out = this.handler(run);
      } catch (error) {
        finish(false, error);
        return;
      }
      if (typeof (out as PromiseLike<unknown> | null)?.then === 'function')
        (out as PromiseLike<unknown>).then(
          (v) => finish(true, v),
          (e: unknown) => finish(false, e),
        );
      else finish(true, out);
    });
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
        await p.run.job.moveToWait(p.token);
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
