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

export class MqError extends Error {
  readonly code: MqErrorCode;
  readonly details: Readonly<Record<string, unknown>>;
  readonly [BRAND] = true;

  constructor(code: MqErrorCode, message: string, details: Record<string, unknown> = {}, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'MqError';
    this.code = code;
    this.details = Object.freeze({ ...details });
  }
}

export function isMqError(value: unknown): value is MqError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
}

/** Throws at factory or enqueue time: bad options are a wiring bug, never retried. */
export function assertOption(ok: boolean, field: string, rule: string): void {
  if (!ok) throw new MqError(MQ_ERROR_CODES.invalidOptions, `invalid option ${field}: ${rule}`, { field });
}
