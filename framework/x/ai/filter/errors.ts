import { defineErrorFamily } from 'plumego/contract';

/** Stable codes for the filter package. */
export const AI_FILTER_ERROR_CODES = {
  invalidOptions: 'AI_FILTER_INVALID_OPTIONS',
} as const;

export type AiFilterErrorCode = (typeof AI_FILTER_ERROR_CODES)[keyof typeof AI_FILTER_ERROR_CODES];

// A brand rather than `instanceof`, so two copies of the package still recognise each other's errors.
const BRAND = Symbol.for('plumego.x.ai.filter.error');
const family = defineErrorFamily({ name: 'AiFilterError', brand: BRAND, codes: AI_FILTER_ERROR_CODES });

export class AiFilterError extends Error {
  declare readonly code: AiFilterErrorCode;
  readonly [BRAND] = true;

  constructor(code: AiFilterErrorCode, message: string) {
    super(message);
    family.stamp(this, code);
  }
}

export function isAiFilterError(value: unknown): value is AiFilterError {
  return family.is(value);
}
