import { defineErrorFamily, getErrorOptions } from 'plumego/contract';

/** Stable codes for every failure the messaging service can raise. */
export const MESSAGING_ERROR_CODES = {
  invalidRequest: 'MESSAGING_INVALID_REQUEST',
  invalidOptions: 'MESSAGING_INVALID_OPTIONS',
  templateNotFound: 'MESSAGING_TEMPLATE_NOT_FOUND',
  templateVariableMissing: 'MESSAGING_TEMPLATE_VARIABLE_MISSING',
  quotaExceeded: 'MESSAGING_QUOTA_EXCEEDED',
  rateLimited: 'MESSAGING_RATE_LIMITED',
  channelUnavailable: 'MESSAGING_CHANNEL_UNAVAILABLE',
  providerFailed: 'MESSAGING_PROVIDER_FAILED',
  receiptNotFound: 'MESSAGING_RECEIPT_NOT_FOUND',
  unauthorized: 'MESSAGING_UNAUTHORIZED',
} as const;

export type MessagingErrorCode = (typeof MESSAGING_ERROR_CODES)[keyof typeof MESSAGING_ERROR_CODES];

const STATUS: Record<MessagingErrorCode, number> = {
  MESSAGING_INVALID_REQUEST: 400,
  MESSAGING_INVALID_OPTIONS: 500,
  MESSAGING_TEMPLATE_NOT_FOUND: 400,
  MESSAGING_TEMPLATE_VARIABLE_MISSING: 400,
  MESSAGING_QUOTA_EXCEEDED: 429,
  MESSAGING_RATE_LIMITED: 429,
  MESSAGING_CHANNEL_UNAVAILABLE: 503,
  MESSAGING_PROVIDER_FAILED: 502,
  MESSAGING_RECEIPT_NOT_FOUND: 404,
  MESSAGING_UNAUTHORIZED: 401,
};

// A brand rather than `instanceof`, so two copies of the package still recognise each other's errors.
const BRAND = Symbol.for('plumego.x.messaging.error');
const family = defineErrorFamily({
  name: 'MessagingError',
  brand: BRAND,
  codes: MESSAGING_ERROR_CODES,
  status: STATUS,
});

export class MessagingError extends Error {
  declare readonly code: MessagingErrorCode;
  declare readonly status: number;
  declare readonly details: Readonly<Record<string, unknown>>;
  readonly [BRAND] = true;

  constructor(code: MessagingErrorCode, message: string, details: Record<string, unknown> = {}, cause?: unknown) {
    super(message, getErrorOptions(cause));
    family.stamp(this, code, details);
  }
}

export function isMessagingError(value: unknown): value is MessagingError {
  return family.is(value);
}

export function assertOption(ok: boolean, field: string, rule: string): void {
  if (!ok)
    throw new MessagingError(MESSAGING_ERROR_CODES.invalidOptions, `invalid option ${field}: ${rule}`, { field });
}

export function invalidRequest(field: string, rule: string): MessagingError {
  return new MessagingError(MESSAGING_ERROR_CODES.invalidRequest, `invalid ${field}: ${rule}`, { field });
}
