import { defineErrorFamily } from 'plumego/contract';

/** Stable codes for every failure the SSE layer can surface. */
export const AI_STREAM_ERROR_CODES = {
  clientGone: 'AI_STREAM_CLIENT_GONE',
  resumeGap: 'AI_STREAM_RESUME_GAP',
  notFound: 'AI_STREAM_NOT_FOUND',
  exists: 'AI_STREAM_EXISTS',
  invalidEvent: 'AI_STREAM_INVALID_EVENT',
  invalidOptions: 'AI_STREAM_INVALID_OPTIONS',
} as const;

export type AiStreamErrorCode = (typeof AI_STREAM_ERROR_CODES)[keyof typeof AI_STREAM_ERROR_CODES];

const STATUS: Record<AiStreamErrorCode, number> = {
  AI_STREAM_CLIENT_GONE: 499,
  AI_STREAM_RESUME_GAP: 410,
  AI_STREAM_NOT_FOUND: 404,
  AI_STREAM_EXISTS: 409,
  AI_STREAM_INVALID_EVENT: 500,
  AI_STREAM_INVALID_OPTIONS: 500,
};

// A brand rather than `instanceof`, so two copies of the package still recognise each other's errors.
const BRAND = Symbol.for('plumego.x.ai.streaming.error');
const family = defineErrorFamily({ name: 'AiStreamError', brand: BRAND, codes: AI_STREAM_ERROR_CODES, status: STATUS });

export class AiStreamError extends Error {
  declare readonly code: AiStreamErrorCode;
  declare readonly status: number;
  declare readonly details: Readonly<Record<string, unknown>>;
  readonly [BRAND] = true;

  constructor(code: AiStreamErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(message);
    family.stamp(this, code, details);
  }
}

export function isAiStreamError(value: unknown): value is AiStreamError {
  return family.is(value);
}

export function assertOption(ok: boolean, field: string, rule: string): void {
  if (!ok) throw new AiStreamError(AI_STREAM_ERROR_CODES.invalidOptions, `invalid option ${field}: ${rule}`, { field });
}
