import { randomBytes } from 'node:crypto';
import { Queue, Worker as BullWorker, WaitingError, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { createSubscriptionCounters, type BrokerMetrics, type SubscriptionCounters } from 'plumego/x/messaging/pubsub';
import { assertOption, MQ_ERROR_CODES, MqError } from './errors.ts';
import { assertJobName, describeFailure, encodePayload, resolveJobOptions } from './options.ts';
import type {
  AddResult,
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
    const payload = JSON.parse(encodePayload(data, this.maxPayloadBytes)) as unknown;
    const jobId = `${Date.now().toString(36)}-${randomBytes(8).toString('hex')}`;
    const job = await this.queue.add(
      assertJobName(name),
      { payload, timeoutMs: o.timeoutMs ?? null },
      {
        jobId,
        // BullMQ: 1 is the highest priority; ours: higher runs first.
        priority: 1001 - o.priority,
        delay: o.delayMs,
        attempts: o.maxAttempts,
        backoff: { type: o.backoff.type, delay: o.backoff.delayMs },
        ...(o.dedupeKey === undefined ? {} : { deduplication: { id: o.dedupeKey } }),
      },
    );
    const deduplicated = job.id !== jobId;
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

interface Running {
  job: Job;
  token: string;
  controller: AbortController;
  done: Promise<unknown>;
}

class BullMqWorker implements Worker {
  private readonly worker: BullWorker;
  private readonly connection: Redis;
  private readonly running = new Map<string, Running>();
  private stopped = false;

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

  private run(job: Job, token: string): Promise<unknown> {
    const controller = new AbortController();
    const done = this.execute(job, token, controller);
    this.running.set(String(job.id), { job, token, controller, done: done.catch(() => {}) });
    return done.finally(() => this.running.delete(String(job.id)));
  }

  private async execute(job: Job, token: string, controller: AbortController): Promise<unknown> {
    const { payload, timeoutMs } = job.data as { payload: unknown; timeoutMs: number | null };
    const aborted = new Promise<never>((_, reject) =>
      controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true }),
    );
    aborted.catch(() => {});
    const timer =
      timeoutMs === null
        ? undefined
        : setTimeout(
            () =>
              controller.abort(
                new MqError(MQ_ERROR_CODES.jobTimeout, `job ran longer than its timeout of ${timeoutMs} ms`, {
                  timeoutMs,
                }),
              ),
            timeoutMs,
          );
    this.counters.delivered++;
    if (job.attemptsMade > 0) this.counters.redelivered++;
    try {
      const result = await Promise.race([
        Promise.resolve().then(() =>
          this.handler({
            id: String(job.id),
            name: job.name,
            data: payload,
            attempt: job.attemptsMade + 1,
            signal: controller.signal,
            updateProgress: async (p) => {
              await job.updateProgress(JSON.parse(encodePayload(p, 64 * 1024)) as object);
            },
          }),
        ),
        aborted,
      ]);
      this.counters.acked++;
      return result;
    } catch (error) {
      // Handed back by stop(): BullMQ must neither fail nor retry it.
      if (controller.signal.reason === STOPPED) throw new WaitingError();
      this.counters.nacked++;
      // BullMQ retries while attempts remain; the last failure leaves the job failed for good.
      if (job.attemptsMade + 1 >= (job.opts.attempts ?? 1)) this.counters.deadLettered++;
      // BullMQ keeps only a message; the code travels inside it.
      throw new Error(JSON.stringify(describeFailure(error)));
    } finally {
      clearTimeout(timer);
    }
  }

  async stop(options: StopOptions = {}): Promise<StopResult> {
    const timeoutMs = options.timeoutMs ?? 10_000;
    assertOption(Number.isInteger(timeoutMs) && timeoutMs >= 0, 'timeoutMs', 'must be a non-negative integer');
    if (this.stopped) return { finished: 0, returned: 0 };
    this.stopped = true;
    this.onStop();
    // Stop fetching, then give in-flight jobs the deadline.
    const closing = this.worker.close();
    const pending = [...this.running.values()];
    let deadline: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      Promise.all(pending.map((p) => p.done)),
      new Promise<void>((r) => {
        deadline = setTimeout(r, timeoutMs);
      }),
    ]);
    clearTimeout(deadline);
    let returned = 0;
    for (const p of [...this.running.values()]) {
      try {
        await p.job.moveToWait(p.token);
        returned++;
      } catch {
        /* lock lost: BullMQ's stalled check hands it back */
      }
      p.controller.abort(STOPPED);
    }
    await closing;
    this.connection.disconnect();
    return { finished: pending.length - returned, returned };
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
