import { defineErrorFamily } from 'plumego/contract';

/** Stable codes for the x/ai family root. */
export const AI_ERROR_CODES = {
  invalidTemplate: 'AI_PROMPT_INVALID_TEMPLATE',
  invalidVariables: 'AI_PROMPT_INVALID_VARIABLES',
} as const;

export type AiErrorCode = (typeof AI_ERROR_CODES)[keyof typeof AI_ERROR_CODES];

// A brand rather than `instanceof`, so two copies of the package still recognise each other's errors.
const BRAND = Symbol.for('plumego.x.ai.error');
const family = defineErrorFamily({ name: 'AiError', brand: BRAND, codes: AI_ERROR_CODES });

export class AiError extends Error {
  declare readonly code: AiErrorCode;
  declare readonly details: Readonly<Record<string, unknown>>;
  readonly [BRAND] = true;

  constructor(code: AiErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(message);
    family.stamp(this, code, details);
  }
}

export function isAiError(value: unknown): value is AiError {
  return family.is(value);
}
