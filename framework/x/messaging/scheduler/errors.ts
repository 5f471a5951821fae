import { defineErrorFamily, getErrorOptions } from 'plumego/contract';

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
const family = defineErrorFamily({ name: 'SchedulerError', brand: BRAND, codes: SCHEDULER_ERROR_CODES });

export class SchedulerError extends Error {
  declare readonly code: SchedulerErrorCode;
  declare readonly details: Readonly<Record<string, unknown>>;
  readonly [BRAND] = true;

  constructor(code: SchedulerErrorCode, message: string, details: Record<string, unknown> = {}, cause?: unknown) {
    super(message, getErrorOptions(cause));
    family.stamp(this, code, details);
  }
}

export function isSchedulerError(value: unknown): value is SchedulerError {
  return family.is(value);
}

export function assertOption(ok: boolean, field: string, rule: string): void {
  if (!ok)
    throw new SchedulerError(SCHEDULER_ERROR_CODES.invalidOptions, `invalid option ${field}: ${rule}`, { field });
}
