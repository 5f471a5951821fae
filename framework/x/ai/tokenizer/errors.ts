import { defineErrorFamily } from 'plumego/contract';

/** Stable codes for the tokenizer package. */
export const AI_TOKENIZER_ERROR_CODES = {
  invalidOptions: 'AI_TOKENIZER_INVALID_OPTIONS',
  unknownToken: 'AI_TOKENIZER_UNKNOWN_TOKEN',
} as const;

export type AiTokenizerErrorCode = (typeof AI_TOKENIZER_ERROR_CODES)[keyof typeof AI_TOKENIZER_ERROR_CODES];

// A brand rather than `instanceof`, so two copies of the package still recognise each other's errors.
const BRAND = Symbol.for('plumego.x.ai.tokenizer.error');
const family = defineErrorFamily({ name: 'AiTokenizerError', brand: BRAND, codes: AI_TOKENIZER_ERROR_CODES });

export class AiTokenizerError extends Error {
  declare readonly code: AiTokenizerErrorCode;
  readonly [BRAND] = true;

  constructor(code: AiTokenizerErrorCode, message: string) {
    super(message);
    family.stamp(this, code);
  }
}

export function isAiTokenizerError(value: unknown): value is AiTokenizerError {
  return family.is(value);
}
