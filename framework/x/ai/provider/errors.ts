import { defineErrorFamily, getErrorOptions } from 'plumego/contract';

/** Stable codes for every failure a provider call can surface. */
export const AI_PROVIDER_ERROR_CODES = {
  rateLimited: 'AI_PROVIDER_RATE_LIMITED',
  overloaded: 'AI_PROVIDER_OVERLOADED',
  upstream: 'AI_PROVIDER_UPSTREAM_ERROR',
  badResponse: 'AI_PROVIDER_BAD_RESPONSE',
  timeout: 'AI_PROVIDER_TIMEOUT',
  aborted: 'AI_PROVIDER_ABORTED',
  auth: 'AI_PROVIDER_AUTH_FAILED',
  invalidRequest: 'AI_PROVIDER_INVALID_REQUEST',
  unavailable: 'AI_PROVIDER_UNAVAILABLE',
  invalidOptions: 'AI_PROVIDER_INVALID_OPTIONS',
} as const;

export type AiProviderErrorCode = (typeof AI_PROVIDER_ERROR_CODES)[keyof typeof AI_PROVIDER_ERROR_CODES];

const STATUS: Record<AiProviderErrorCode, number> = {
  AI_PROVIDER_RATE_LIMITED: 429,
  AI_PROVIDER_OVERLOADED: 503,
  AI_PROVIDER_UPSTREAM_ERROR: 502,
  AI_PROVIDER_BAD_RESPONSE: 502,
  AI_PROVIDER_TIMEOUT: 504,
  AI_PROVIDER_ABORTED: 499,
  AI_PROVIDER_AUTH_FAILED: 502,
  AI_PROVIDER_INVALID_REQUEST: 400,
  AI_PROVIDER_UNAVAILABLE: 503,
  AI_PROVIDER_INVALID_OPTIONS: 500,
};

const RETRYABLE = new Set<AiProviderErrorCode>([
  'AI_PROVIDER_RATE_LIMITED',
  'AI_PROVIDER_OVERLOADED',
  'AI_PROVIDER_UPSTREAM_ERROR',
  'AI_PROVIDER_BAD_RESPONSE',
  'AI_PROVIDER_TIMEOUT',
]);

// A brand rather than `instanceof`, so two copies of the package still recognise each other's errors.
const BRAND = Symbol.for('plumego.x.ai.provider.error');
const family = defineErrorFamily({
  name: 'AiProviderError',
  brand: BRAND,
  codes: AI_PROVIDER_ERROR_CODES,
  status: STATUS,
});

export interface AiProviderErrorDetails {
  provider?: string;
  /** Upstream HTTP status, when there was one. */
  upstreamStatus?: number;
  /** Vendor error type, e.g. `overloaded_error` or `rate_limit_exceeded`. */
  upstreamType?: string;
  /** Seconds the vendor asked to wait (from `retry-after`). */
  retryAfterSeconds?: number;
  [key: string]: unknown;
}

export class AiProviderError extends Error {
  declare readonly code: AiProviderErrorCode;
  declare readonly status: number;
  /** True when another attempt (same or another provider) may succeed. */
  readonly retryable: boolean;
  declare readonly details: Readonly<AiProviderErrorDetails>;
  readonly [BRAND] = true;

  constructor(code: AiProviderErrorCode, message: string, details: AiProviderErrorDetails = {}, cause?: unknown) {
    super(message, getErrorOptions(cause));
    family.stamp(this, code, details);
    this.retryable = RETRYABLE.has(code);
  }
}

export function isAiProviderError(value: unknown): value is AiProviderError {
  return family.is(value);
}

/** Throws at factory time, never per call: bad options are a wiring bug. */
export function assertOption(ok: boolean, field: string, rule: string): void {
  if (!ok)
    throw new AiProviderError(AI_PROVIDER_ERROR_CODES.invalidOptions, `invalid option ${field}: ${rule}`, { field });
}
