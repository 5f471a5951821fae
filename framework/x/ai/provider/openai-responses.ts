import type OpenAI from 'openai';
import { StreamAssembler, parseStructured } from './assembler.ts';
import { badResponse, openCallScope, toProviderError, type CallScope } from './call-scope.ts';
import { AI_PROVIDER_ERROR_CODES, AiProviderError } from './errors.ts';
import { httpStream, type StreamDecoder } from './http-stream.ts';
import { nodeStreamFetch } from './node-fetch.ts';
import { drainOpenAIEvents } from './openai-stream.ts';
import { createOpenAIClient, listOpenAIModels } from './openai.ts';
import { resolveHttpProviderOptions, type HttpProviderOptions, type ResolvedHttpProviderOptions } from './options.ts';
import type { PushableStream } from './push.ts';
import { SseParser, type SseMessage } from './sse-parser.ts';
import { countOpenAITokens } from './tiktoken.ts';
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

type InputItem = OpenAI.Responses.ResponseInputItem;
type CreateParams = OpenAI.Responses.ResponseCreateParamsNonStreaming;
type ResponseBody = OpenAI.Responses.Response;

export interface OpenAIResponsesProviderOptions extends HttpProviderOptions {
  /**
   * Let the vendor keep the response (`store`). Default false: every call sends the whole history, so a
   * stored copy only adds retention of prompts on the vendor's side.
   */
  store?: boolean;
}

function toResponsesInput(messages: readonly Message[]): InputItem[] {
  const input: InputItem[] = [];
  for (const m of messages) {
    if (m.role === 'tool') input.push({ type: 'function_call_output', call_id: m.toolCallId, output: m.content });
    else if (m.role !== 'assistant') input.push({ role: m.role, content: m.content });
    else {
      if (m.content) input.push({ role: 'assistant', content: m.content });
      // A function call is its own input item in this API, not a field of the assistant message.
      for (const c of m.toolCalls ?? [])
        input.push({ type: 'function_call', call_id: c.id, name: c.name, arguments: JSON.stringify(c.arguments) });
    }
  }
  return input;
}

/**
 * A failure reported inside a 200 response (`error` event, `response.failed`) has a vendor code but no HTTP
 * status; the code decides whether another attempt may help.
 */
function eventError(provider: string, code: string | null | undefined): AiProviderError {
  const details = { provider, ...(code ? { upstreamType: code } : {}) };
  if (code === 'rate_limit_exceeded')
    return new AiProviderError(AI_PROVIDER_ERROR_CODES.rateLimited, `${provider}: rate limited`, details);
  if (code && /overloaded/.test(code))
    return new AiProviderError(AI_PROVIDER_ERROR_CODES.overloaded, `${provider}: overloaded`, details);
  if (code === 'vector_store_timeout')
    return new AiProviderError(AI_PROVIDER_ERROR_CODES.timeout, `${provider}: upstream timeout (${code})`, details);
  if (!code || code === 'server_error')
    return new AiProviderError(
      AI_PROVIDER_ERROR_CODES.upstream,
      `${provider}: upstream error (${code ?? 'no code'})`,
      details,
    );
  // Every other documented code (invalid_prompt, image_*, bio_policy, ...) is about the request itself.
  return new AiProviderError(
    AI_PROVIDER_ERROR_CODES.invalidRequest,
    `${provider}: request rejected (${code})`,
    details,
  );
}

function stopReasonOf(provider: string, response: ResponseBody, hasToolCalls: boolean, refused: boolean): StopReason {
  if (response.status === 'failed') throw eventError(provider, response.error?.code);
  if (response.status === 'incomplete') {
    const reason = response.incomplete_details?.reason;
    return reason === 'max_output_tokens' ? 'max_tokens' : reason === 'content_filter' ? 'refusal' : 'other';
  }
  // `queued`, `in_progress` and `cancelled` never end a foreground call that succeeded.
  if (response.status !== undefined && response.status !== 'completed')
    throw badResponse(provider, `response ended with status ${response.status}`);
  return hasToolCalls ? 'tool_calls' : refused ? 'refusal' : 'end';
}

type ResponsesEvent = OpenAI.Responses.ResponseStreamEvent;

/**
 * Turns the bytes of a Responses API stream into provider events, synchronously, with the SDK's rules
 * (`[DONE]` ends it, every event is JSON, a top-level `error` member is a failure) and this adapter's event
 * mapping; `finish` builds the final response from the terminal event.
 */
