import type { StreamEvent } from './types.ts';

/**
 * The consumer of a stream in push mode: called synchronously with the events decoded from each upstream
 * network read, with no promise or async-iterator step per event. The batch array is reused once the call
 * returns; copy what must outlive it.
 */
export interface StreamSink {
  /** The events of one upstream read, in order (`done` last). Return false to stop reading until `resume()`. */
  events(batch: readonly StreamEvent[]): boolean;
  /**
   * Called exactly once: without an argument after `done` was delivered, or with the error that ended the stream
   * (typed as in iteration; an error thrown by `events` itself comes back here as thrown).
   */
  end(error?: unknown): void;
}

/** What a push-mode consumer can do to a running stream (methods: call them on the control, unbound they fail). */
export interface StreamPushControl {
  /** Reads on after `events` returned false (the consumer's socket drained). */
  resume(): void;
  /** Stops the stream and closes the upstream request; no sink call follows. */
  cancel(): void;
}

/**
 * The key of the optional push mode of a stream (`provider.stream(...)[STREAM_PUSH](sink)`). A stream is
 * consumed once: either iterated or pushed.
 */
export const STREAM_PUSH: unique symbol = Symbol.for('plumego.ai.stream-push');

/** A provider stream that also offers push mode (the Anthropic, OpenAI Chat and OpenAI Responses adapters' streams, and the manager's). */
export interface PushableStream extends AsyncIterable<StreamEvent> {
  [STREAM_PUSH](sink: StreamSink): StreamPushControl;
}

/** True when `stream` offers push mode. */
export function isPushableStream(stream: AsyncIterable<StreamEvent>): stream is PushableStream {
  return typeof (stream as Partial<PushableStream>)[STREAM_PUSH] === 'function';
}
