import { Cron } from 'croner';
import { SCHEDULER_ERROR_CODES, SchedulerError } from './errors.ts';

export type ScheduleSpec =
  { readonly cron: string; readonly timezone?: string } | { readonly everyMs: number } | { readonly at: Date | number };

/** Computes occurrences of a validated spec. */
export type NextRun = (after: number) => number | undefined;

/**
 * Validates a spec and returns its occurrence function. Fixed intervals are aligned to multiples of
 * `everyMs` since the epoch, so every replica computes the same occurrences (and the same lock keys).
 * Cron follows croner: a local time skipped by a DST change runs at the first instant after the gap;
 * a repeated local time runs once.
 */
export function compileSchedule(spec: ScheduleSpec): NextRun {
  if ('cron' in spec) {
    let cron: Cron;
    try {
      cron = new Cron(spec.cron, { ...(spec.timezone === undefined ? {} : { timezone: spec.timezone }), paused: true });
      cron.nextRun();
    } catch (error) {
      throw new SchedulerError(
        SCHEDULER_ERROR_CODES.invalidSchedule,
        'invalid cron expression or time zone',
        {},
        error,
      );
    }
    return (after) => cron.nextRun(new Date(after))?.getTime();
  }
  if ('everyMs' in spec) {
    const every = spec.everyMs;
    if (!Number.isInteger(every) || every < 10)
      throw new SchedulerError(SCHEDULER_ERROR_CODES.invalidSchedule, 'everyMs must be an integer >= 10');
    return (after) => (Math.floor(after / every) + 1) * every;
  }
  if ('at' in spec) {
    const at = spec.at instanceof Date ? spec.at.getTime() : spec.at;
    if (!Number.isFinite(at))
      throw new SchedulerError(SCHEDULER_ERROR_CODES.invalidSchedule, 'at must be a valid Date or epoch ms');
    return (after) => (at > after ? at : undefined);
  }
  throw new SchedulerError(SCHEDULER_ERROR_CODES.invalidSchedule, 'a schedule needs cron, everyMs or at');
}
