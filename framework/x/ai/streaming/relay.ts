import type { ServerResponse } from 'node:http';
import type { CompletionResponse, StreamEvent } from 'plumego/x/ai/provider';
import { toErrorEvent, toSseEvent } from './events.ts';
import { SseWriter, type SseEvent, type SseWriterOptions } from './sse-writer.ts';

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
 * socket, so backpressure reaches the vendor instead of growing a buffer here.
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
    for await (const event of source(writer.signal)) {
      if (event.type === 'done') response = event.response;
      const sse = map(event);
      if (sse) await writer.send({ ...sse, id: String(++seq) });
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
