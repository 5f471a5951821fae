import { defineErrorFamily, getErrorOptions } from 'plumego/contract';

/** Stable codes for every failure a webhook can raise, inbound or outbound. */
export const WEBHOOK_ERROR_CODES = {
  missingSecret: 'WEBHOOK_MISSING_SECRET',
  missingSignature: 'WEBHOOK_MISSING_SIGNATURE',
  invalidSignature: 'WEBHOOK_INVALID_SIGNATURE',
  timestampOutOfTolerance: 'WEBHOOK_TIMESTAMP_OUT_OF_TOLERANCE',
  replayed: 'WEBHOOK_REPLAYED',
  invalidOptions: 'WEBHOOK_INVALID_OPTIONS',
  forbiddenTarget: 'WEBHOOK_FORBIDDEN_TARGET',
  deliveryFailed: 'WEBHOOK_DELIVERY_FAILED',
  timeout: 'WEBHOOK_TIMEOUT',
  notFound: 'WEBHOOK_DELIVERY_NOT_FOUND',
  invalidPayload: 'WEBHOOK_INVALID_PAYLOAD',
} as const;

export type WebhookErrorCode = (typeof WEBHOOK_ERROR_CODES)[keyof typeof WEBHOOK_ERROR_CODES];

const STATUS: Record<WebhookErrorCode, number> = {
  WEBHOOK_MISSING_SECRET: 500,
  WEBHOOK_MISSING_SIGNATURE: 401,
  WEBHOOK_INVALID_SIGNATURE: 401,
  WEBHOOK_TIMESTAMP_OUT_OF_TOLERANCE: 401,
  WEBHOOK_REPLAYED: 409,
  WEBHOOK_INVALID_OPTIONS: 500,
  WEBHOOK_FORBIDDEN_TARGET: 400,
  WEBHOOK_DELIVERY_FAILED: 502,
  WEBHOOK_TIMEOUT: 504,
  WEBHOOK_DELIVERY_NOT_FOUND: 404,
  WEBHOOK_INVALID_PAYLOAD: 400,
};

// A brand rather than `instanceof`, so two copies of the package still recognise each other's errors.
const BRAND = Symbol.for('plumego.x.messaging.webhook.error');
const family = defineErrorFamily({ name: 'WebhookError', brand: BRAND, codes: WEBHOOK_ERROR_CODES, status: STATUS });

export class WebhookError extends Error {
  declare readonly code: WebhookErrorCode;
  /** The HTTP status a receiver answers with for this failure. */
  declare readonly status: number;
  declare readonly details: Readonly<Record<string, unknown>>;
  readonly [BRAND] = true;

  constructor(code: WebhookErrorCode, message: string, details: Record<string, unknown> = {}, cause?: unknown) {
    super(message, getErrorOptions(cause));
    family.stamp(this, code, details);
  }
}

export function isWebhookError(value: unknown): value is WebhookError {
  return family.is(value);
}

/** Throws at factory time: a verifier or sender with bad options must never be built. */
export function assertOption(ok: boolean, field: string, rule: string): void {
  if (!ok) throw new WebhookError(WEBHOOK_ERROR_CODES.invalidOptions, `invalid option ${field}: ${rule}`, { field });
}
