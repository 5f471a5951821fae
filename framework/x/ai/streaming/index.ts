export { AI_STREAM_ERROR_CODES, AiStreamError, isAiStreamError } from './errors.ts';
export type { AiStreamErrorCode } from './errors.ts';
export { toErrorEvent, toProgressEvent, toSseEvent } from './events.ts';
export { StreamHub, createStreamHub } from './hub.ts';
export type { AttachOutcome, StreamHubOptions } from './hub.ts';
export { relayStream } from './relay.ts';
export type { RelayOptions, RelayResult } from './relay.ts';
export { SseWriter, formatSseEvent } from './sse-writer.ts';
export type { SseEvent, SseWriterOptions } from './sse-writer.ts';
