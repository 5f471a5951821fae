import { createSubscriptionCounters, type BrokerMetrics, type SubscriptionCounters } from 'plumego/x/messaging/pubsub';
import { assertOption, MQ_ERROR_CODES, MqError } from './errors.ts';
import { assertJobName, describeFailure, encodePayload, getRetryDelay, resolveJobOptions } from './options.ts';
import { SqliteJobStore, type ClaimedJob } from './sqlite-store.ts';
import type {
  AddResult,
  JobHandler,
  JobOptions,
  JobRecord,
  StopOptions,
  StopResult,
  TaskQueue,
  Worker,
  WorkerOptions,
} from './types.ts';

export interface SqliteTaskQueueOptions {
  /** SQLite file; `:memory:` (the default) keeps jobs in this process only. */
  readonly path?: string;
  /** Queue name: several queues may share one file. Default `default`. */
  readonly queue?: string;
  /** How long a claim lasts without renewal; a crashed worker's jobs run again after it. Default 30 000 ms. */
  readonly leaseMs?: number;
  /** How often idle workers look for jobs added by other processes. Default 200 ms. */
  readonly pollMs?: number;
  /** Largest JSON payload accepted by `add`. Default 1 MiB. */
  readonly maxPayloadBytes?: number;
  /** Clock. Default `Date.now`. */
  readonly now?: () => number;
}

const QUEUE = /^[A-Za-z0-9_.:-]{1,128}$/;

/** The default task queue: SQLite in a file (survives restarts) or in memory. */
export class SqliteTaskQueue implements TaskQueue {
  readonly backend: string;
  private readonly store: SqliteJobStore;
  private readonly workers = new Set<SqliteWorker>();
  private readonly leaseMs: number;
  private readonly pollMs: number;
  private readonly maxPayloadBytes: number;
  readonly now: () => number;
  private closed = false;
  private readonly queueName: string;
  private added = 0;
  private readonly counters = createSubscriptionCounters();

  constructor(options: SqliteTaskQueueOptions = {}) {
    const path = options.path ?? ':memory:';
    const queue = options.queue ?? 'default';
    this.leaseMs = options.leaseMs ?? 30_000;
    this.pollMs = options.pollMs ?? 200;
    this.maxPayloadBytes = options.maxPayloadBytes ?? 1024 * 1024;
    assertOption(QUEUE.test(queue), 'queue', 'must be 1-128 characters of [A-Za-z0-9_.:-]');
    assertOption(Number.isInteger(this.leaseMs) && this.leaseMs >= 50, 'leaseMs', 'must be an integer >= 50');
    assertOption(Number.isInteger(this.pollMs) && this.pollMs >= 5, 'pollMs', 'must be an integer >= 5');
    assertOption(
      Number.isInteger(this.maxPayloadBytes) && this.maxPayloadBytes >= 1,
      'maxPayloadBytes',
      'must be a positive integer',
    );
    this.now = options.now ?? Date.now;
    this.backend = path === ':memory:' ? 'memory' : 'sqlite';
    this.store = new SqliteJobStore(path, queue);
    this.queueName = queue;
  }

  async metrics(): Promise<BrokerMetrics> {
    const depth = this.closed ? undefined : this.store.countWaiting();
    return {
      backend: this.backend,
      published: this.added,
      subscriptions: [{ pattern: this.queueName, group: undefined, ...this.counters, depth }],
    };
  }

  async add<T>(name: string, data: T, options?: JobOptions): Promise<AddResult> {
    if (this.closed) throw closedError();
    const o = resolveJobOptions(options);
    const result = this.store.insert(assertJobName(name), encodePayload(data, this.maxPayloadBytes), o, this.now());
    if (!result.deduplicated) this.added++;
    for (const w of this.workers) w.wake();
    return result;
  }

  async getJob<T = unknown, R = unknown>(id: string): Promise<JobRecord<T, R> | undefined> {
    if (this.closed) throw closedError();
    return this.store.get(id) as JobRecord<T, R> | undefined;
  }

  process<T = unknown, R = unknown>(handler: JobHandler<T, R>, options: WorkerOptions = {}): Worker {
    if (this.closed) throw closedError();
    const concurrency = options.concurrency ?? 1;
    assertOption(
      Number.isInteger(concurrency) && concurrency >= 1 && concurrency <= 1000,
      'concurrency',
      'must be an integer in 1..1000',
    );
    const worker = new SqliteWorker(
      this.store,
      handler as JobHandler,
      concurrency,
      this.leaseMs,
      this.pollMs,
      this.now,
      () => this.workers.delete(worker),
      this.counters,
    );
    this.workers.add(worker);
    worker.start();
    return worker;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.workers].map((w) => w.stop()));
    this.store.close();
  }
}

class SqliteWorker implements Worker {
  private running = true;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly inFlight = new Map<
    string,
    { claim: ClaimedJob; controller: AbortController; done: Promise<void> }
  >();

