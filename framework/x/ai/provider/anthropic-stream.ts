import type Anthropic from '@anthropic-ai/sdk';
import { StreamAssembler, parseStructured } from './assembler.ts';
import { badResponse, toProviderError, type CallScope } from './call-scope.ts';
import { SseParser, type SseMessage } from './sse-parser.ts';
import { TextDeltaEvent } from './text-json.ts';
import type { StopReason, StreamEvent } from './types.ts';

// A text delta exactly as the API writes it; only `index` and the text vary.
const TEXT_HEAD = '{"type":"content_block_delta","index":';
const TEXT_MID = ',"delta":{"type":"text_delta","text":';
const TEXT_TAIL = '}}';

/**
 * The text of a text delta written in the API's own shape, without building its object: only the string
 * literal is parsed. `undefined` for anything else (other fields, another order, spacing), which then takes
 * the full JSON.parse path — so this never accepts or rejects what JSON.parse would not.
 */
function textDelta(data: string): TextDeltaEvent | undefined {
  if (!data.startsWith(TEXT_HEAD) || !data.endsWith(TEXT_TAIL)) return undefined;
  const mid = data.indexOf(TEXT_MID, TEXT_HEAD.length);
  if (mid <= TEXT_HEAD.length) return undefined;
  for (let i = TEXT_HEAD.length; i < mid; i++) {
    const c = data.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return undefined;
  }
  const start = mid + TEXT_MID.length;
  const end = data.length - TEXT_TAIL.length;
  if (end - start < 2 || data.charCodeAt(start) !== 0x22 || data.charCodeAt(end - 1) !== 0x22) return undefined;
  const json = data.slice(start, end);
  let text: unknown;
  try {
    text = JSON.parse(json);
  } catch {
    return undefined;
  }
  return typeof text === 'string' ? new TextDeltaEvent(text, json) : undefined;
}

// Framing events the decoder takes nothing from but their arrival, in the API's exact shape.
const MESSAGE_STOP = '{"type":"message_stop"}';
const BLOCK_STOP_HEAD = '{"type":"content_block_stop","index":';