class ResponsesStreamDecoder implements StreamDecoder {
  readonly #name: string;
  readonly #scope: CallScope;
  readonly #assembler: StreamAssembler;
  readonly #finish: (assembler: StreamAssembler, final: ResponseBody, refused: boolean) => CompletionResponse;
  readonly #parser = new SseParser();
  readonly #batch: SseMessage[] = [];
  // Output index → our tool-call index and whether argument deltas arrived for it.
  readonly #calls = new Map<number, { index: number; streamed: boolean }>();
  #refused = false;
  #final: ResponseBody | undefined;
  #done = false;

  constructor(
    name: string,
    scope: CallScope,
    finish: (assembler: StreamAssembler, final: ResponseBody, refused: boolean) => CompletionResponse,
  ) {
    this.#name = name;
    this.#scope = scope;
    this.#assembler = new StreamAssembler(name);
    this.#finish = finish;
  }

  push(chunk: Uint8Array, out: StreamEvent[]): void {
    this.#parser.push(chunk, this.#batch);
    this.#drain(out);
  }

  end(out: StreamEvent[]): void {
    this.#parser.end(this.#batch);
    this.#drain(out);
    // Without a terminal event the stream was cut short, even if the socket closed cleanly.
    if (!this.#final) throw badResponse(this.#name, 'stream ended without response.completed (truncated)');
    out.push({ type: 'done', response: this.#finish(this.#assembler, this.#final, this.#refused) });
  }

  #drain(out: StreamEvent[]): void {
    this.#done = drainOpenAIEvents<ResponsesEvent>(this.#batch, this.#done, this.#name, this.#scope, (e) =>
      this.#event(e, out),
    );
  }

  #event(event: ResponsesEvent, out: StreamEvent[]): void {
    const assembler = this.#assembler;
    switch (event.type) {
      case 'response.output_text.delta':
        assembler.addText(event.delta);
        out.push({ type: 'text', text: event.delta });
        break;
      case 'response.refusal.delta':
        this.#refused = true;
        assembler.addText(event.delta);
        out.push({ type: 'text', text: event.delta });
        break;
      case 'response.output_item.added':
        if (event.item.type === 'function_call') {
          const index = assembler.startToolCall(event.item.call_id, event.item.name);
          this.#calls.set(event.output_index, { index, streamed: false });
          out.push({ type: 'tool_call_start', index, id: event.item.call_id, name: event.item.name });
        }
        break;
      case 'response.function_call_arguments.delta': {
        const call = this.#calls.get(event.output_index);
        if (!call) throw badResponse(this.#name, 'function call arguments before their output item');
        call.streamed = true;
        assembler.addArguments(call.index, event.delta);
        out.push({ type: 'tool_call_delta', index: call.index, argumentsDelta: event.delta });
        break;
      }
      case 'response.function_call_arguments.done': {
        const call = this.#calls.get(event.output_index);
        if (!call) throw badResponse(this.#name, 'function call arguments before their output item');
        // Arguments may arrive whole, without deltas; callers still see them as one delta.
        if (!call.streamed && event.arguments) {
          call.streamed = true;
          assembler.addArguments(call.index, event.arguments);
          out.push({ type: 'tool_call_delta', index: call.index, argumentsDelta: event.arguments });
        }
        break;
      }
      case 'response.completed':
      case 'response.incomplete':
        this.#final = event.response;
        break;
      case 'response.failed':
        throw eventError(this.#name, event.response.error?.code);
      case 'error':
        throw eventError(this.#name, event.code);
      default:
        // Lifecycle (created, in_progress, *.done, content_part.*) and hosted-tool events: nothing to relay.
        break;
    }
  }
}

/**
 * The OpenAI Responses API (`POST /responses`) on the official SDK. Stateless: the whole history goes in
 * `input` every call (system turns as `system` input messages, tool calls as `function_call` items and their
 * results as `function_call_output`), so any `Provider` can take over a conversation it started.
 */
export class OpenAIResponsesProvider implements Provider {
  readonly name: string;
  readonly options: ResolvedHttpProviderOptions;
  readonly #store: boolean;
  readonly #client: OpenAI;
  readonly #streamClient: OpenAI;

  constructor(options: OpenAIResponsesProviderOptions) {
    this.options = resolveHttpProviderOptions(options, 'openai-responses');
    this.name = this.options.name;
    this.#store = options.store ?? false;
    this.#client = createOpenAIClient(this.options);
    // Streams read their body per network read, where undici's fetch costs most; see nodeStreamFetch.
    this.#streamClient = createOpenAIClient(this.options, nodeStreamFetch);
  }

  #scope(options: CallOptions | undefined): CallScope {
    return openCallScope(options?.signal, options?.timeoutMs ?? this.options.timeoutMs, this.options.idleTimeoutMs);
  }

  #params(request: CompletionRequest): CreateParams {
    // The Responses API has no stop sequences; silently dropping them would change the answer.
    if (request.stopSequences?.length) {
      throw new AiProviderError(
        AI_PROVIDER_ERROR_CODES.invalidRequest,
        `${this.name}: the Responses API does not support stopSequences`,
        { provider: this.name },
      );
    }
    const tools = (request.tools ?? []).map((t) => ({
      type: 'function' as const,
      name: t.name,
      description: t.description,
      parameters: { ...t.inputSchema },
      strict: false,
    }));
    const choice = request.toolChoice;
    const so = request.structuredOutput;
    return {
      model: request.model,
      input: toResponsesInput(request.messages),
      max_output_tokens: request.maxTokens ?? this.options.defaultMaxTokens,
      store: this.#store,
      ...(tools.length ? { tools } : {}),
      ...(choice === undefined || !tools.length
        ? {}
        : { tool_choice: typeof choice === 'object' ? { type: 'function' as const, name: choice.name } : choice }),
      ...(so
        ? { text: { format: { type: 'json_schema' as const, name: so.name, schema: { ...so.schema }, strict: true } } }
        : {}),
      ...(request.temperature === undefined ? {} : { temperature: request.temperature }),
    };
  }

  #finish(
    request: CompletionRequest,
    assembler: StreamAssembler,
    response: ResponseBody,
    refused: boolean,
  ): CompletionResponse {
    const stopReason = stopReasonOf(this.name, response, assembler.toolCalls().length > 0, refused);
    const done = assembler.finish({
      id: response.id,
      model: response.model,
      stopReason,
      usage: { inputTokens: response.usage?.input_tokens ?? 0, outputTokens: response.usage?.output_tokens ?? 0 },
    });
    return request.structuredOutput && stopReason !== 'refusal'
      ? { ...done, parsed: parseStructured(this.name, done.text) }
      : done;
  }

  async complete(request: CompletionRequest, options?: CallOptions): Promise<CompletionResponse> {
    const scope = this.#scope(options);
    try {
      const params = this.#params(request);
      const response = await this.#client.responses.create(params, { signal: scope.signal });
      if (!Array.isArray(response.output)) throw badResponse(this.name, 'response without output');
      const assembler = new StreamAssembler(this.name);
      let refused = false;
      for (const item of response.output) {
        if (item.type === 'message') {
          for (const part of item.content) {
            if (part.type === 'output_text') assembler.addText(part.text);
            else if (part.type === 'refusal') {
              // A refusal is the model's whole answer: callers show it like text, `stopReason` says what it is.
              refused = true;
              assembler.addText(part.refusal);
            }
          }
        } else if (item.type === 'function_call') {
          assembler.addArguments(assembler.startToolCall(item.call_id, item.name), item.arguments);
        }
        // Reasoning items and hosted-tool items carry nothing this contract exposes.
      }
      return this.#finish(request, assembler, response, refused);
    } catch (error) {
      throw toProviderError(this.name, error, scope);
    } finally {
      scope.dispose();
    }
  }

  /**
   * Iterates the stream, or pushes it (`STREAM_PUSH`): the SDK sends the request and maps error statuses
   * (`.asResponse()`); the body is decoded by ResponsesStreamDecoder instead of the SDK's async iterators.
   */
  stream(request: CompletionRequest, options?: CallOptions): AsyncGenerator<StreamEvent> & PushableStream {
    return httpStream(this.name, () => {
      const scope = this.#scope(options);
      return {
        scope,
        decoder: new ResponsesStreamDecoder(this.name, scope, (assembler, final, refused) =>
          this.#finish(request, assembler, final, refused),
        ),
        send: () =>
          this.#streamClient.responses
            .create({ ...this.#params(request), stream: true }, { signal: scope.signal })
            .asResponse(),
      };
    });
  }

  listModels(options?: CallOptions): Promise<readonly ModelInfo[]> {
    return listOpenAIModels(this.#client, this.name, this.#scope(options));
  }

  /** Local count with the model's tiktoken encoding, as for the Chat adapter. */
  async countTokens(request: Pick<CompletionRequest, 'model' | 'messages' | 'tools'>): Promise<number> {
    return countOpenAITokens(request);
  }
}

/** An OpenAI Responses API provider on the official SDK; `baseURL` points it at a proxy or a compatible server. */
export function createOpenAIResponsesProvider(options: OpenAIResponsesProviderOptions): OpenAIResponsesProvider {
  return new OpenAIResponsesProvider(options);
}
