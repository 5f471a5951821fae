export { LOG_LEVELS, mergeFields } from './logger.ts';
export type { Fields, LogLevel, StructuredLogger } from './logger.ts';
export { createDiscardLogger } from './discard.ts';
export { LoggerOptionsError, createLogger, resolveLoggerOptions } from './create-logger.ts';
export type { LogFormat, LoggerOptions, ResolvedLoggerOptions } from './create-logger.ts';
export { LineSink } from './sink.ts';
export type { LogOutput } from './sink.ts';
export { REDACTED, isSensitiveKey, redactFields } from './redact.ts';
export { formatJsonLine, formatTextLine } from './format.ts';
