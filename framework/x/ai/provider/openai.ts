import OpenAI from 'openai';
import { StreamAssembler, parseStructured } from './assembler.ts';
import { badResponse, openCallScope, toProviderError, type CallScope } from './call-scope.ts';
import { assertOption } from './errors.ts';
import { httpStream } from './http-stream.ts';
import { nodeStreamFetch } from './node-fetch.ts';
import { FINISH_REASONS, OpenAIChatStreamDecoder } from './openai-stream.ts';
import { resolveHttpProviderOptions, type HttpProviderOptions, type ResolvedHttpProviderOptions } from './options.ts';
import type { PushableStream } from './push.ts';
import { countOpenAITokens } from './tiktoken.ts';
import type {
  CallOptions,
  CompletionRequest,
  CompletionResponse,
  Message,
  ModelInfo,
  Provider,
  StreamEvent,
} from './types.ts';

type ChatMessage = OpenAI.Chat.Completions.ChatCompletionMessageParam;
type CreateParams = OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming;

export interface OpenAIProviderOptions extends HttpProviderOptions {
  /**
   * Request field for the token limit. Default `max_completion_tokens` (OpenAI); OpenAI-compatible local
   * servers usually want `max_tokens`.
   */
  maxTokensField?: 'max_completion_tokens' | 'max_tokens';
}

function toOpenAIMessages(messages: readonly Message[]): ChatMessage[] {
  return messages.map((m): ChatMessage => {
    if (m.role === 'tool') return { role: 'tool', tool_call_id: m.toolCallId, content: m.content };
    if (m.role !== 'assistant') return { role: m.role, content: m.content };
    const calls = (m.toolCalls ?? []).map((c) => ({
      id: c.id,
      type: 'function' as const,
      function: { name: c.name, arguments: JSON.stringify(c.arguments) },
    }));
    return { role: 'assistant', content: m.content || null, ...(calls.length ? { tool_calls: calls } : {}) };
  });
}

/** The SDK client both OpenAI adapters share: our scope owns timeouts, so the SDK's is only a backstop. */
export function createOpenAIClient(
  options: ResolvedHttpProviderOptions,
  fetch?: (input: string | URL | Request, init?: RequestInit) => Promise<Response>,
): OpenAI {
  return new OpenAI({
    ...(fetch ? { fetch } : {}),
    apiKey: options.apiKey,
    ...(options.baseURL === undefined ? {} : { baseURL: options.baseURL }),
    maxRetries: options.maxRetries,
    // The SDKs log unparsable chunks verbatim; model output must not reach logs.
    logLevel: 'off',
    timeout: options.timeoutMs + 1_000,
  });
}

/** `GET /models` through the SDK's pager, for both OpenAI adapters (Chat and Responses); disposes `scope`. */
export async function listOpenAIModels(
  client: OpenAI,
  provider: string,
  scope: CallScope,
): Promise<readonly ModelInfo[]> {
  try {
    const models: ModelInfo[] = [];
    for await (const m of client.models.list({ signal: scope.signal })) models.push({ id: m.id, provider });
    return models;
  } catch (error) {
    throw toProviderError(provider, error, scope);
  } finally {
    scope.dispose();
  }
}

export class OpenAIProvider implements Provider {
  readonly name: string;
  readonly options: ResolvedHttpProviderOptions;
  readonly #maxTokensField: 'max_completion_tokens' | 'max_tokens';
  readonly #client: OpenAI;
  readonly #streamClient: OpenAI;

  constructor(options: OpenAIProviderOptions) {
    this.options = resolveHttpProviderOptions(options, 'openai');
    this.name = this.options.name;
    this.#maxTokensField = options.maxTokensField ?? 'max_completion_tokens';
    assertOption(
      this.#maxTokensField === 'max_completion_tokens' || this.#maxTokensField === 'max_tokens',
      'maxTokensField',
      'must be max_completion_tokens or max_tokens',
    );
    this.#client = createOpenAIClient(this.options);
    // Streams read their body per network read, where undici's fetch costs most; see nodeStreamFetch.
    this.#streamClient = createOpenAIClient(this.options, nodeStreamFetch);
  }

