import type { ServerResponse } from 'node:http';
import { AI_STREAM_ERROR_CODES, AiStreamError, assertOption } from './errors.ts';
import { toErrorEvent } from './events.ts';
import { SseWriter, type SseEvent, type SseWriterOptions } from './sse-writer.ts';

export interface StreamHubOptions {
  /** Events kept per run for `Last-Event-ID` resume; older ones are dropped. Default 512. */
  capacity?: number;
  /** How long a run keeps going with no client attached before its upstream is aborted. Default 15 000 ms. */
  graceMs?: number;
  /** How long a finished run stays available for resume. Default 60 000 ms. */
  retainMs?: number;
  /** Most runs held at once (live or retained); `start` beyond it fails. Default 1000. */
  maxRuns?: number;
}

const DEFAULT_STREAM_HUB = { capacity: 512, graceMs: 15_000, retainMs: 60_000, maxRuns: 1000 } as const;

interface Run {
  buffer: { seq: number; event: Omit<SseEvent, 'id'> }[];
  nextSeq: number;
  done: boolean;
  attached: number;
  wake: Set<() => void>;
  controller: AbortController;
  grace: NodeJS.Timeout | undefined;
}

export type AttachOutcome = 'completed' | 'client_gone' | 'gap';

/**
 * Resumable streams. A run's upstream is owned by the hub, not by one connection: events go into a bounded
 * buffer, clients attach (and re-attach with `Last-Event-ID`) to read from it, and the upstream is aborted
 * only when no client has been attached for `graceMs`. A client that falls further behind than the buffer
 * gets an `AI_STREAM_RESUME_GAP` error event instead of unbounded memory.
 */
export class StreamHub {
  readonly #runs = new Map<string, Run>();
  readonly #capacity: number;
  readonly #graceMs: number;
  readonly #retainMs: number;
  readonly #maxRuns: number;

