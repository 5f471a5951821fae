import type { IncomingMessage } from 'node:http';
import { badResponse, toProviderError, type CallScope } from './call-scope.ts';
import { AI_PROVIDER_ERROR_CODES, AiProviderError } from './errors.ts';
import { takeNodeBody } from './node-fetch.ts';
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
  const { scope, decoder } = call;
  const out: StreamEvent[] = [];
  let body: IncomingMessage | undefined;
  let closed = false;
  const close = (): void => {
    closed = true;
    scope.dispose();
    if (body && !body.complete) body.destroy();
  };
  // `typed`: a failure of the stream, mapped like iteration maps it; otherwise the sink's own error.
  const finish = (error: unknown, typed: boolean): void => {
    if (closed) return;
    const reason = error === undefined ? undefined : typed ? toProviderError(name, error, scope) : error;
    close();
    if (reason === undefined) sink.end();
    else sink.end(reason);
  };
  const deliver = (): boolean => {
    let more = true;
    try {
      more = sink.events(out);
    } catch (error) {
      out.length = 0;
      finish(error, false);
      return false;
    }
    out.length = 0;
    return more;
  };
  const onData = (chunk: Buffer): void => {
    if (closed) return;
    scope.touch();
    let failed = false;
    let failure: unknown;
    try {
      decoder.push(chunk, out);
    } catch (error) {
      failed = true;
      failure = error;
    }
    if (out.length > 0 && !deliver()) {
      if (!closed) body!.pause();
    }
    if (failed) finish(failure, true);
  };
  const onEnd = (): void => {
    if (closed) return;
    let failed = false;
    let failure: unknown;
    try {
      decoder.end(out);
    } catch (error) {
      failed = true;
      failure = error;
    }
    if (out.length > 0) deliver();
    finish(failed ? failure : undefined, true);
  };
  // A body cut without `end` (reset, or destroyed by the scope on abort, timeout or stall).
  // Checked before the error is built: every stream's body closes after its end, and an Error captures a stack.
  const onClose = (): void => {
    if (!closed) finish(new Error('upstream body closed early'), true);
  };
  // A request refused while being built (a caller error) ends the stream like any other failure.
  let sending: Promise<Response>;
  try {
    sending = call.send();
  } catch (error) {
    sending = Promise.reject(error);
  }
  sending.then(
    (http) => {
      const res = takeNodeBody(http);
      if (closed) {
        res?.destroy();
        return;
      }
      if (!res) return finish(badResponse(name, 'stream response without a body'), true);
      body = res;
      res.on('data', onData);
      res.once('end', onEnd);
      res.once('error', (error) => finish(error, true));
      res.once('close', onClose);
    },
    (error: unknown) => finish(error, true),
  );
  return {
    resume: () => {
      if (closed || !body) return;
      // Reading stopped for our own consumer, not the vendor: the stall clock restarts.
      scope.touch();
      body.resume();
    },
    cancel: () => {
      if (closed) return;
      scope.abort();
      close();
    },
  };
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
