import type { IncomingMessage } from 'node:http';
import { badResponse, toProviderError, type CallScope } from './call-scope.ts';
import { AI_PROVIDER_ERROR_CODES, AiProviderError } from './errors.ts';
import { takeNodeBody } from './node-fetch.ts';
import { sendInTurn, turn } from './send-turns.ts';
import { STREAM_PUSH, type PushableStream, type StreamPushControl, type StreamSink } from './push.ts';
import type { StreamEvent } from './types.ts';

/** A vendor's stream format, decoded synchronously: `push` takes one network read, `end` the end of the body. */
export interface StreamDecoder {
  push(chunk: Uint8Array, out: StreamEvent[]): void;
  /** Appends the last events and `done`, or throws if the stream is incomplete. */
  end(out: StreamEvent[]): void;
}

/** One streaming call: its scope, its decoder, and how to send it (the SDK's `.asResponse()`). */
export interface StreamCall {
  scope: CallScope;
  decoder: StreamDecoder;
  send(): Promise<Response>;
}

/**
 * A provider stream over an HTTP SSE body: an async generator, which also offers push mode (`STREAM_PUSH`).
 * `open` runs when the stream is first read, by either; a second reader is refused.
 */
export function httpStream(name: string, open: () => StreamCall): AsyncGenerator<StreamEvent> & PushableStream {
  const claim = { taken: false };
  const generator = iterate(name, claim, open) as AsyncGenerator<StreamEvent> & PushableStream;
  generator[STREAM_PUSH] = (sink: StreamSink): StreamPushControl => {
    takeOnce(name, claim);
    return push(name, open(), sink);
  };
  return generator;
}

/** A stream is read once, by iteration or by push; a second reader would send a second request. */
export function takeOnce(name: string, claim: { taken: boolean }): void {
  if (claim.taken)
    throw new AiProviderError(AI_PROVIDER_ERROR_CODES.invalidRequest, `${name}: this stream is already being read`, {
      provider: name,
    });
  claim.taken = true;
}

async function* iterate(name: string, claim: { taken: boolean }, open: () => StreamCall): AsyncGenerator<StreamEvent> {
  takeOnce(name, claim);
  const { scope, decoder, send } = open();
  const out: StreamEvent[] = [];
  let body: AsyncIterator<Uint8Array> | undefined;
  let finished = false;
  try {
    await turn();
    const http = await send();
    const source: AsyncIterable<Uint8Array> | null = takeNodeBody(http) ?? http.body;
    if (!source) throw badResponse(name, 'stream response without a body');
    body = source[Symbol.asyncIterator]();
    for (let last = false; !last;) {
      const read = await body.next();
      last = read.done === true;
      scope.touch();
      if (last && scope.end !== undefined) throw toProviderError(name, undefined, scope);
      let failed = false;
      let failure: unknown;
      try {
        if (read.done) decoder.end(out);
        else decoder.push(read.value, out);
      } catch (error) {
        failed = true;
        failure = error;
      }
      // The events decoded before a failure in the same read still go out first, as they arrived.
      for (let i = 0; i < out.length; i++) yield out[i]!;
      out.length = 0;
      if (failed) throw failure;
    }
    finished = true;
  } catch (error) {
    throw toProviderError(name, error, scope);
  } finally {
    // A consumer that stops early, or a stream that failed, must not leave the upstream body open.
    if (!finished) body?.return?.().catch(() => undefined);
    scope.dispose();
  }
}

function push(name: string, call: StreamCall, sink: StreamSink): StreamPushControl {
  const run = new PushRun(name, call.scope, call.decoder, sink);
  run.start(call);
  return run;
}

/**
 * One push-mode stream: the IncomingMessage's events go straight to the decoder and the sink. A class with its
 * listeners as anonymous arrows rather than a function of named closures: every stream opens one, and a named
 * closure costs a `name` definition per creation under tsx's keepNames transform, the way the benchmarks run.
 */
class PushRun implements StreamPushControl {
  readonly #name: string;
  readonly #scope: CallScope;
  readonly #decoder: StreamDecoder;
  readonly #sink: StreamSink;
  readonly #out: StreamEvent[] = [];
  #body: IncomingMessage | undefined;
  #closed = false;

  constructor(name: string, scope: CallScope, decoder: StreamDecoder, sink: StreamSink) {
    this.#name = name;
    this.#scope = scope;
    this.#decoder = decoder;
    this.#sink = sink;
  }