  constructor(options: StreamHubOptions = {}) {
    this.#capacity = options.capacity ?? DEFAULT_STREAM_HUB.capacity;
    this.#graceMs = options.graceMs ?? DEFAULT_STREAM_HUB.graceMs;
    this.#retainMs = options.retainMs ?? DEFAULT_STREAM_HUB.retainMs;
    this.#maxRuns = options.maxRuns ?? DEFAULT_STREAM_HUB.maxRuns;
    assertOption(Number.isInteger(this.#capacity) && this.#capacity > 0, 'capacity', 'must be a positive integer');
    assertOption(Number.isFinite(this.#graceMs) && this.#graceMs >= 0, 'graceMs', 'must be >= 0');
    assertOption(Number.isFinite(this.#retainMs) && this.#retainMs >= 0, 'retainMs', 'must be >= 0');
    assertOption(Number.isInteger(this.#maxRuns) && this.#maxRuns > 0, 'maxRuns', 'must be a positive integer');
  }

  has(id: string): boolean {
    return this.#runs.has(id);
  }

  /** Starts a run; events are SSE events without ids (the hub numbers them). Starts the grace timer. */
  start(id: string, source: (signal: AbortSignal) => AsyncIterable<Omit<SseEvent, 'id'>>): void {
    if (this.#runs.has(id))
      throw new AiStreamError(AI_STREAM_ERROR_CODES.exists, 'a stream with this id already exists');
    if (this.#runs.size >= this.#maxRuns)
      throw new AiStreamError(AI_STREAM_ERROR_CODES.invalidOptions, 'stream hub is full', { maxRuns: this.#maxRuns });
    const run: Run = {
      buffer: [],
      nextSeq: 1,
      done: false,
      attached: 0,
      wake: new Set(),
      controller: new AbortController(),
      grace: undefined,
    };
    this.#runs.set(id, run);
    this.#armGrace(run);
    void this.#pump(id, run, source);
  }

  /** Aborts a run's upstream (e.g. the user pressed stop). */
  abort(id: string): boolean {
    const run = this.#runs.get(id);
    run?.controller.abort(new AiStreamError(AI_STREAM_ERROR_CODES.clientGone, 'stream aborted'));
    return run !== undefined;
  }

  async #pump(
    id: string,
    run: Run,
    source: (signal: AbortSignal) => AsyncIterable<Omit<SseEvent, 'id'>>,
  ): Promise<void> {
    try {
      for await (const event of source(run.controller.signal)) this.#push(run, event);
    } catch (error) {
      this.#push(run, toErrorEvent(error));
    }
    run.done = true;
    clearTimeout(run.grace);
    this.#notify(run);
    setTimeout(() => this.#runs.delete(id), this.#retainMs).unref();
  }

  #push(run: Run, event: Omit<SseEvent, 'id'>): void {
    run.buffer.push({ seq: run.nextSeq++, event });
    if (run.buffer.length > this.#capacity) run.buffer.shift();
    this.#notify(run);
  }

  #notify(run: Run): void {
    for (const wake of run.wake) wake();
  }

  #armGrace(run: Run): void {
    clearTimeout(run.grace);
    run.grace = setTimeout(() => {
      if (run.attached === 0 && !run.done)
        run.controller.abort(
          new AiStreamError(AI_STREAM_ERROR_CODES.clientGone, 'no client attached within the grace period'),
        );
    }, this.#graceMs);
    run.grace.unref();
  }

  /**
   * Streams a run to one client from after `lastEventId` (the request's `Last-Event-ID`). An unknown run
   * answers 404 JSON before any SSE header is sent.
   */
  async attach(
    id: string,
    res: ServerResponse,
    options: SseWriterOptions & { lastEventId?: string | undefined } = {},
  ): Promise<AttachOutcome> {
    const run = this.#runs.get(id);
    if (!run) throw new AiStreamError(AI_STREAM_ERROR_CODES.notFound, 'no such stream (never started or expired)');
    const writer = new SseWriter(res, options);
    let cursor = parseLastEventId(options.lastEventId);
    run.attached += 1;
    clearTimeout(run.grace);
    try {
      for (;;) {
        const first = run.buffer[0]?.seq ?? run.nextSeq;
        if (cursor === undefined || cursor + 1 < first || cursor >= run.nextSeq) {
          await writer.send({
            ...toErrorEvent(
              new AiStreamError(AI_STREAM_ERROR_CODES.resumeGap, 'events after Last-Event-ID are no longer buffered'),
            ),
            id: String(run.nextSeq - 1),
          });
          return 'gap';
        }
        for (const { seq, event } of run.buffer) {
          if (seq <= cursor) continue;
          await writer.send({ ...event, id: String(seq) });
          cursor = seq;
          // Re-check for a gap: the buffer may have moved on while this client waited on a slow socket.
          if ((run.buffer[0]?.seq ?? run.nextSeq) > cursor + 1) break;
        }
        if (cursor === run.nextSeq - 1 && run.done) return 'completed';
        if (cursor === run.nextSeq - 1) await this.#waitForMore(run, writer.signal);
      }
    } catch (error) {
      if (writer.signal.aborted) return 'client_gone';
      throw error;
    } finally {
      writer.end();
      run.attached -= 1;
      if (run.attached === 0 && !run.done) this.#armGrace(run);
    }
  }

  #waitForMore(run: Run, signal: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      const wake = (): void => {
        run.wake.delete(wake);
        signal.removeEventListener('abort', gone);
        resolve();
      };
      const gone = (): void => {
        run.wake.delete(wake);
        reject(signal.reason);
      };
      if (signal.aborted) return gone();
      run.wake.add(wake);
      signal.addEventListener('abort', gone, { once: true });
    });
  }
}

function parseLastEventId(raw: string | undefined): number | undefined {
  if (raw === undefined || raw === '') return 0;
  return /^\d{1,15}$/.test(raw) ? Number(raw) : undefined;
}

export function createStreamHub(options?: StreamHubOptions): StreamHub {
  return new StreamHub(options);
}