/** A `content_block_stop` exactly as the API writes it; anything else goes through JSON.parse. */
function isBlockStop(data: string): boolean {
  if (!data.startsWith(BLOCK_STOP_HEAD) || data.charCodeAt(data.length - 1) !== 0x7d) return false;
  const end = data.length - 1;
  if (end === BLOCK_STOP_HEAD.length) return false;
  for (let i = BLOCK_STOP_HEAD.length; i < end; i++) {
    const c = data.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

export const STOP_REASONS: Record<string, StopReason> = {
  end_turn: 'end',
  max_tokens: 'max_tokens',
  tool_use: 'tool_calls',
  stop_sequence: 'stop_sequence',
  refusal: 'refusal',
};

/**
 * Turns the bytes of an Anthropic Messages stream into provider events, synchronously: `push` takes one
 * network read, `end` the end of the body. Both the iterating and the push-mode stream run on it, so the two
 * cannot disagree on what a stream means. Errors are thrown typed.
 */
export class AnthropicStreamDecoder {
  readonly #name: string;
  readonly #structured: string | undefined;
  readonly #scope: CallScope;
  readonly #assembler: StreamAssembler;
  readonly #parser = new SseParser();
  readonly #batch: SseMessage[] = [];
  // Content-block index → tool-call index (or -1 for the structured-output tool, streamed as text).
  readonly #blocks = new Map<number, number>();
  #meta: { id: string; model: string; inputTokens: number; outputTokens: number; stopReason: StopReason };
  #stopped = false;
  #structuredJson = '';

  constructor(name: string, model: string, structured: string | undefined, scope: CallScope) {
    this.#name = name;
    this.#structured = structured;
    this.#scope = scope;
    this.#assembler = new StreamAssembler(name);
    this.#meta = { id: '', model, inputTokens: 0, outputTokens: 0, stopReason: 'other' };
  }

  /** Decodes one network read; appends the events it completes to `out`. */
  push(chunk: Uint8Array, out: StreamEvent[]): void {
    this.#parser.push(chunk, this.#batch);
    this.#drain(out);
  }

  /** The body ended: appends the last events and `done`, or throws if the stream is incomplete. */
  end(out: StreamEvent[]): void {
    this.#parser.end(this.#batch);
    this.#drain(out);
    // Only `message_stop` proves the stream is complete.
    if (!this.#stopped) throw badResponse(this.#name, 'stream ended before message_stop (truncated)');
    const structured = this.#structured;
    const meta = this.#meta;
    const response = this.#assembler.finish({
      id: meta.id,
      model: meta.model,
      stopReason: structured ? 'end' : meta.stopReason,
      usage: { inputTokens: meta.inputTokens, outputTokens: meta.outputTokens },
    });
    if (structured && ![...this.#blocks.values()].includes(-1))
      throw badResponse(this.#name, 'structured output missing from the stream');
    out.push({
      type: 'done',
      response: structured
        ? { ...response, text: this.#structuredJson, parsed: parseStructured(this.#name, this.#structuredJson) }
        : response,
    });
  }

  #drain(out: StreamEvent[]): void {
    const batch = this.#batch;
    try {
      for (let i = 0; i < batch.length; i++) {
        const sse = batch[i]!;
        // As the SDK: unnamed events and pings carry nothing; `error` is the vendor failing mid-stream.
        if (sse.event === null || sse.event === 'ping' || !sse.data) continue;
        if (sse.event === 'error')
          throw toProviderError(this.#name, { error: JSON.parse(sse.data) as unknown }, this.#scope);
        // Two of a stream's five framing events carry nothing to read: every stream set-up saves their parse.
        if (sse.event === 'content_block_stop' && isBlockStop(sse.data)) continue;
        if (sse.event === 'message_stop' && sse.data === MESSAGE_STOP) {
          this.#stopped = true;
          continue;
        }
        // Most of a stream is text deltas: their text is taken without parsing the whole event.
        const text = sse.event === 'content_block_delta' ? textDelta(sse.data) : undefined;
        if (text) {
          this.#assembler.addText(text.text);
          out.push(text);
          continue;
        }
        this.#event(JSON.parse(sse.data) as Anthropic.Messages.RawMessageStreamEvent, out);
      }
    } finally {
      batch.length = 0;
    }
  }

  #event(event: Anthropic.Messages.RawMessageStreamEvent, out: StreamEvent[]): void {
    switch (event.type) {
      case 'message_start': {
        const meta = this.#meta;
        meta.id = event.message.id;
        meta.model = event.message.model;
        meta.inputTokens = event.message.usage.input_tokens;
        meta.outputTokens = event.message.usage.output_tokens;
        break;
      }
      case 'content_block_start':
        if (event.content_block.type === 'tool_use') {
          if (event.content_block.name === this.#structured) this.#blocks.set(event.index, -1);
          else {
            const index = this.#assembler.startToolCall(event.content_block.id, event.content_block.name);
            this.#blocks.set(event.index, index);
            out.push({ type: 'tool_call_start', index, id: event.content_block.id, name: event.content_block.name });
          }
        }
        break;
      case 'content_block_delta':
        if (event.delta.type === 'text_delta') {
          this.#assembler.addText(event.delta.text);
          out.push({ type: 'text', text: event.delta.text });
        } else if (event.delta.type === 'input_json_delta') {
          const index = this.#blocks.get(event.index);
          if (index === undefined) throw badResponse(this.#name, 'input_json_delta for an unknown content block');
          if (index === -1) {
            // Kept apart from prose: the model may still write text blocks beside the forced tool.
            this.#structuredJson += event.delta.partial_json;
            out.push({ type: 'text', text: event.delta.partial_json });
          } else {
            this.#assembler.addArguments(index, event.delta.partial_json);
            out.push({ type: 'tool_call_delta', index, argumentsDelta: event.delta.partial_json });
          }
        }
        break;
      case 'message_delta':
        this.#meta.stopReason = STOP_REASONS[event.delta.stop_reason ?? ''] ?? 'other';
        this.#meta.outputTokens = event.usage.output_tokens;
        if (typeof event.usage.input_tokens === 'number') this.#meta.inputTokens = event.usage.input_tokens;
        break;
      case 'message_stop':
        this.#stopped = true;
        break;
      default:
        break;
    }
  }
}
