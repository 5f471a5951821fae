/** Stable codes for every failure the scheduler can raise. */
export const SCHEDULER_ERROR_CODES = {
  invalidSchedule: 'SCHEDULER_INVALID_SCHEDULE',
  invalidOptions: 'SCHEDULER_INVALID_OPTIONS',
  duplicateJob: 'SCHEDULER_DUPLICATE_JOB',
  jobNotFound: 'SCHEDULER_JOB_NOT_FOUND',
  unauthorized: 'SCHEDULER_UNAUTHORIZED',
} as const;

export type SchedulerErrorCode = (typeof SCHEDULER_ERROR_CODES)[keyof typeof SCHEDULER_ERROR_CODES];

// A brand rather than `instanceof`, so two copies of the package still recognise each other's errors.
const BRAND = Symbol.for('plumego.x.messaging.scheduler.error');

export class SchedulerError extends Error {
  readonly code: SchedulerErrorCode;
  readonly details: Readonly<Record<string, unknown>>;
  readonly [BRAND] = true;

  constructor(code: SchedulerErrorCode, message: string, details: Record<string, unknown> = {}, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'SchedulerError';
    this.code = code;
    this.details = Object.freeze({ ...details });
  }
}

export function isSchedulerError(value: unknown): value is SchedulerError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
}

export function assertOption(ok: boolean, field: string, rule: string): void {
  if (!ok) throw new SchedulerError(SCHEDULER_ERROR_CODES.invalidOptions, `invalid option ${field}: ${rule}`, { field });
}
