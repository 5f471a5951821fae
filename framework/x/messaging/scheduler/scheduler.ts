import { assertOption, SCHEDULER_ERROR_CODES, SchedulerError } from './errors.ts';
import type { RunLock } from './lock.ts';
import { compileSchedule, type NextRun, type ScheduleSpec } from './schedule.ts';
import { MemoryScheduleStore, type JobState, type ScheduleStore } from './store.ts';

export interface JobRunContext {
  readonly id: string;
  /** The occurrence being run (epoch ms), before jitter; `Date.now()` for a manual trigger. */
  readonly scheduledAt: number;
  readonly trigger: 'schedule' | 'missed' | 'manual';
}

export interface JobDefinition {
  /** Stable id: the key of the persisted state and of the replica lock. */
  readonly id: string;
  readonly schedule: ScheduleSpec;
  readonly handler: (context: JobRunContext) => Promise<void> | void;
  /** While a run is in progress: `skip` the new occurrence (default) or `allow` a parallel run. */
  readonly overlap?: 'skip' | 'allow';
  /** An occurrence missed while the process was down: `skip` it (default) or `run-once` at start. */
  readonly missed?: 'skip' | 'run-once';
  /** Random delay in [0, jitterMs) added to each occurrence, to spread load. Default 0. */
  readonly jitterMs?: number;
}

export interface SchedulerOptions {
  /** Persisted pause flags and run times. Default: in memory (lost on restart). */
  readonly store?: ScheduleStore;
  /** Replica lock: with N processes sharing it, each occurrence runs once. Default none (one process). */
  readonly lock?: RunLock;
  /** How long an occurrence's lock key lives. Default 60 000 ms. */
  readonly lockTtlMs?: number;
  /** Told about handler failures (the schedule goes on). */
  readonly onError?: (error: unknown, context: JobRunContext) => void;
  readonly now?: () => number;
  readonly random?: () => number;
}

export interface JobInfo {
  readonly id: string;
  readonly paused: boolean;
  readonly running: number;
  readonly nextRunAt: number | undefined;
  readonly lastRunAt: number | undefined;
  readonly runs: number;
  readonly skipped: number;
  readonly failures: number;
}

interface Entry {
  readonly def: Required<Pick<JobDefinition, 'overlap' | 'missed' | 'jitterMs'>> & JobDefinition;
  readonly next: NextRun;
  state: JobState;
  timer: ReturnType<typeof setTimeout> | undefined;
  running: number;
  runs: number;
  skipped: number;
  failures: number;
}

const ID = /^[A-Za-z0-9_.:-]{1,128}$/;
// setTimeout's ceiling; longer waits are re-armed in steps.
const MAX_TIMER_MS = 2_147_483_647;

/** Cron, interval and one-shot jobs in this process, with persisted state and an optional replica lock. */
export class Scheduler {
  private readonly jobs = new Map<string, Entry>();
  private readonly store: ScheduleStore;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly lockTtlMs: number;
  private readonly inFlight = new Set<Promise<void>>();
  private started = false;
  private stopped = false;

  constructor(private readonly options: SchedulerOptions = {}) {
    this.store = options.store ?? new MemoryScheduleStore();
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
    this.lockTtlMs = options.lockTtlMs ?? 60_000;
    assertOption(Number.isInteger(this.lockTtlMs) && this.lockTtlMs >= 10, 'lockTtlMs', 'must be an integer >= 10');
  }

  /** Registers a job; bad ids, schedules and options fail here, not at the first run. */
  add(def: JobDefinition): void {
    assertOption(typeof def.id === 'string' && ID.test(def.id), 'id', 'must be 1-128 characters of [A-Za-z0-9_.:-]');
    if (this.jobs.has(def.id))
      throw new SchedulerError(SCHEDULER_ERROR_CODES.duplicateJob, 'a job with this id is already registered', {
        id: def.id,
      });
    assertOption(typeof def.handler === 'function', 'handler', 'must be a function');
    const overlap = def.overlap ?? 'skip';
    const missed = def.missed ?? 'skip';
    const jitterMs = def.jitterMs ?? 0;
    assertOption(overlap === 'skip' || overlap === 'allow', 'overlap', "must be 'skip' or 'allow'");
    assertOption(missed === 'skip' || missed === 'run-once', 'missed', "must be 'skip' or 'run-once'");
    assertOption(Number.isInteger(jitterMs) && jitterMs >= 0, 'jitterMs', 'must be a non-negative integer');
    const entry: Entry = {
      def: { ...def, overlap, missed, jitterMs },
      next: compileSchedule(def.schedule),
      state: { id: def.id, paused: false, lastRunAt: undefined, nextRunAt: undefined },
      timer: undefined,
      running: 0,
      runs: 0,
      skipped: 0,
      failures: 0,
    };
    this.jobs.set(def.id, entry);
    if (this.started) void this.activate(entry);
  }

