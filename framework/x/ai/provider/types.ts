/** One turn of a conversation, in the vendor-neutral shape every provider maps to its wire format. */
export type Message =
  | { role: 'system'; content: string }
  | { role: 'user'; content: string }
  | { role: 'assistant'; content: string; toolCalls?: readonly ToolCall[] }
  | { role: 'tool'; toolCallId: string; content: string; isError?: boolean };

export type Role = Message['role'];

/** A tool the model may call; `inputSchema` is a JSON Schema object. */
export interface ToolDefinition {
  name: string;
  description: string;
  inputSchema: Readonly<Record<string, unknown>>;
}

/** A tool call the model asked for; `arguments` is the parsed JSON object. */
export interface ToolCall {
  id: string;
  name: string;
  arguments: Readonly<Record<string, unknown>>;
}

/** Ask for JSON that follows `schema`; the answer's `parsed` holds it. */
export interface StructuredOutput {
  name: string;
  schema: Readonly<Record<string, unknown>>;
}

export interface CompletionRequest {
  model: string;
  messages: readonly Message[];
  /** Upper bound of generated tokens. Default: the provider's `defaultMaxTokens`. */
  maxTokens?: number;
  temperature?: number;
  tools?: readonly ToolDefinition[];
  /** `auto` (default when tools are given), `none`, `required`, or one tool by name. */
  toolChoice?: 'auto' | 'none' | 'required' | { name: string };
  structuredOutput?: StructuredOutput;
  stopSequences?: readonly string[];
}

export interface Usage {
  inputTokens: number;
  outputTokens: number;
}

export type StopReason = 'end' | 'max_tokens' | 'tool_calls' | 'stop_sequence' | 'refusal' | 'other';

export interface CompletionResponse {
  id: string;
  model: string;
  provider: string;
  text: string;
  toolCalls: readonly ToolCall[];
  stopReason: StopReason;
  usage: Usage;
  /** The structured answer when `structuredOutput` was asked for. */
  parsed?: unknown;
}

/** What a streaming completion yields, in order: deltas, then exactly one `done`. */
export type StreamEvent =
  | { type: 'text'; text: string }
  | { type: 'tool_call_start'; index: number; id: string; name: string }
  | { type: 'tool_call_delta'; index: number; argumentsDelta: string }
  | { type: 'done'; response: CompletionResponse };

export interface ModelInfo {
  id: string;
  provider: string;
  displayName?: string;
}

export interface CallOptions {
  /** Aborts the upstream HTTP request; the call rejects with `AI_PROVIDER_ABORTED`. */
  signal?: AbortSignal;
  /** Whole-call budget in ms; overrides the provider's `timeoutMs`. */
  timeoutMs?: number;
  /** Routing label for a manager with the `by_task` strategy (e.g. `summarize`, `code`); providers ignore it. */
  task?: string;
}

/** The one contract every model vendor adapter implements. */
export interface Provider {
  readonly name: string;
  complete(request: CompletionRequest, options?: CallOptions): Promise<CompletionResponse>;
  stream(request: CompletionRequest, options?: CallOptions): AsyncIterable<StreamEvent>;
  listModels(options?: CallOptions): Promise<readonly ModelInfo[]>;
  countTokens(request: Pick<CompletionRequest, 'model' | 'messages' | 'tools'>, options?: CallOptions): Promise<number>;
}