  constructor(
    private readonly store: SqliteJobStore,
    private readonly handler: JobHandler,
    private readonly concurrency: number,
    private readonly leaseMs: number,
    private readonly pollMs: number,
    private readonly now: () => number,
    private readonly onStop: () => void,
    private readonly counters: SubscriptionCounters,
  ) {}

  start(): void {
    this.store.recoverExpired(this.now());
    this.fill();
  }

  wake(): void {
    if (this.running) queueMicrotask(() => this.fill());
  }

  private fill(): void {
    if (!this.running) return;
    clearTimeout(this.timer);
    while (this.running && this.inFlight.size < this.concurrency) {
      const claim = this.store.claim(this.now(), this.leaseMs);
      if (claim === undefined) break;
      this.run(claim);
    }
    // Sleep until the next delayed job is due, or the poll interval for other processes' jobs.
    const next = this.store.nextRunAt();
    const wait = next === undefined ? this.pollMs : Math.max(1, Math.min(this.pollMs, next - this.now()));
    this.timer = setTimeout(() => {
      this.store.recoverExpired(this.now());
      this.fill();
    }, wait);
    this.timer.unref?.();
  }

  private run(claim: ClaimedJob): void {
    const controller = new AbortController();
    const done = this.execute(claim, controller).finally(() => {
      this.inFlight.delete(claim.id);
      this.fill();
    });
    this.inFlight.set(claim.id, { claim, controller, done });
  }

  private async execute(claim: ClaimedJob, controller: AbortController): Promise<void> {
    const renew = setInterval(
      () => this.store.renew(claim.id, claim.token, this.now() + this.leaseMs),
      Math.max(10, Math.floor(this.leaseMs / 3)),
    );
    let timeout: ReturnType<typeof setTimeout> | undefined;
    const aborted = new Promise<never>((_, reject) => {
      controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true });
    });
    aborted.catch(() => {});
    this.counters.delivered++;
    if (claim.attempt > 1) this.counters.redelivered++;
    if (claim.timeoutMs !== undefined) {
      timeout = setTimeout(
        () =>
          controller.abort(
            new MqError(MQ_ERROR_CODES.jobTimeout, `job ran longer than its timeout of ${claim.timeoutMs} ms`, {
              timeoutMs: claim.timeoutMs,
            }),
          ),
        claim.timeoutMs,
      );
    }
    try {
      const result = await Promise.race([
        Promise.resolve().then(() =>
          this.handler({
            id: claim.id,
            name: claim.name,
            data: JSON.parse(claim.data) as unknown,
            attempt: claim.attempt,
            signal: controller.signal,
            updateProgress: async (p) => {
              this.store.setProgress(claim.id, claim.token, encodePayload(p, 64 * 1024));
            },
          }),
        ),
        aborted,
      ]);
      if (
        this.store.complete(
          claim.id,
          claim.token,
          result === undefined ? null : encodePayload(result, 1024 * 1024),
          this.now(),
        )
      )
        this.counters.acked++;
    } catch (error) {
      if (!this.running && controller.signal.aborted && controller.signal.reason === STOPPED) return; // returned by stop()
      const retry =
        claim.attempt < claim.maxAttempts ? this.now() + getRetryDelay(claim.backoff, claim.attempt) : undefined;
      if (this.store.fail(claim.id, claim.token, JSON.stringify(describeFailure(error)), retry, this.now())) {
        this.counters.nacked++;
        if (retry === undefined) this.counters.deadLettered++;
      }
    } finally {
      clearInterval(renew);
      clearTimeout(timeout);
    }
  }

  async stop(options: StopOptions = {}): Promise<StopResult> {
    const timeoutMs = options.timeoutMs ?? 10_000;
    assertOption(Number.isInteger(timeoutMs) && timeoutMs >= 0, 'timeoutMs', 'must be a non-negative integer');
    if (!this.running) return { finished: 0, returned: 0 };
    this.running = false;
    clearTimeout(this.timer);
    this.onStop();
    const pending = [...this.inFlight.values()];
    const finishedAll = Promise.all(pending.map((p) => p.done));
    let deadline: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      finishedAll,
      new Promise<void>((resolve) => {
        deadline = setTimeout(resolve, timeoutMs);
      }),
    ]);
    clearTimeout(deadline);
    let returned = 0;
    for (const p of this.inFlight.values()) {
      // Released before the abort so the handler's late outcome cannot complete or fail it.
      if (this.store.release(p.claim.id, p.claim.token, this.now())) returned++;
      p.controller.abort(STOPPED);
    }
    await Promise.all(pending.map((p) => p.done));
    return { finished: pending.length - returned, returned };
  }
}

const STOPPED = new MqError(
  MQ_ERROR_CODES.closed,
  'the worker was stopped before the job finished; it was returned to the queue',
);

function closedError(): MqError {
  return new MqError(MQ_ERROR_CODES.closed, 'the task queue is closed');
}