  /** Loads persisted state, applies each job's missed-run policy and arms the timers. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    await Promise.all([...this.jobs.values()].map((e) => this.activate(e)));
  }

  private async activate(e: Entry): Promise<void> {
    const saved = await this.store.load(e.def.id);
    const now = this.now();
    if (saved !== undefined) e.state = saved;
    if (saved?.nextRunAt !== undefined && saved.nextRunAt <= now && e.def.missed === 'run-once' && !saved.paused) {
      this.launch(e, saved.nextRunAt, 'missed');
    }
    await this.arm(e, e.next(now));
  }

  private async arm(e: Entry, at: number | undefined): Promise<void> {
    if (e.timer !== undefined) clearTimeout(e.timer);
    e.timer = undefined;
    e.state = { ...e.state, nextRunAt: at };
    await this.store.save(e.state);
    if (at === undefined || this.stopped) return;
    this.setTimer(e, at, at + Math.floor(this.random() * e.def.jitterMs));
  }

  private setTimer(e: Entry, scheduledAt: number, fireAt: number): void {
    const wait = Math.max(0, fireAt - this.now());
    e.timer = setTimeout(
      () => {
        if (wait === MAX_TIMER_MS && this.now() < fireAt) {
          this.setTimer(e, scheduledAt, fireAt);
          return;
        }
        void this.fire(e, scheduledAt);
      },
      Math.min(wait, MAX_TIMER_MS),
    );
    e.timer.unref?.();
  }

  private async fire(e: Entry, scheduledAt: number): Promise<void> {
    if (!e.state.paused) this.launch(e, scheduledAt, 'schedule');
    await this.arm(e, e.next(scheduledAt));
  }

  /** Runs one occurrence unless overlap or the replica lock says otherwise. */
  private launch(e: Entry, scheduledAt: number, trigger: JobRunContext['trigger']): void {
    if (e.running > 0 && e.def.overlap === 'skip') {
      e.skipped++;
      return;
    }
    e.running++;
    const run = (async () => {
      const context: JobRunContext = { id: e.def.id, scheduledAt, trigger };
      try {
        if (
          trigger !== 'manual' &&
          this.options.lock !== undefined &&
          !(await this.options.lock.claim(`${e.def.id}:${scheduledAt}`, this.lockTtlMs))
        ) {
          e.skipped++;
          return;
        }
        e.runs++;
        try {
          await e.def.handler(context);
        } catch (error) {
          e.failures++;
          try {
            this.options.onError?.(error, context);
          } catch {
            /* a reporting hook must not stop the schedule */
          }
        }
        e.state = { ...e.state, lastRunAt: scheduledAt };
        await this.store.save(e.state);
      } finally {
        e.running--;
      }
    })();
    this.inFlight.add(run);
    void run.finally(() => this.inFlight.delete(run));
  }

  list(): JobInfo[] {
    return [...this.jobs.values()].map((e) => ({
      id: e.def.id,
      paused: e.state.paused,
      running: e.running,
      nextRunAt: e.state.nextRunAt,
      lastRunAt: e.state.lastRunAt,
      runs: e.runs,
      skipped: e.skipped,
      failures: e.failures,
    }));
  }

  async pause(id: string): Promise<void> {
    const e = this.get(id);
    e.state = { ...e.state, paused: true };
    await this.store.save(e.state);
  }

  async resume(id: string): Promise<void> {
    const e = this.get(id);
    e.state = { ...e.state, paused: false };
    await this.store.save(e.state);
  }

  /** Runs the job now, outside its schedule (overlap policy applies; the replica lock does not). */
  async trigger(id: string): Promise<void> {
    this.launch(this.get(id), this.now(), 'manual');
  }

  /** Disarms every timer and waits up to `timeoutMs` for running handlers. */
  async stop(options: { timeoutMs?: number } = {}): Promise<void> {
    this.stopped = true;
    for (const e of this.jobs.values()) {
      if (e.timer !== undefined) clearTimeout(e.timer);
      e.timer = undefined;
    }
    let deadline: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      Promise.all(this.inFlight),
      new Promise<void>((r) => {
        deadline = setTimeout(r, options.timeoutMs ?? 10_000);
      }),
    ]);
    clearTimeout(deadline);
  }

  private get(id: string): Entry {
    const e = this.jobs.get(id);
    if (e === undefined) throw new SchedulerError(SCHEDULER_ERROR_CODES.jobNotFound, 'no job with this id', { id });
    return e;
  }
}
