export { AI_FILTER_ERROR_CODES, AiFilterError, isAiFilterError } from './errors.ts';
export type { AiFilterErrorCode } from './errors.ts';
export { DEFAULT_INJECTION_SIGNALS, detectPromptInjection } from './injection.ts';
export type { InjectionReport, InjectionSignal } from './injection.ts';
export { createRedactor, withRedaction } from './redact.ts';
export type { RedactionResult, Redactor, RedactorOptions } from './redact.ts';
export { DEFAULT_REDACTION_RULES } from './rules.ts';
export type { RedactionRule } from './rules.ts';
