import Anthropic from '@anthropic-ai/sdk';
import { StreamAssembler, parseStructured } from './assembler.ts';
import { badResponse, openCallScope, toProviderError, type CallScope } from './call-scope.ts';
import { nodeFetch, takeNodeBody } from './node-fetch.ts';
import { SseParser, type SseMessage } from './sse-parser.ts';
import { resolveHttpProviderOptions, type HttpProviderOptions, type ResolvedHttpProviderOptions } from './options.ts';
import type {
  CallOptions,
  CompletionRequest,
  CompletionResponse,
  Message,
  ModelInfo,
  Provider,
  StopReason,
  StreamEvent,
} from './types.ts';

type MessageParam = Anthropic.Messages.MessageParam;
type ContentBlockParam = Anthropic.Messages.ContentBlockParam;
type CreateParams = Anthropic.Messages.MessageCreateParamsNonStreaming;

const STOP_REASONS: Record<string, StopReason> = {
  end_turn: 'end',
  max_tokens: 'max_tokens',
  tool_use: 'tool_calls',
  stop_sequence: 'stop_sequence',
  refusal: 'refusal',
};

function toAnthropicMessages(messages: readonly Message[]): { system: string | undefined; messages: MessageParam[] } {
  const system: string[] = [];
  const out: MessageParam[] = [];
  const push = (role: 'user' | 'assistant', blocks: ContentBlockParam[]): void => {
    const last = out[out.length - 1];
    // The Messages API wants alternating roles; adjacent turns of one role (e.g. several tool results) merge.
    if (last && last.role === role && Array.isArray(last.content)) last.content.push(...blocks);
    else out.push({ role, content: blocks });
  };
  for (const m of messages) {
    if (m.role === 'system') system.push(m.content);
    else if (m.role === 'user') push('user', [{ type: 'text', text: m.content }]);
    else if (m.role === 'tool')
      push('user', [
        {
          type: 'tool_result',
          tool_use_id: m.toolCallId,
          content: m.content,
          ...(m.isError ? { is_error: true } : {}),
        },
      ]);
    else {
      const blocks: ContentBlockParam[] = m.content ? [{ type: 'text', text: m.content }] : [];
      for (const c of m.toolCalls ?? []) blocks.push({ type: 'tool_use', id: c.id, name: c.name, input: c.arguments });
      push('assistant', blocks);
    }
  }
  return { system: system.length ? system.join('\n\n') : undefined, messages: out };
}

function toParams(request: CompletionRequest, defaultMaxTokens: number): CreateParams {
  const { system, messages } = toAnthropicMessages(request.messages);
  const tools: Anthropic.Messages.Tool[] = (request.tools ?? []).map((t) => ({
    name: t.name,
    description: t.description,
    input_schema: t.inputSchema as Anthropic.Messages.Tool.InputSchema,
  }));
  let toolChoice: Anthropic.Messages.ToolChoice | undefined;
  const so = request.structuredOutput;
  if (so) {
    // Structured output through a forced tool: the tool's input is the answer, and the API validates its shape.
    tools.push({
      name: so.name,
      description: `Return the answer as ${so.name}.`,
      input_schema: so.schema as Anthropic.Messages.Tool.InputSchema,
    });
    toolChoice = { type: 'tool', name: so.name };
  } else if (request.toolChoice === 'required') toolChoice = { type: 'any' };
  else if (request.toolChoice === 'none') toolChoice = { type: 'none' };
  else if (typeof request.toolChoice === 'object') toolChoice = { type: 'tool', name: request.toolChoice.name };
  return {
    model: request.model,
    max_tokens: request.maxTokens ?? defaultMaxTokens,
    messages,
    ...(system === undefined ? {} : { system }),
    ...(tools.length ? { tools } : {}),
    ...(toolChoice ? { tool_choice: toolChoice } : {}),
    ...(request.temperature === undefined ? {} : { temperature: request.temperature }),
    ...(request.stopSequences?.length ? { stop_sequences: [...request.stopSequences] } : {}),
  };
}

