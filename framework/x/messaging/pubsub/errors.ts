import { defineErrorFamily, getErrorOptions } from 'plumego/contract';

/** Stable codes for every failure a broker can raise, whatever the backend. */
export const PUBSUB_ERROR_CODES = {
  invalidSubject: 'PUBSUB_INVALID_SUBJECT',
  payloadTooLarge: 'PUBSUB_PAYLOAD_TOO_LARGE',
  publishFailed: 'PUBSUB_PUBLISH_FAILED',
  bufferFull: 'PUBSUB_BUFFER_FULL',
  closed: 'PUBSUB_CLOSED',
  unsupported: 'PUBSUB_UNSUPPORTED',
  invalidOptions: 'PUBSUB_INVALID_OPTIONS',
} as const;

export type PubSubErrorCode = (typeof PUBSUB_ERROR_CODES)[keyof typeof PUBSUB_ERROR_CODES];

// A brand rather than `instanceof`, so two copies of the package still recognise each other's errors.
const BRAND = Symbol.for('plumego.x.messaging.pubsub.error');
const family = defineErrorFamily({ name: 'PubSubError', brand: BRAND, codes: PUBSUB_ERROR_CODES });

export class PubSubError extends Error {
  declare readonly code: PubSubErrorCode;
  declare readonly details: Readonly<Record<string, unknown>>;
  readonly [BRAND] = true;

  constructor(code: PubSubErrorCode, message: string, details: Record<string, unknown> = {}, cause?: unknown) {
    super(message, getErrorOptions(cause));
    family.stamp(this, code, details);
  }
}

export function isPubSubError(value: unknown): value is PubSubError {
  return family.is(value);
}

/** Throws at factory time, never per call: bad options are a wiring bug. */
export function assertOption(ok: boolean, field: string, rule: string): void {
  if (!ok) throw new PubSubError(PUBSUB_ERROR_CODES.invalidOptions, `invalid option ${field}: ${rule}`, { field });
}

/** Wraps a backend client's failure without copying its message (it may hold a URL with credentials). */
export function toPublishFailed(backend: string, cause: unknown): PubSubError {
  if (isPubSubError(cause)) return cause;
  return new PubSubError(
    PUBSUB_ERROR_CODES.publishFailed,
    `${backend}: the broker did not acknowledge the message; it may or may not have been stored`,
    { backend },
    cause,
  );
}
