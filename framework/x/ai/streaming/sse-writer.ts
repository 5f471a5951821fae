import type { ServerResponse } from 'node:http';
import { AI_STREAM_ERROR_CODES, AiStreamError, assertOption } from './errors.ts';

export interface SseEvent {
  /** Event id; the client sends the last one back as `Last-Event-ID` when it reconnects. */
  id?: string;
  /** Event name; default (none) is `message` on the client. */
  event?: string;
  /** Payload; newlines are framed as several `data:` lines. */
  data: string;
}

export interface SseWriterOptions {
  /** Comment line sent when nothing else was written for this long, so proxies keep the connection. Default 15 000 ms; 0 disables. */
  heartbeatMs?: number;
  /** Reconnect delay sent to the client as `retry:`. Default none. */
  retryMs?: number;
}

const DEFAULT_SSE_WRITER = { heartbeatMs: 15_000 } as const;

const oneLine = (s: string): boolean => s.indexOf('\n') < 0 && s.indexOf('\r') < 0;

/** Frames one event; multi-line data becomes one `data:` line per line, as the SSE spec requires. */
export function formatSseEvent(event: SseEvent): string {
  let out = '';
  if (event.id !== undefined) {
    if (!oneLine(event.id) || event.id.includes('\0'))
      throw new AiStreamError(AI_STREAM_ERROR_CODES.invalidEvent, 'SSE id must be one line without NUL');
    out += `id: ${event.id}\n`;
  }
  if (event.event !== undefined) {
    if (!oneLine(event.event) || event.event === '')
      throw new AiStreamError(AI_STREAM_ERROR_CODES.invalidEvent, 'SSE event name must be one non-empty line');
    out += `event: ${event.event}\n`;
  }
  // JSON data (every event the relay sends) never holds a raw line break: no split, no array per event.
  if (oneLine(event.data)) return `${out}data: ${event.data}\n\n`;
  for (const line of event.data.split(/\r\n|\r|\n/)) out += `data: ${line}\n`;
  return `${out}\n`;
}

/**
 * Module-internal (not in index.ts): writes already framed events synchronously, one socket write; the relay's
 * push path frames text events itself. Same contract as `sendBatch`.
 */
export let writeFrames: (writer: SseWriter, frames: string) => boolean;

/**
 * Writes server-sent events to a Node response with heartbeats and backpressure: `send` resolves only when
 * the socket took the bytes (or drained), so a slow client slows the producer instead of growing a buffer.
 * `signal` aborts when the client goes away before `end` — wire it to the upstream call.
 */
export class SseWriter {
  readonly #res: ServerResponse;
  readonly #controller = new AbortController();
  readonly #heartbeatMs: number;
  #timer: NodeJS.Timeout | undefined;
  #ended = false;
  // The response closed; kept as a field because `closed` is asked once per upstream read.
  #gone = false;

  static {
    writeFrames = (writer, frames) => writer.#writeNow(frames);
  }

  constructor(res: ServerResponse, options: SseWriterOptions = {}) {
    this.#heartbeatMs = options.heartbeatMs ?? DEFAULT_SSE_WRITER.heartbeatMs;
    assertOption(Number.isFinite(this.#heartbeatMs) && this.#heartbeatMs >= 0, 'heartbeatMs', 'must be a number >= 0');
    if (options.retryMs !== undefined)
      assertOption(Number.isInteger(options.retryMs) && options.retryMs >= 0, 'retryMs', 'must be an integer >= 0');
    this.#res = res;
    res.on('close', () => {
      this.#gone = true;
      clearInterval(this.#timer);
      if (!this.#ended)
        this.#controller.abort(new AiStreamError(AI_STREAM_ERROR_CODES.clientGone, 'client disconnected'));
    });
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      // Buffering proxies (nginx) would hold tokens back until their buffer fills.
      'x-accel-buffering': 'no',
    });
    res.write(options.retryMs === undefined ? ': open\n\n' : `retry: ${options.retryMs}\n\n`);
    if (this.#heartbeatMs > 0) {
      this.#timer = setInterval(() => {
        // Skipped while the socket is backed up: the client is alive, just slow.
        if (!this.#res.writableNeedDrain && !this.closed) this.#res.write(': ping\n\n');
      }, this.#heartbeatMs);
      this.#timer.unref();
    }
  }

  /** Aborts when the client disconnects before `end`. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  get closed(): boolean {
    return this.#ended || this.#gone || this.#res.destroyed;
  }

  /** Sends one event; rejects with `AI_STREAM_CLIENT_GONE` if the client left. */
  async send(event: SseEvent): Promise<void> {
    await this.#write(formatSseEvent(event));
  }

  async comment(text: string): Promise<void> {
    await this.#write(`: ${text.replace(/[\r\n]+/g, ' ')}\n\n`);
  }

  /**
   * Sends several events with one socket write, synchronously (the relay's push path sends the events of one
   * upstream read this way). Returns false when the socket is backed up: wait for `drained()` before more.
   * Throws `AI_STREAM_CLIENT_GONE` if the client left, `AI_STREAM_INVALID_EVENT` as `formatSseEvent`.
   */
  sendBatch(events: readonly SseEvent[]): boolean {
    let frames = '';
    for (let i = 0; i < events.length; i++) frames += formatSseEvent(events[i]!);
    return this.#writeNow(frames);
  }

  #writeNow(frames: string): boolean {
    if (this.closed) throw new AiStreamError(AI_STREAM_ERROR_CODES.clientGone, 'client disconnected');
    return frames === '' || this.#res.write(frames);
  }

  /** Resolves once the socket drained (at once if it is not backed up); rejects if the client leaves first. */
  drained(): Promise<void> {
    if (this.closed) return Promise.reject(new AiStreamError(AI_STREAM_ERROR_CODES.clientGone, 'client disconnected'));
    if (!this.#res.writableNeedDrain) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const done = (): void => {
        this.#res.off('drain', done);
        this.#controller.signal.removeEventListener('abort', gone);
        resolve();
      };
      const gone = (): void => {
        this.#res.off('drain', done);
        reject(new AiStreamError(AI_STREAM_ERROR_CODES.clientGone, 'client disconnected'));
      };
      this.#res.on('drain', done);
      this.#controller.signal.addEventListener('abort', gone, { once: true });
    });
  }

  async #write(chunk: string): Promise<void> {
    if (this.closed) throw new AiStreamError(AI_STREAM_ERROR_CODES.clientGone, 'client disconnected');
    if (!this.#res.write(chunk)) await this.drained();
  }

  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    clearInterval(this.#timer);
    if (!this.#res.destroyed) this.#res.end();
  }
}