  #scope(options: CallOptions | undefined): CallScope {
    return openCallScope(options?.signal, options?.timeoutMs ?? this.options.timeoutMs, this.options.idleTimeoutMs);
  }

  #params(request: CompletionRequest): CreateParams {
    const tools = (request.tools ?? []).map((t) => ({
      type: 'function' as const,
      function: { name: t.name, description: t.description, parameters: { ...t.inputSchema } },
    }));
    const choice = request.toolChoice;
    const so = request.structuredOutput;
    return {
      model: request.model,
      messages: toOpenAIMessages(request.messages),
      [this.#maxTokensField]: request.maxTokens ?? this.options.defaultMaxTokens,
      ...(tools.length ? { tools } : {}),
      ...(choice === undefined || !tools.length
        ? {}
        : { tool_choice: typeof choice === 'object' ? { type: 'function', function: { name: choice.name } } : choice }),
      ...(so
        ? {
            response_format: {
              type: 'json_schema',
              json_schema: { name: so.name, schema: { ...so.schema }, strict: true },
            },
          }
        : {}),
      ...(request.temperature === undefined ? {} : { temperature: request.temperature }),
      ...(request.stopSequences?.length ? { stop: [...request.stopSequences] } : {}),
    };
  }

  async complete(request: CompletionRequest, options?: CallOptions): Promise<CompletionResponse> {
    const scope = this.#scope(options);
    try {
      const completion = await this.#client.chat.completions.create(this.#params(request), { signal: scope.signal });
      const choice = completion.choices[0];
      if (!choice) throw badResponse(this.name, 'completion without choices');
      const assembler = new StreamAssembler(this.name);
      assembler.addText(choice.message.content ?? '');
      for (const call of choice.message.tool_calls ?? []) {
        if (call.type !== 'function') continue;
        assembler.addArguments(assembler.startToolCall(call.id, call.function.name), call.function.arguments);
      }
      const response = assembler.finish({
        id: completion.id,
        model: completion.model,
        stopReason: FINISH_REASONS[choice.finish_reason] ?? 'other',
        usage: {
          inputTokens: completion.usage?.prompt_tokens ?? 0,
          outputTokens: completion.usage?.completion_tokens ?? 0,
        },
      });
      return request.structuredOutput ? { ...response, parsed: parseStructured(this.name, response.text) } : response;
    } catch (error) {
      throw toProviderError(this.name, error, scope);
    } finally {
      scope.dispose();
    }
  }

  /**
   * Iterates the stream, or pushes it (`STREAM_PUSH`) as the Anthropic adapter does: the SDK sends the request
   * and maps error statuses (`.asResponse()`, documented as leaving the body to custom parsing); the body is
   * decoded by OpenAIChatStreamDecoder instead of the SDK's async iterators.
   */
  stream(request: CompletionRequest, options?: CallOptions): AsyncGenerator<StreamEvent> & PushableStream {
    return httpStream(this.name, () => {
      const scope = this.#scope(options);
      return {
        scope,
        decoder: new OpenAIChatStreamDecoder(this.name, request.model, request.structuredOutput !== undefined, scope),
        send: () =>
          this.#streamClient.chat.completions
            .create(
              { ...this.#params(request), stream: true, stream_options: { include_usage: true } },
              { signal: scope.signal },
            )
            .asResponse(),
      };
    });
  }

  listModels(options?: CallOptions): Promise<readonly ModelInfo[]> {
    return listOpenAIModels(this.#client, this.name, this.#scope(options));
  }

  /** Local count with the model's tiktoken encoding (OpenAI has no count endpoint for chat). */
  async countTokens(request: Pick<CompletionRequest, 'model' | 'messages' | 'tools'>): Promise<number> {
    return countOpenAITokens(request);
  }
}

/** An OpenAI Chat Completions provider on the official SDK; with `baseURL` it also serves OpenAI-compatible local servers. */
export function createOpenAIProvider(options: OpenAIProviderOptions): OpenAIProvider {
  return new OpenAIProvider(options);
}
