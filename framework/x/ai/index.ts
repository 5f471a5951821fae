export { AI_ERROR_CODES, AiError, isAiError } from './errors.ts';
export type { AiErrorCode } from './errors.ts';
export { definePrompt } from './prompt-template.ts';
export type { PromptTemplate, PromptVariables, VariableSpec } from './prompt-template.ts';
