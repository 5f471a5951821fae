// What the push-mode tests share: run a stream through its STREAM_PUSH sink or iterate it, and read an error's code.
import { isAiProviderError } from '../errors.ts';
import { STREAM_PUSH, isPushableStream, type StreamPushControl } from '../push.ts';
import type { StreamEvent } from '../types.ts';

export interface Pushed {
  events: StreamEvent[];
  batches: number;
  ends: number;
  error?: unknown;
}

/** Runs a stream in push mode to its end; `onBatch` may return false to pause it (resume through `control`). */
export function pushStream(
  stream: AsyncIterable<StreamEvent>,
  onBatch: (batch: readonly StreamEvent[]) => boolean = () => true,
): { done: Promise<Pushed>; control: StreamPushControl; seen: Pushed } {
  if (!isPushableStream(stream)) throw new Error('not a push-mode stream');
  const seen: Pushed = { events: [], batches: 0, ends: 0 };
  let settle: (p: Pushed) => void = () => undefined;
  const done = new Promise<Pushed>((resolve) => (settle = resolve));
  const control = stream[STREAM_PUSH]({
    events(batch) {
      seen.batches += 1;
      seen.events.push(...batch);
      return onBatch(batch);
    },
    end(error) {
      seen.ends += 1;
      if (error !== undefined) seen.error = error;
      settle(seen);
    },
  });
  return { done, control, seen };
}

/** Iterates a stream to its end or its error, keeping the events seen before it. */
export async function iterateStream(
  stream: AsyncIterable<StreamEvent>,
): Promise<{ events: StreamEvent[]; error?: unknown }> {
  const events: StreamEvent[] = [];
  try {
    for await (const e of stream) events.push(e);
    return { events };
  } catch (error) {
    return { events, error };
  }
}

export const errorCode = (error: unknown): string | undefined => (isAiProviderError(error) ? error.code : undefined);