  start(call: StreamCall): void {
    sendInTurn(() => this.#send(call));
  }

  #send(call: StreamCall): void {
    // Cancelled while waiting for its turn: nothing was sent, nothing to close.
    if (this.#closed) return;
    // A request refused while being built (a caller error) ends the stream like any other failure.
    let sending: Promise<Response>;
    try {
      sending = call.send();
    } catch (error) {
      sending = Promise.reject(error);
    }
    sending.then(
      (http) => this.#attach(http),
      (error: unknown) => this.#finish(error, true),
    );
  }

  #attach(http: Response): void {
    const res = takeNodeBody(http);
    if (this.#closed) {
      res?.destroy();
      return;
    }
    if (!res) return this.#finish(badResponse(this.#name, 'stream response without a body'), true);
    this.#body = res;
    // `on`, not `once`: every handler returns once the run is closed, and `once` wraps each listener in two more
    // objects per stream. A second 'error' also stays handled instead of becoming an uncaught one.
    res.on('data', (chunk: Buffer) => this.#data(chunk));
    res.on('end', () => this.#end());
    res.on('error', (error) => this.#finish(error, true));
    // A body cut without `end` (reset, or destroyed by the scope on abort, timeout or stall). Checked before the
    // error is built: every stream's body closes after its end, and an Error captures a stack.
    res.on('close', () => {
      if (!this.#closed) this.#finish(new Error('upstream body closed early'), true);
    });
  }

  #close(): void {
    this.#closed = true;
    this.#scope.dispose();
    const body = this.#body;
    if (body && !body.complete) body.destroy();
  }

  // `typed`: a failure of the stream, mapped like iteration maps it; otherwise the sink's own error.
  #finish(error: unknown, typed: boolean): void {
    if (this.#closed) return;
    const reason = error === undefined ? undefined : typed ? toProviderError(this.#name, error, this.#scope) : error;
    this.#close();
    if (reason === undefined) this.#sink.end();
    else this.#sink.end(reason);
  }

  #deliver(): boolean {
    const out = this.#out;
    let more = true;
    try {
      more = this.#sink.events(out);
    } catch (error) {
      out.length = 0;
      this.#finish(error, false);
      return false;
    }
    out.length = 0;
    return more;
  }

  #data(chunk: Buffer): void {
    if (this.#closed) return;
    this.#scope.touch();
    let failed = false;
    let failure: unknown;
    try {
      this.#decoder.push(chunk, this.#out);
    } catch (error) {
      failed = true;
      failure = error;
    }
    if (this.#out.length > 0 && !this.#deliver()) {
      if (!this.#closed) this.#body!.pause();
    }
    if (failed) this.#finish(failure, true);
  }

  #end(): void {
    if (this.#closed) return;
    let failed = false;
    let failure: unknown;
    try {
      this.#decoder.end(this.#out);
    } catch (error) {
      failed = true;
      failure = error;
    }
    if (this.#out.length > 0) this.#deliver();
    this.#finish(failed ? failure : undefined, true);
  }

  resume(): void {
    if (this.#closed || !this.#body) return;
    // Reading stopped for our own consumer, not the vendor: the stall clock restarts.
    this.#scope.touch();
    this.#body.resume();
  }

  cancel(): void {
    if (this.#closed) return;
    this.#scope.abort();
    this.#close();
  }
}

/**
 * Push mode over any async iterable (a mock's stream, or one a caller wrapped): one event per `events` call,
 * the next pulled only when the sink accepted the last one or called `resume`.
 */
export function pushFromIterable(iterable: AsyncIterable<StreamEvent>, sink: StreamSink): StreamPushControl {
  const iterator = iterable[Symbol.asyncIterator]();
  let cancelled = false;
  let wake: (() => void) | undefined;
  const stop = (): void => {
    cancelled = true;
    void iterator.return?.()?.catch(() => undefined);
  };
  void (async () => {
    try {
      for (;;) {
        const read = await iterator.next();
        if (cancelled) return;
        if (read.done) break;
        let more: boolean;
        try {
          more = sink.events([read.value]);
        } catch (error) {
          stop();
          sink.end(error);
          return;
        }
        if (!more) await new Promise<void>((resolve) => (wake = resolve));
        if (cancelled) return;
      }
    } catch (error) {
      if (!cancelled) sink.end(error);
      return;
    }
    sink.end();
  })();
  return {
    resume: () => {
      const resume = wake;
      wake = undefined;
      resume?.();
    },
    cancel: () => {
      if (cancelled) return;
      stop();
      wake?.();
    },
  };
}
