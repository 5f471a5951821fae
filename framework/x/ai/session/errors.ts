import { defineErrorFamily, getErrorOptions } from 'plumego/contract';

/** Stable codes for every failure a session operation can surface. */
export const AI_SESSION_ERROR_CODES = {
  notFound: 'AI_SESSION_NOT_FOUND',
  conflict: 'AI_SESSION_CONFLICT',
  invalidId: 'AI_SESSION_INVALID_ID',
  invalidMessage: 'AI_SESSION_INVALID_MESSAGE',
  budgetExceeded: 'AI_SESSION_BUDGET_EXCEEDED',
  storageFailed: 'AI_SESSION_STORAGE_FAILED',
  summaryFailed: 'AI_SESSION_SUMMARY_FAILED',
  invalidOptions: 'AI_SESSION_INVALID_OPTIONS',
} as const;

export type AiSessionErrorCode = (typeof AI_SESSION_ERROR_CODES)[keyof typeof AI_SESSION_ERROR_CODES];

const STATUS: Record<AiSessionErrorCode, number> = {
  AI_SESSION_NOT_FOUND: 404,
  AI_SESSION_CONFLICT: 409,
  AI_SESSION_INVALID_ID: 400,
  AI_SESSION_INVALID_MESSAGE: 400,
  AI_SESSION_BUDGET_EXCEEDED: 413,
  AI_SESSION_STORAGE_FAILED: 503,
  AI_SESSION_SUMMARY_FAILED: 502,
  AI_SESSION_INVALID_OPTIONS: 500,
};

// A brand rather than `instanceof`, so two copies of the package still recognise each other's errors.
const BRAND = Symbol.for('plumego.x.ai.session.error');
const family = defineErrorFamily({
  name: 'AiSessionError',
  brand: BRAND,
  codes: AI_SESSION_ERROR_CODES,
  status: STATUS,
});

export class AiSessionError extends Error {
  declare readonly code: AiSessionErrorCode;
  declare readonly status: number;
  declare readonly details: Readonly<Record<string, unknown>>;
  readonly [BRAND] = true;

  constructor(code: AiSessionErrorCode, message: string, details: Record<string, unknown> = {}, cause?: unknown) {
    super(message, getErrorOptions(cause));
    family.stamp(this, code, details);
  }
}

export function isAiSessionError(value: unknown): value is AiSessionError {
  return family.is(value);
}

export function assertOption(ok: boolean, field: string, rule: string): void {
  if (!ok)
    throw new AiSessionError(AI_SESSION_ERROR_CODES.invalidOptions, `invalid option ${field}: ${rule}`, { field });
}

/** Wraps a backend failure; the cause stays on the error for logs, the message stays generic. */
export function storageFailed(backend: string, cause: unknown): AiSessionError {
  return new AiSessionError(
    AI_SESSION_ERROR_CODES.storageFailed,
    `${backend} session storage failed`,
    { backend },
    cause,
  );
}
