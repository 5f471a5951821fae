import type { ServerResponse } from 'node:http';
import {
  STREAM_PUSH,
  isPushableStream,
  type CompletionResponse,
  type PushableStream,
  type StreamEvent,
  type StreamPushControl,
  textEventJson,
} from 'plumego/x/ai/provider';
import { toErrorEvent, toSseEvent } from './events.ts';
import { SseWriter, formatSseEvent, writeFrames, type SseEvent, type SseWriterOptions } from './sse-writer.ts';

export interface RelayOptions extends SseWriterOptions {
  /** Maps each provider event to the SSE event sent, or `undefined` to skip it. Default `toSseEvent`. */
  mapEvent?: (event: StreamEvent) => Omit<SseEvent, 'id'> | undefined;
}

export interface RelayResult {
  outcome: 'completed' | 'client_gone' | 'failed';
  /** The full response when the stream completed. */
  response?: CompletionResponse;
  error?: unknown;
}

/**
 * Relays a provider stream to one client as SSE. The source gets the writer's signal, so a client that
 * disconnects aborts the upstream request; each chunk is pulled only after the previous one reached the
 * socket, so backpressure reaches the vendor instead of growing a buffer here. A source that offers push mode
 * (`STREAM_PUSH`, as the vendor adapters do) is relayed without a promise per event: the events of one
 * upstream read go out in one socket write, and a backed-up socket pauses the upstream read until it drains.
 */
export async function relayStream(
  res: ServerResponse,
  source: (signal: AbortSignal) => AsyncIterable<StreamEvent>,
  options: RelayOptions = {},
): Promise<RelayResult> {
  const writer = new SseWriter(res, options);
  const map = options.mapEvent ?? toSseEvent;
  let seq = 0;
  let response: CompletionResponse | undefined;
  try {
    const stream = source(writer.signal);
    if (isPushableStream(stream)) {
      const pushed = await relayPushed(writer, stream, map, seq);
      seq = pushed.seq;
      response = pushed.response;
      if (pushed.error !== undefined) throw pushed.error;
    } else {
      for await (const event of stream) {
        if (event.type === 'done') response = event.response;
        const sse = map(event);
        if (sse) await writer.send({ ...sse, id: String(++seq) });
      }
    }
    return response ? { outcome: 'completed', response } : { outcome: 'completed' };
  } catch (error) {
    if (writer.signal.aborted) return { outcome: 'client_gone', error };
    await writer.send({ ...toErrorEvent(error), id: String(++seq) }).catch(() => undefined);
    return { outcome: 'failed', error };
  } finally {
    writer.end();
  }
}

interface Pushed {
  seq: number;
  response: CompletionResponse | undefined;
  error: unknown;
}

/** Runs a push-mode stream to its end; settles (never rejects) with how far it got. */
function relayPushed(
  writer: SseWriter,
  stream: PushableStream,
  map: NonNullable<RelayOptions['mapEvent']>,
  firstSeq: number,
): Promise<Pushed> {
  return new Promise((resolve) => {
    const state: Pushed = { seq: firstSeq, response: undefined, error: undefined };
    // With the default mapping a text event's frame is built here directly: its id is a number and its data is
    // JSON (the vendor's checked literal when kept), so neither can hold a line break to check for.
    const direct = map === toSseEvent;
    const control: StreamPushControl = stream[STREAM_PUSH]({
      events(batch) {
        let frames = '';
        for (let i = 0; i < batch.length; i++) {
          const event = batch[i]!;
          if (direct && event.type === 'text') {
            const json = textEventJson(event);
            const data = json === undefined ? JSON.stringify({ text: event.text }) : `{"text":${json}}`;
            frames += `id: ${++state.seq}\nevent: text\ndata: ${data}\n\n`;
            continue;
          }
          if (event.type === 'done') state.response = event.response;
          const sse = map(event);
          if (sse) frames += formatSseEvent({ id: String(++state.seq), ...sse });
        }
        if (frames === '') return true;
        // The client left: its signal has aborted the upstream, whose end() settles this relay.
        if (writer.closed) return false;
        const more = writeFrames(writer, frames);
        // Events only arrive from I/O callbacks, after `control` is assigned. A client that leaves while the socket
        // is backed up needs nothing here: the writer's signal already aborts the upstream.
        if (!more)
          writer.drained().then(
            () => control.resume(),
            () => undefined,
          );
        return more;
      },
      end(error) {
        state.error = error;
        // A completed stream's response ends here, in the tick that wrote `done`: node:http corks a response's
        // writes until the next tick, so the frame and the chunked terminator leave in one socket write instead
        // of two (the end in relayStream's `finally` came a microtask later, after the uncork).
        if (error === undefined) writer.end();
        resolve(state);
      },
    });
  });
}
