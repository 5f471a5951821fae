import type { MetricRecord, Recorder } from 'plumego/metrics';
import { RecordBufferError, assertOption } from './errors.ts';

/** Receives one batch, oldest record first. May be async; a throw or rejection fails that batch only. */
export type RecordSink = (batch: readonly MetricRecord[]) => void | Promise<void>;

export interface RecordBufferOptions {
  /** Where batches go (a push gateway, an analytics endpoint, a database table…). Required. */
  sink: RecordSink;
  /** Most records held; beyond it `overflow` decides which one is dropped. Default 10,000. */
  capacity?: number;
  /** Records per sink call; a full batch is sent at once. Default 500 (at most `capacity`). */
  batchSize?: number;
  /** Sends whatever is buffered this often; 0 sends only full batches and on `flush`/`close`. Default 5,000 ms. */
  flushIntervalMs?: number;
  /** A sink call still pending after this long counts as failed, so a hung sink cannot stall the buffer. Default 10,000 ms. */
  sinkTimeoutMs?: number;
  /** Which record a full buffer gives up: the oldest buffered one (default) or the new one. */
  overflow?: 'drop-oldest' | 'drop-newest';
  /** Told about each failed batch (the sink's error, or RECORD_BUFFER_SINK_TIMEOUT). Default: none. */
  onError?: (error: unknown, batch: readonly MetricRecord[]) => void;
  /** Clock in ms for the timestamp of records recorded without one, for tests. Default Date.now. */
  now?: () => number;
}

export interface RecordBufferStats {
  /** Waiting to be sent. */
  readonly buffered: number;
  /** Taken in by `record`. */
  readonly accepted: number;
  /** Handed to the sink in batches that succeeded. */
  readonly delivered: number;
  /** Lost to overflow, or recorded after `close`. */
  readonly dropped: number;
  /** Refused: not a record (no string name, or a non-finite value). */
  readonly invalid: number;
  /** In batches the sink threw, rejected or timed out on. */
  readonly failed: number;
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

/**
 * A metrics `Recorder` that decouples recording from a slow or remote sink: `record` only puts the
 * record in a fixed-size ring (never blocks, never throws, never grows past `capacity`), and the
 * buffer hands the sink batches — when a batch is full, every `flushIntervalMs`, and on `flush` /
 * `close` — one sink call at a time, in order. A failed batch is counted and reported, not retried
 * (put retries in the sink, e.g. with x/resilience). Records without a timestamp are stamped when
 * recorded, so a late batch still says when things happened.
 */
export class RecordBuffer implements Recorder {
  readonly capacity: number;
  readonly batchSize: number;
  readonly #sink: RecordSink;
  readonly #sinkTimeoutMs: number;
  readonly #dropNewest: boolean;
  readonly #onError: ((error: unknown, batch: readonly MetricRecord[]) => void) | undefined;
  readonly #now: () => number;
  readonly #ring: (MetricRecord | undefined)[];
  #head = 0;
  #size = 0;
  #accepted = 0;
  #delivered = 0;
  #dropped = 0;
  #invalid = 0;
  #failed = 0;
  #closed = false;
  // Every send goes through this chain, so the sink never sees two calls at once or batches out of order.
  #chain: Promise<void> = Promise.resolve();
  #fullQueued = false;
  #flushQueued = false;
  readonly #timer: NodeJS.Timeout | undefined;

