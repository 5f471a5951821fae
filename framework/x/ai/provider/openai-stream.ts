import type OpenAI from 'openai';
import { StreamAssembler, parseStructured } from './assembler.ts';
import { badResponse, toProviderError, type CallScope } from './call-scope.ts';
import type { StreamDecoder } from './http-stream.ts';
import { SseParser, type SseMessage } from './sse-parser.ts';
import type { StopReason, StreamEvent } from './types.ts';

type Chunk = OpenAI.Chat.Completions.ChatCompletionChunk;

export const FINISH_REASONS: Record<string, StopReason> = {
  stop: 'end',
  length: 'max_tokens',
  tool_calls: 'tool_calls',
  function_call: 'tool_calls',
  content_filter: 'refusal',
};

/**
 * The SDK's rules for one batch of OpenAI SSE events (Chat and Responses alike): `[DONE]` ends the stream and
 * everything after it is ignored, every other event is JSON, and one with an `error` member is the vendor failing
 * mid-stream. Hands each decoded event to `each`, empties the batch, and returns whether `[DONE]` has been seen.
 */
export function drainOpenAIEvents<T>(
  batch: SseMessage[],
  done: boolean,
  name: string,
  scope: CallScope,
  each: (event: T) => void,
): boolean {
  try {
    for (let i = 0; i < batch.length; i++) {
      const sse = batch[i]!;
      if (done) continue;
      if (sse.data.startsWith('[DONE]')) {
        done = true;
        continue;
      }
      const data = JSON.parse(sse.data) as (T & { error?: unknown }) | null;
      if (data && data.error) throw toProviderError(name, { error: data.error }, scope);
      each(data as T);
    }
  } finally {
    batch.length = 0;
  }
  return done;
}

/**
 * Turns the bytes of an OpenAI Chat Completions stream into provider events, synchronously, with the SDK's
 * rules (`openai` core/streaming): `[DONE]` ends it and anything after is ignored, every other event is JSON,
 * and a chunk with an `error` member is the vendor failing mid-stream.
 */
export class OpenAIChatStreamDecoder implements StreamDecoder {
  readonly #name: string;
  readonly #structured: boolean;
  readonly #scope: CallScope;
  readonly #assembler: StreamAssembler;
  readonly #parser = new SseParser();
  readonly #batch: SseMessage[] = [];
  // The vendor's tool-call index → ours (they match today, but the mapping keeps a sparse index safe).
  readonly #calls = new Map<number, number>();
  readonly #meta: {
    id: string;
    model: string;
    stopReason: StopReason | undefined;
    inputTokens: number;
    outputTokens: number;
  };
  #done = false;

  constructor(name: string, model: string, structured: boolean, scope: CallScope) {
    this.#name = name;
    this.#structured = structured;
    this.#scope = scope;
    this.#assembler = new StreamAssembler(name);
    this.#meta = { id: '', model, stopReason: undefined, inputTokens: 0, outputTokens: 0 };
  }

  push(chunk: Uint8Array, out: StreamEvent[]): void {
    this.#parser.push(chunk, this.#batch);
    this.#drain(out);
  }

  end(out: StreamEvent[]): void {
    this.#parser.end(this.#batch);
    this.#drain(out);
    const meta = this.#meta;
    // Without a finish_reason the stream was cut short, even if the socket closed cleanly.
    if (meta.stopReason === undefined)
      throw badResponse(this.#name, 'stream ended without a finish_reason (truncated)');
    const response = this.#assembler.finish({
      id: meta.id,
      model: meta.model,
      stopReason: meta.stopReason,
      usage: { inputTokens: meta.inputTokens, outputTokens: meta.outputTokens },
    });
    out.push({
      type: 'done',
      response: this.#structured ? { ...response, parsed: parseStructured(this.#name, response.text) } : response,
    });
  }

  #drain(out: StreamEvent[]): void {
    this.#done = drainOpenAIEvents<Chunk>(this.#batch, this.#done, this.#name, this.#scope, (c) => this.#chunk(c, out));
  }

  #chunk(chunk: Chunk, out: StreamEvent[]): void {
    const meta = this.#meta;
    if (chunk.id) meta.id = chunk.id;
    if (chunk.model) meta.model = chunk.model;
    if (chunk.usage) {
      meta.inputTokens = chunk.usage.prompt_tokens;
      meta.outputTokens = chunk.usage.completion_tokens;
    }
    const choice = chunk.choices[0];
    if (!choice) return;
    if (choice.delta.content) {
      this.#assembler.addText(choice.delta.content);
      out.push({ type: 'text', text: choice.delta.content });
    }
    for (const delta of choice.delta.tool_calls ?? []) {
      let index = this.#calls.get(delta.index);
      if (index === undefined) {
        if (!delta.id || !delta.function?.name) throw badResponse(this.#name, 'tool call delta before its id and name');
        index = this.#assembler.startToolCall(delta.id, delta.function.name);
        this.#calls.set(delta.index, index);
        out.push({ type: 'tool_call_start', index, id: delta.id, name: delta.function.name });
      }
      const args = delta.function?.arguments;
      if (args) {
        this.#assembler.addArguments(index, args);
        out.push({ type: 'tool_call_delta', index, argumentsDelta: args });
      }
    }
    if (choice.finish_reason) meta.stopReason = FINISH_REASONS[choice.finish_reason] ?? 'other';
  }
}
