import Anthropic from '@anthropic-ai/sdk';
import { AnthropicStreamDecoder, STOP_REASONS } from './anthropic-stream.ts';
import { StreamAssembler } from './assembler.ts';
import { badResponse, openCallScope, toProviderError, type CallScope } from './call-scope.ts';
import { httpStream } from './http-stream.ts';
import { nodeStreamFetch } from './node-fetch.ts';
import { tracingIdle } from './otel-idle.ts';
import type { PushableStream } from './push.ts';
import { resolveHttpProviderOptions, type HttpProviderOptions, type ResolvedHttpProviderOptions } from './options.ts';
import type {
  CallOptions,
  CompletionRequest,
  CompletionResponse,
  Message,
  ModelInfo,
  Provider,
  StreamEvent,
} from './types.ts';

type MessageParam = Anthropic.Messages.MessageParam;
type ContentBlockParam = Anthropic.Messages.ContentBlockParam;
type CreateParams = Anthropic.Messages.MessageCreateParamsNonStreaming;

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
  // The same clients with the SDK's OpenTelemetry off, used while nothing is registered (see tracingIdle).
  readonly #untracedClient: Anthropic;
  readonly #untracedStreamClient: Anthropic;

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
    this.#untracedClient = new Anthropic({ ...clientOptions, openTelemetry: false });
    // Streams read their body per network read, where undici's fetch costs most; see nodeStreamFetch.
    this.#streamClient = new Anthropic({ ...clientOptions, fetch: nodeStreamFetch });
    this.#untracedStreamClient = new Anthropic({ ...clientOptions, fetch: nodeStreamFetch, openTelemetry: false });
  }

  #scope(options: CallOptions | undefined): CallScope {
    return openCallScope(options?.signal, options?.timeoutMs ?? this.options.timeoutMs, this.options.idleTimeoutMs);
  }

  async complete(request: CompletionRequest, options?: CallOptions): Promise<CompletionResponse> {
    const scope = this.#scope(options);
    try {
      const client = tracingIdle() ? this.#untracedClient : this.#client;
      const message = await client.messages.create(toParams(request, this.options.defaultMaxTokens), {
        signal: scope.signal,
      });
      return toResponse(this.name, message, request.structuredOutput?.name);
    } catch (error) {
      throw toProviderError(this.name, error, scope);
    } finally {
      scope.dispose();
    }
  }

  /**
   * Iterates the stream (an async generator), or, through `STREAM_PUSH`, pushes the events of each network
   * read to a sink synchronously — the relay's fast path. One of the two, once.
   */
  stream(request: CompletionRequest, options?: CallOptions): AsyncGenerator<StreamEvent> & PushableStream {
    return httpStream(this.name, () => {
      const scope = this.#scope(options);
      return {
        scope,
        decoder: new AnthropicStreamDecoder(this.name, request.model, request.structuredOutput?.name, scope),
        // The SDK sends the request and maps error statuses; the body is decoded by AnthropicStreamDecoder,
        // instead of through the SDK's chain of async iterators.
        send: () =>
          (tracingIdle() ? this.#untracedStreamClient : this.#streamClient).messages
            .create({ ...toParams(request, this.options.defaultMaxTokens), stream: true }, { signal: scope.signal })
            .asResponse(),
      };
    });
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