  constructor(options: RecordBufferOptions) {
    assertOption(typeof options?.sink === 'function', 'sink');
    this.capacity = options.capacity ?? 10_000;
    assertOption(Number.isInteger(this.capacity) && this.capacity > 0, 'capacity');
    this.batchSize = options.batchSize ?? Math.min(500, this.capacity);
    assertOption(
      Number.isInteger(this.batchSize) && this.batchSize > 0 && this.batchSize <= this.capacity,
      'batchSize',
    );
    const interval = options.flushIntervalMs ?? 5_000;
    assertOption(Number.isInteger(interval) && interval >= 0, 'flushIntervalMs');
    this.#sinkTimeoutMs = options.sinkTimeoutMs ?? 10_000;
    assertOption(Number.isInteger(this.#sinkTimeoutMs) && this.#sinkTimeoutMs > 0, 'sinkTimeoutMs');
    const overflow = options.overflow ?? 'drop-oldest';
    assertOption(overflow === 'drop-oldest' || overflow === 'drop-newest', 'overflow');
    assertOption(options.onError === undefined || typeof options.onError === 'function', 'onError');
    this.#sink = options.sink;
    this.#dropNewest = overflow === 'drop-newest';
    this.#onError = options.onError;
    this.#now = options.now ?? Date.now;
    this.#ring = new Array<MetricRecord | undefined>(this.capacity).fill(undefined);
    if (interval > 0) {
      this.#timer = setInterval(() => {
        if (this.#size > 0 && !this.#flushQueued) void this.flush();
      }, interval);
      // A metrics buffer must never keep the process alive.
      this.#timer.unref();
    }
  }

  get stats(): RecordBufferStats {
    return {
      buffered: this.#size,
      accepted: this.#accepted,
      delivered: this.#delivered,
      dropped: this.#dropped,
      invalid: this.#invalid,
      failed: this.#failed,
    };
  }

  record(record: MetricRecord): void {
    if (this.#closed) {
      this.#dropped++;
      return;
    }
    if (
      typeof record !== 'object' ||
      record === null ||
      typeof record.name !== 'string' ||
      !METRIC_NAME.test(record.name) ||
      typeof record.value !== 'number' ||
      !Number.isFinite(record.value)
    ) {
      this.#invalid++;
      return;
    }
    const stamped = record.timestamp instanceof Date ? record : { ...record, timestamp: new Date(this.#now()) };
    if (this.#size === this.capacity) {
      this.#dropped++;
      if (this.#dropNewest) return;
      this.#ring[this.#head] = undefined;
      this.#head = (this.#head + 1) % this.capacity;
      this.#size--;
    }
    this.#ring[(this.#head + this.#size) % this.capacity] = stamped;
    this.#size++;
    this.#accepted++;
    if (this.#size >= this.batchSize && !this.#fullQueued) {
      this.#fullQueued = true;
      this.#chain = this.#chain.then(() => {
        this.#fullQueued = false;
        return this.#sendFullBatches();
      });
    }
  }

  /** Sends everything buffered when the flush gets its turn; resolves when the sink has had it (never rejects). */
  flush(): Promise<void> {
    this.#flushQueued = true;
    this.#chain = this.#chain.then(() => {
      this.#flushQueued = false;
      return this.#sendAll();
    });
    return this.#chain;
  }

  /** Stops the timer, refuses (and counts as dropped) later records, and flushes what is left. */
  close(): Promise<void> {
    this.#closed = true;
    if (this.#timer !== undefined) clearInterval(this.#timer);
    return this.flush();
  }

  async #sendFullBatches(): Promise<void> {
    while (this.#size >= this.batchSize) await this.#deliver(this.#take(this.batchSize));
  }

  async #sendAll(): Promise<void> {
    // Only what is here now: a steady producer must not keep one flush going forever.
    let left = this.#size;
    while (left > 0 && this.#size > 0) {
      const batch = this.#take(Math.min(left, this.batchSize));
      left -= batch.length;
      await this.#deliver(batch);
    }
  }

  #take(n: number): MetricRecord[] {
    const count = Math.min(n, this.#size);
    const batch = new Array<MetricRecord>(count);
    for (let i = 0; i < count; i++) {
      batch[i] = this.#ring[this.#head]!;
      this.#ring[this.#head] = undefined;
      this.#head = (this.#head + 1) % this.capacity;
    }
    this.#size -= count;
    return batch;
  }

  async #deliver(batch: MetricRecord[]): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    try {
      const result = this.#sink(batch);
      if (result !== undefined && typeof (result as Promise<void>).then === 'function') {
        await Promise.race([
          result,
          new Promise<never>((_, reject) => {
            timer = setTimeout(
              () => reject(new RecordBufferError('RECORD_BUFFER_SINK_TIMEOUT', 'sinkTimeoutMs')),
              this.#sinkTimeoutMs,
            );
            timer.unref();
          }),
        ]);
      }
      this.#delivered += batch.length;
    } catch (err) {
      this.#failed += batch.length;
      try {
        this.#onError?.(err, batch);
      } catch {
        // A failing error hook must not stop the next batch.
      }
    } finally {
      if (timer !== undefined) clearTimeout(timer);
    }
  }
}

/** Creates a record buffer; bad options throw here. */
export function createRecordBuffer(options: RecordBufferOptions): RecordBuffer {
  return new RecordBuffer(options);
}