function toResponse(
  name: string,
  message: Anthropic.Messages.Message,
  structured: string | undefined,
): CompletionResponse {
  const assembler = new StreamAssembler(name);
  let parsed: unknown;
  for (const block of message.content) {
    if (block.type === 'text') assembler.addText(block.text);
    else if (block.type === 'tool_use') {
      if (block.name === structured) parsed = block.input;
      else assembler.addArguments(assembler.startToolCall(block.id, block.name), JSON.stringify(block.input));
    }
  }
  if (structured !== undefined && parsed === undefined)
    throw badResponse(name, 'structured output missing from the response');
  const response = assembler.finish({
    id: message.id,
    model: message.model,
    stopReason: structured !== undefined ? 'end' : (STOP_REASONS[message.stop_reason ?? ''] ?? 'other'),
    usage: { inputTokens: message.usage.input_tokens, outputTokens: message.usage.output_tokens },
  });
  return structured === undefined ? response : { ...response, text: JSON.stringify(parsed), parsed };
}

export class AnthropicProvider implements Provider {
  readonly name: string;
  readonly options: ResolvedHttpProviderOptions;
  readonly #client: Anthropic;
  readonly #streamClient: Anthropic;

  constructor(options: HttpProviderOptions) {
    this.options = resolveHttpProviderOptions(options, 'anthropic');
    this.name = this.options.name;
    const clientOptions = {
      apiKey: this.options.apiKey,
      ...(this.options.baseURL === undefined ? {} : { baseURL: this.options.baseURL }),
      maxRetries: this.options.maxRetries,
      // The SDKs log unparsable chunks verbatim; model output must not reach logs.
      logLevel: 'off',
      // The call scope owns the deadline; the SDK's own timer only backs it up.
      timeout: this.options.timeoutMs + 1_000,
    } as const;
    this.#client = new Anthropic(clientOptions);
    // Streams read their body per network read, where undici's fetch costs most; see nodeFetch.
    this.#streamClient = new Anthropic({ ...clientOptions, fetch: nodeFetch });
  }

