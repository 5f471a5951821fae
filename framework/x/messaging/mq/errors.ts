import { defineErrorFamily, getErrorOptions } from 'plumego/contract';

/** Stable codes for every failure a task queue can raise, whatever the backend. */
export const MQ_ERROR_CODES = {
  invalidOptions: 'MQ_INVALID_OPTIONS',
  invalidPayload: 'MQ_INVALID_PAYLOAD',
  jobTimeout: 'MQ_JOB_TIMEOUT',
  closed: 'MQ_CLOSED',
} as const;

export type MqErrorCode = (typeof MQ_ERROR_CODES)[keyof typeof MQ_ERROR_CODES];

// A brand rather than `instanceof`, so two copies of the package still recognise each other's errors.
const BRAND = Symbol.for('plumego.x.messaging.mq.error');
const family = defineErrorFamily({ name: 'MqError', brand: BRAND, codes: MQ_ERROR_CODES });

export class MqError extends Error {
  declare readonly code: MqErrorCode;
  declare readonly details: Readonly<Record<string, unknown>>;
  readonly [BRAND] = true;

  constructor(code: MqErrorCode, message: string, details: Record<string, unknown> = {}, cause?: unknown) {
    super(message, getErrorOptions(cause));
    family.stamp(this, code, details);
  }
}

export function isMqError(value: unknown): value is MqError {
  return family.is(value);
}

/** Throws at factory or enqueue time: bad options are a wiring bug, never retried. */
export function assertOption(ok: boolean, field: string, rule: string): void {
  if (!ok) throw new MqError(MQ_ERROR_CODES.invalidOptions, `invalid option ${field}: ${rule}`, { field });
}
