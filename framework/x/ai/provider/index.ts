export { AnthropicProvider, createAnthropicProvider } from './anthropic.ts';
export { AI_PROVIDER_ERROR_CODES, AiProviderError, isAiProviderError } from './errors.ts';
export type { AiProviderErrorCode, AiProviderErrorDetails } from './errors.ts';
export { ProviderManager, createProviderManager } from './manager.ts';
export type {
  AttemptRecord,
  Pricing,
  ProviderManagerOptions,
  ProviderRoute,
  ProviderUsage,
  RoutingStrategy,
  TaskTarget,
} from './manager.ts';
export { MockProvider, createMockProvider } from './mock.ts';
export type { MockProviderOptions, MockReply } from './mock.ts';
export { OpenAIResponsesProvider, createOpenAIResponsesProvider } from './openai-responses.ts';
export type { OpenAIResponsesProviderOptions } from './openai-responses.ts';
export { OpenAIProvider, createOpenAIProvider } from './openai.ts';
export type { OpenAIProviderOptions } from './openai.ts';
export { resolveHttpProviderOptions } from './options.ts';
export { STREAM_PUSH, isPushableStream } from './push.ts';
export { textEventJson } from './text-json.ts';
export type { PushableStream, StreamPushControl, StreamSink } from './push.ts';
export type { HttpProviderOptions, ResolvedHttpProviderOptions } from './options.ts';
export type {
  CallOptions,
  CompletionRequest,
  CompletionResponse,
  Message,
  ModelInfo,
  Provider,
  Role,
  StopReason,
  StreamEvent,
  StructuredOutput,
  ToolCall,
  ToolDefinition,
  Usage,
} from './types.ts';