  #scope(options: CallOptions | undefined): CallScope {
    return openCallScope(options?.signal, options?.timeoutMs ?? this.options.timeoutMs, this.options.idleTimeoutMs);
  }

  async complete(request: CompletionRequest, options?: CallOptions): Promise<CompletionResponse> {
    const scope = this.#scope(options);
    try {
      const message = await this.#client.messages.create(toParams(request, this.options.defaultMaxTokens), {
        signal: scope.signal,
      });
      return toResponse(this.name, message, request.structuredOutput?.name);
    } catch (error) {
      throw toProviderError(this.name, error, scope);
    } finally {
      scope.dispose();
    }
  }

  async *stream(request: CompletionRequest, options?: CallOptions): AsyncGenerator<StreamEvent> {
    const scope = this.#scope(options);
    const structured = request.structuredOutput?.name;
    const assembler = new StreamAssembler(this.name);
    // Content-block index → tool-call index (or -1 for the structured-output tool, streamed as text).
    const blocks = new Map<number, number>();
    let meta = { id: '', model: request.model, inputTokens: 0, outputTokens: 0, stopReason: 'other' as StopReason };
    let stopped = false;
    let structuredJson = '';
    let body: AsyncIterator<Uint8Array> | undefined;
    let finished = false;
    try {
      // The SDK sends the request and maps error statuses; the body is parsed here, in this generator's
      // own loop, instead of through the SDK's chain of async iterators (see SseParser).
      const http = await this.#streamClient.messages
        .create({ ...toParams(request, this.options.defaultMaxTokens), stream: true }, { signal: scope.signal })
        .asResponse();
      const source: AsyncIterable<Uint8Array> | null = takeNodeBody(http) ?? http.body;
      if (!source) throw badResponse(this.name, 'stream response without a body');
      body = source[Symbol.asyncIterator]();
      const parser = new SseParser();
      const batch: SseMessage[] = [];
      for (let last = false; !last;) {
        const read = await body.next();
        last = read.done === true;
        if (read.done) parser.end(batch);
        else parser.push(read.value, batch);
        scope.touch();
        for (let i = 0; i < batch.length; i++) {
          const sse = batch[i]!;
          // As the SDK: unnamed events and pings carry nothing; `error` is the vendor failing mid-stream.
          if (sse.event === null || sse.event === 'ping' || !sse.data) continue;
          if (sse.event === 'error')
            throw toProviderError(this.name, { error: JSON.parse(sse.data) as unknown }, scope);
          const event = JSON.parse(sse.data) as Anthropic.Messages.RawMessageStreamEvent;
          switch (event.type) {
            case 'message_start':
              meta = {
                ...meta,
                id: event.message.id,
                model: event.message.model,
                inputTokens: event.message.usage.input_tokens,
                outputTokens: event.message.usage.output_tokens,
              };
              break;
            case 'content_block_start':
              if (event.content_block.type === 'tool_use') {
                if (event.content_block.name === structured) blocks.set(event.index, -1);
                else {
                  const index = assembler.startToolCall(event.content_block.id, event.content_block.name);
                  blocks.set(event.index, index);
                  yield { type: 'tool_call_start', index, id: event.content_block.id, name: event.content_block.name };
                }
              }
              break;
            case 'content_block_delta':
              if (event.delta.type === 'text_delta') {
                assembler.addText(event.delta.text);
                yield { type: 'text', text: event.delta.text };
              } else if (event.delta.type === 'input_json_delta') {
                const index = blocks.get(event.index);
                if (index === undefined) throw badResponse(this.name, 'input_json_delta for an unknown content block');
                if (index === -1) {
                  // Kept apart from prose: the model may still write text blocks beside the forced tool.
                  structuredJson += event.delta.partial_json;
                  yield { type: 'text', text: event.delta.partial_json };
                } else {
                  assembler.addArguments(index, event.delta.partial_json);
                  yield { type: 'tool_call_delta', index, argumentsDelta: event.delta.partial_json };
                }
              }
              break;
            case 'message_delta':
              meta.stopReason = STOP_REASONS[event.delta.stop_reason ?? ''] ?? 'other';
              meta.outputTokens = event.usage.output_tokens;
              if (typeof event.usage.input_tokens === 'number') meta.inputTokens = event.usage.input_tokens;
              break;
            case 'message_stop':
              stopped = true;
              break;
            default:
              break;
          }
        }
        batch.length = 0;
      }
      finished = true;
      if (scope.end !== undefined) throw toProviderError(this.name, undefined, scope);
      // Only `message_stop` proves the stream is complete.
      if (!stopped) throw badResponse(this.name, 'stream ended before message_stop (truncated)');
      const response = assembler.finish({
        id: meta.id,
        model: meta.model,
        stopReason: structured ? 'end' : meta.stopReason,
        usage: { inputTokens: meta.inputTokens, outputTokens: meta.outputTokens },
      });
      if (structured && ![...blocks.values()].includes(-1))
        throw badResponse(this.name, 'structured output missing from the stream');
      yield {
        type: 'done',
        response: structured
          ? { ...response, text: structuredJson, parsed: parseStructured(this.name, structuredJson) }
          : response,
      };
    } catch (error) {
      throw toProviderError(this.name, error, scope);
    } finally {
      // A consumer that stops early, or a stream that failed, must not leave the upstream body open.
      if (!finished) body?.return?.().catch(() => undefined);
      scope.dispose();
    }
  }

  async listModels(options?: CallOptions): Promise<readonly ModelInfo[]> {
    const scope = this.#scope(options);
    try {
      const models: ModelInfo[] = [];
      for await (const m of this.#client.models.list({ limit: 100 }, { signal: scope.signal })) {
        models.push({ id: m.id, provider: this.name, displayName: m.display_name });
      }
      return models;
    } catch (error) {
      throw toProviderError(this.name, error, scope);
    } finally {
      scope.dispose();
    }
  }

  /** Exact count from the vendor's count-tokens endpoint (the model has no public tokenizer). */
  async countTokens(
    request: Pick<CompletionRequest, 'model' | 'messages' | 'tools'>,
    options?: CallOptions,
  ): Promise<number> {
    const scope = this.#scope(options);
    try {
      const { system, messages } = toAnthropicMessages(request.messages);
      const tools = (request.tools ?? []).map((t) => ({
        name: t.name,
        description: t.description,
        input_schema: t.inputSchema as Anthropic.Messages.Tool.InputSchema,
      }));
      const result = await this.#client.messages.countTokens(
        {
          model: request.model,
          messages,
          ...(system === undefined ? {} : { system }),
          ...(tools.length ? { tools } : {}),
        },
        { signal: scope.signal },
      );
      if (typeof result.input_tokens !== 'number')
        throw badResponse(this.name, 'count_tokens answer without input_tokens');
      return result.input_tokens;
    } catch (error) {
      throw toProviderError(this.name, error, scope);
    } finally {
      scope.dispose();
    }
  }
}

/** An Anthropic Messages API provider on the official SDK. */
export function createAnthropicProvider(options: HttpProviderOptions): AnthropicProvider {
  return new AnthropicProvider(options);
}
