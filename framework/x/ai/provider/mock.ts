import { StreamAssembler } from './assembler.ts';
import { AI_PROVIDER_ERROR_CODES, AiProviderError } from './errors.ts';
import type {
  CallOptions,
  CompletionRequest,
  CompletionResponse,
  ModelInfo,
  Provider,
  StreamEvent,
  ToolCall,
} from './types.ts';

/** One scripted answer of the mock provider. */
export interface MockReply {
  text?: string;
  toolCalls?: readonly ToolCall[];
  /** Thrown instead of answering (after `chunks` already streamed, if given). */
  error?: AiProviderError;
  /** Stream the text in these pieces. Default: one piece per whitespace-separated word. */
  chunks?: readonly string[];
  /** Wait before each streamed chunk (and before answering), in ms; honours the abort signal. Default 0. */
  delayMs?: number;
  parsed?: unknown;
}

export interface MockProviderOptions {
  /** Default `"mock"`. */
  name?: string;
  /** Replies in order (the last one repeats), or a function of the request. */
  replies: readonly MockReply[] | ((request: CompletionRequest, call: number) => MockReply);
  /** Default `["mock-model"]`. */
  models?: readonly string[];
}

function wait(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    // Assigned once, after `aborted` may already have run (a signal aborted before the call): not a const.
    // eslint-disable-next-line prefer-const
    let timer: NodeJS.Timeout | undefined;
    const aborted = (): void => {
      clearTimeout(timer);
      reject(
        new AiProviderError(AI_PROVIDER_ERROR_CODES.aborted, 'mock: call aborted by the caller', { provider: 'mock' }),
      );
    };
    // Checked before the timer exists: a signal that is already aborted rejects at once.
    if (signal?.aborted) return aborted();
    timer = setTimeout(() => {
      signal?.removeEventListener('abort', aborted);
      resolve();
    }, ms);
    signal?.addEventListener('abort', aborted, { once: true });
  });
}

/** A deterministic provider for tests: scripted replies, recorded requests, real abort behaviour. */
export class MockProvider implements Provider {
  readonly name: string;
  /** Every request received, in order. */
  readonly requests: CompletionRequest[] = [];
  readonly #options: MockProviderOptions;

  constructor(options: MockProviderOptions) {
    this.#options = options;
    this.name = options.name ?? 'mock';
  }

  #next(request: CompletionRequest): MockReply {
    this.requests.push(request);
    const { replies } = this.#options;
    if (typeof replies === 'function') return replies(request, this.requests.length - 1);
    const reply = replies[Math.min(this.requests.length - 1, replies.length - 1)];
    if (!reply)
      throw new AiProviderError(AI_PROVIDER_ERROR_CODES.invalidOptions, 'mock: no replies scripted', {
        provider: this.name,
      });
    return reply;
  }

  #response(request: CompletionRequest, reply: MockReply, text: string): CompletionResponse {
    const assembler = new StreamAssembler(this.name);
    assembler.addText(text);
    for (const c of reply.toolCalls ?? [])
      assembler.addArguments(assembler.startToolCall(c.id, c.name), JSON.stringify(c.arguments));
    const response = assembler.finish({
      id: `mock-${this.requests.length}`,
      model: request.model,
      stopReason: reply.toolCalls?.length ? 'tool_calls' : 'end',
      usage: {
        inputTokens: request.messages.reduce((n, m) => n + Math.ceil(m.content.length / 4), 0),
        outputTokens: Math.ceil(text.length / 4),
      },
    });
    return reply.parsed === undefined ? response : { ...response, parsed: reply.parsed };
  }

  async complete(request: CompletionRequest, options?: CallOptions): Promise<CompletionResponse> {
    const reply = this.#next(request);
    await wait(reply.delayMs ?? 0, options?.signal);
    if (reply.error) throw reply.error;
    return this.#response(request, reply, reply.text ?? '');
  }

  async *stream(request: CompletionRequest, options?: CallOptions): AsyncGenerator<StreamEvent> {
    const reply = this.#next(request);
    const chunks = reply.chunks ?? (reply.text ?? '').split(/(?<=\s)/).filter(Boolean);
    for (const chunk of chunks) {
      await wait(reply.delayMs ?? 0, options?.signal);
      yield { type: 'text', text: chunk };
    }
    if (reply.error) throw reply.error;
    for (const [index, call] of (reply.toolCalls ?? []).entries()) {
      yield { type: 'tool_call_start', index, id: call.id, name: call.name };
      yield { type: 'tool_call_delta', index, argumentsDelta: JSON.stringify(call.arguments) };
    }
    yield { type: 'done', response: this.#response(request, reply, chunks.join('')) };
  }

  async listModels(): Promise<readonly ModelInfo[]> {
    return (this.#options.models ?? ['mock-model']).map((id) => ({ id, provider: this.name }));
  }

  /** Four characters per token: the documented rough estimate, exact enough for budget tests. */
  async countTokens(request: Pick<CompletionRequest, 'model' | 'messages' | 'tools'>): Promise<number> {
    return request.messages.reduce((n, m) => n + Math.ceil(m.content.length / 4), 0);
  }
}

export function createMockProvider(options: MockProviderOptions): MockProvider {
  return new MockProvider(options);
}
