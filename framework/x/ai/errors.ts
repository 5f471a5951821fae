/** Stable codes for the x/ai family root. */
export const AI_ERROR_CODES = {
  invalidTemplate: 'AI_PROMPT_INVALID_TEMPLATE',
  invalidVariables: 'AI_PROMPT_INVALID_VARIABLES',
} as const;

export type AiErrorCode = (typeof AI_ERROR_CODES)[keyof typeof AI_ERROR_CODES];

// A brand rather than `instanceof`, so two copies of the package still recognise each other's errors.
const BRAND = Symbol.for('plumego.x.ai.error');

export class AiError extends Error {
  readonly code: AiErrorCode;
  readonly details: Readonly<Record<string, unknown>>;
  readonly [BRAND] = true;

  constructor(code: AiErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = 'AiError';
    this.code = code;
    this.details = Object.freeze({ ...details });
  }
}

export function isAiError(value: unknown): value is AiError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
}
