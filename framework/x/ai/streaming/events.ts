import { isAiProviderError, textEventJson, type StreamEvent } from 'plumego/x/ai/provider';
import type { SseEvent } from './sse-writer.ts';

/** The default SSE shape of a provider event: one named event per kind, JSON data. */
export function toSseEvent(event: StreamEvent): Omit<SseEvent, 'id'> {
  switch (event.type) {
    case 'text': {
      // The vendor's own literal when the adapter kept it: the same JSON, without encoding the text again.
      const json = textEventJson(event);
      return { event: 'text', data: json === undefined ? JSON.stringify({ text: event.text }) : `{"text":${json}}` };
    }
    case 'tool_call_start':
      return { event: 'tool_call', data: JSON.stringify({ index: event.index, id: event.id, name: event.name }) };
    case 'tool_call_delta':
      return {
        event: 'tool_call_delta',
        data: JSON.stringify({ index: event.index, argumentsDelta: event.argumentsDelta }),
      };
    case 'done': {
      const { provider, model, stopReason, usage, toolCalls } = event.response;
      return { event: 'done', data: JSON.stringify({ provider, model, stopReason, usage, toolCalls }) };
    }
  }
}

/** A progress event for multi-step work (tool calls, retrieval, ...). */
export function toProgressEvent(progress: {
  step: string;
  status: 'started' | 'succeeded' | 'failed';
  detail?: Record<string, unknown>;
}): Omit<SseEvent, 'id'> {
  return { event: 'progress', data: JSON.stringify(progress) };
}

/**
 * The error event a client sees. Only typed errors show their code and message (they are written to be
 * safe to show); anything else becomes a generic internal error so no stack or secret leaks.
 */
export function toErrorEvent(error: unknown): Omit<SseEvent, 'id'> {
  if (isAiProviderError(error))
    return { event: 'error', data: JSON.stringify({ code: error.code, status: error.status, message: error.message }) };
  const e = error as { code?: unknown; status?: unknown; message?: unknown } | undefined;
  if (e && typeof e.code === 'string' && /^[A-Z][A-Z0-9_]+$/.test(e.code) && typeof e.status === 'number') {
    return { event: 'error', data: JSON.stringify({ code: e.code, status: e.status, message: String(e.message) }) };
  }
  return {
    event: 'error',
    data: JSON.stringify({ code: 'INTERNAL_ERROR', status: 500, message: 'the stream failed' }),
  };
}
