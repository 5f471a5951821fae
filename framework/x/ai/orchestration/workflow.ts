import { AI_ORCHESTRATION_ERROR_CODES, AiOrchestrationError, isAiOrchestrationError } from './errors.ts';

/** Limits of a whole run or of one step; each one left out is unbounded. */
export interface Budget {
  /** Wall-clock time; for a step, all its attempts and backoff together. */
  timeMs?: number;
  /** Tokens charged through `ctx.charge`. */
  tokens?: number;
  /** Money charged through `ctx.charge`, in USD. */
  costUsd?: number;
}

export interface WorkflowUsage {
  tokens: number;
  costUsd: number;
}

export interface RetryPolicy {
  /** Tries in all, the first included. Default 1 (no retry). */
  attempts?: number;
  /** Wait before the second try; doubled (by `factor`) before each next one. Default 100 ms. */
  backoffMs?: number;
  /** Default 2. */
  factor?: number;
  /** Cap of one wait. Default 10 000 ms. */
  maxBackoffMs?: number;
  /**
   * Whether a failure is worth another try. Default: everything except errors that say `retryable: false`
   * (x/ai/provider's errors do, for bad requests and auth failures). Budget, timeout and abort never retry.
   */
  retryOn?: (error: unknown, attempt: number) => boolean;
}

export interface StepContext<I = unknown> {
  readonly input: I;
  /** Outputs of this step's dependencies, by step id (only those: the graph says what a step may read). */
  readonly results: Readonly<Record<string, unknown>>;
  /** Aborted when the run stops (caller abort, a budget, another step's failure) or this step's time is up. */
  readonly signal: AbortSignal;
  /** 1 for the first try. */
  readonly attempt: number;
  /**
   * Records spending (e.g. a model call's tokens and cost). Spending that crosses the step's or the run's
   * budget is still counted — it happened — and throws `AI_ORCHESTRATION_BUDGET_EXCEEDED`, stopping the run.
   */
  charge(usage: Partial<WorkflowUsage>): void;
  /** What is left, the tighter of the step's and the run's budget per resource (absent: unbounded). */
  remaining(): Budget;
}

export interface Step<I = unknown> {
  /** `[A-Za-z0-9_-]{1,64}`, unique in the workflow. */
  id: string;
  dependsOn?: readonly string[];
  run(context: StepContext<I>): unknown;
  retry?: RetryPolicy;
  budget?: Budget;
}

export interface RunOptions {
  signal?: AbortSignal;
  budget?: Budget;
  /** Steps running at once. Default 4. */
  concurrency?: number;
  /** Backoff wait, for tests. Default a timer that stops early on abort. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Clock for durations and `remaining()`, for tests. Default `Date.now`. */
  now?: () => number;
}

export type StepStatus = 'pending' | 'running' | 'succeeded' | 'failed' | 'cancelled';

export interface StepReport {
  status: StepStatus;
  attempts: number;
  usage: WorkflowUsage;
  durationMs?: number;
  /** Code (when typed) and message of the failure that ended this step. */
  error?: { code?: string; message: string };
}

export interface RunReport {
  outputs: Record<string, unknown>;
  steps: Record<string, StepReport>;
  usage: WorkflowUsage;
  durationMs: number;
}

const ID = /^[A-Za-z0-9_-]{1,64}$/;
const DEFAULT_RETRY = { attempts: 1, backoffMs: 100, factor: 2, maxBackoffMs: 10_000 } as const;
const DEFAULT_CONCURRENCY = 4;
const MAX_ATTEMPTS = 100;

function invalid(message: string, details: Record<string, unknown> = {}): AiOrchestrationError {
  return new AiOrchestrationError(AI_ORCHESTRATION_ERROR_CODES.invalidWorkflow, message, details);
}

function assertBudget(budget: Budget | undefined, where: string): void {
  if (budget === undefined) return;
  for (const key of ['timeMs', 'tokens', 'costUsd'] as const) {
    const v = budget[key];
    if (v !== undefined && !(typeof v === 'number' && Number.isFinite(v) && v > 0))
      throw invalid(`${where}: budget.${key} must be a positive number`);
  }
}

function assertRetry(retry: RetryPolicy | undefined, where: string): void {
  if (retry === undefined) return;
  const { attempts, backoffMs, factor, maxBackoffMs, retryOn } = retry;
  if (attempts !== undefined && !(Number.isInteger(attempts) && attempts >= 1 && attempts <= MAX_ATTEMPTS))
    throw invalid(`${where}: retry.attempts must be an integer from 1 to ${MAX_ATTEMPTS}`);
  if (backoffMs !== undefined && !(Number.isFinite(backoffMs) && backoffMs >= 0))
    throw invalid(`${where}: retry.backoffMs must be >= 0`);
  if (factor !== undefined && !(Number.isFinite(factor) && factor >= 1))
    throw invalid(`${where}: retry.factor must be >= 1`);
  if (maxBackoffMs !== undefined && !(Number.isFinite(maxBackoffMs) && maxBackoffMs >= 0))
    throw invalid(`${where}: retry.maxBackoffMs must be >= 0`);
  if (retryOn !== undefined && typeof retryOn !== 'function')
    throw invalid(`${where}: retry.retryOn must be a function`);
}

/** Steps in an order where each comes after its dependencies; a cycle is named, step by step. */
function topologicalOrder(steps: readonly Step<never>[]): string[] {
  const byId = new Map(steps.map((s) => [s.id, s]));
  const order: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (id: string, path: string[]): void => {
    if (state.get(id) === 'done') return;
    if (state.get(id) === 'visiting') {
      const cycle = [...path.slice(path.indexOf(id)), id];
      throw invalid(`dependency cycle: ${cycle.join(' -> ')}`, { cycle });
    }
    state.set(id, 'visiting');
    for (const dep of byId.get(id)!.dependsOn ?? []) visit(dep, [...path, id]);
    state.set(id, 'done');
    order.push(id);
  };
  for (const s of steps) visit(s.id, []);
  return order;
}

function defaultRetryOn(error: unknown): boolean {
  return !(typeof error === 'object' && error !== null && (error as { retryable?: unknown }).retryable === false);
}

function defaultSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

function describeError(error: unknown): { code?: string; message: string } {
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  return typeof code === 'string' ? { code, message } : { message };
}

/**
 * A small step graph: steps start as soon as their dependencies succeeded (up to `concurrency` at once),
 * retry with exponential backoff, and share a run budget of time, tokens and cost; each step may have its
 * own budget too. The first failure stops the run: running steps see their signal aborted, nothing new starts,
 * and `run` rejects at once with a typed error whose `details.report` tells what ran.
 */
export class Workflow<I = unknown> {
  /** Step ids, each after its dependencies. */
  readonly order: readonly string[];
  readonly #steps: ReadonlyMap<string, Step<I>>;

  constructor(steps: readonly Step<I>[]) {
    if (!Array.isArray(steps) || steps.length === 0) throw invalid('a workflow needs at least one step');
    const ids = new Set<string>();
    for (const s of steps) {
      if (typeof s?.id !== 'string' || !ID.test(s.id))
        throw invalid('step id must match [A-Za-z0-9_-]{1,64}', { step: String(s?.id).slice(0, 64) });
      if (ids.has(s.id)) throw invalid(`duplicate step ${s.id}`, { step: s.id });
      if (typeof s.run !== 'function') throw invalid(`step ${s.id}: run must be a function`, { step: s.id });
      assertBudget(s.budget, `step ${s.id}`);
      assertRetry(s.retry, `step ${s.id}`);
      ids.add(s.id);
    }
    for (const s of steps) {
      for (const dep of s.dependsOn ?? []) {
        if (!ids.has(dep))
          throw invalid(`step ${s.id} depends on unknown step ${String(dep).slice(0, 64)}`, {
            step: s.id,
            dependency: String(dep).slice(0, 64),
          });
      }
    }
    this.order = topologicalOrder(steps as readonly Step<never>[]);
    this.#steps = new Map(steps.map((s) => [s.id, s]));
  }

  /** Resolves with the report once every step succeeded; rejects with the first failure (bad options included). */
  async run(input: I, options: RunOptions = {}): Promise<RunReport> {
    assertBudget(options.budget, 'run');
    const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
    if (!Number.isInteger(concurrency) || concurrency < 1) throw invalid('run: concurrency must be a positive integer');
    return new Run(this.#steps, this.order, input, options, concurrency).start();
  }
}

/** One execution: the mutable state `Workflow.run` must not share between calls. */
class Run<I> {
  readonly #controller = new AbortController();
  readonly #reports = new Map<string, StepReport>();
  readonly #outputs: Record<string, unknown> = {};
  readonly #usage: WorkflowUsage = { tokens: 0, costUsd: 0 };
  readonly #running = new Set<string>();
  readonly #now: () => number;
  readonly #sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  readonly #started: number;
  readonly #deadline: number | undefined;
  #failure: AiOrchestrationError | undefined;
  #settle: { resolve(report: RunReport): void; reject(error: unknown): void } | undefined;
  #cleanup: (() => void)[] = [];

  constructor(
    readonly steps: ReadonlyMap<string, Step<I>>,
    readonly order: readonly string[],
    readonly input: I,
    readonly options: RunOptions,
    readonly concurrency: number,
  ) {
    this.#now = options.now ?? Date.now;
    this.#sleep = options.sleep ?? defaultSleep;
    this.#started = this.#now();
    this.#deadline = options.budget?.timeMs === undefined ? undefined : this.#started + options.budget.timeMs;
    for (const id of order) this.#reports.set(id, { status: 'pending', attempts: 0, usage: { tokens: 0, costUsd: 0 } });
  }

  start(): Promise<RunReport> {
    return new Promise<RunReport>((resolve, reject) => {
      this.#settle = { resolve, reject };
      const { signal, budget } = this.options;
      if (signal) {
        const onAbort = () =>
          this.#fail(
            new AiOrchestrationError(AI_ORCHESTRATION_ERROR_CODES.aborted, 'the run was aborted by the caller'),
          );
        if (signal.aborted) return onAbort();
        signal.addEventListener('abort', onAbort, { once: true });
        this.#cleanup.push(() => signal.removeEventListener('abort', onAbort));
      }
      if (budget?.timeMs !== undefined) {
        const limitMs = budget.timeMs;
        const timer = setTimeout(
          () =>
            this.#fail(
              new AiOrchestrationError(AI_ORCHESTRATION_ERROR_CODES.timeout, `the run took longer than ${limitMs} ms`, {
                scope: 'run',
                limitMs,
              }),
            ),
          limitMs,
        );
        this.#cleanup.push(() => clearTimeout(timer));
      }
      this.#schedule();
    });
  }

  #report(): RunReport {
    return {
      outputs: { ...this.#outputs },
      steps: Object.fromEntries([...this.#reports].map(([id, r]) => [id, { ...r, usage: { ...r.usage } }])),
      usage: { ...this.#usage },
      durationMs: this.#now() - this.#started,
    };
  }

  #finish(): void {
    for (const c of this.#cleanup.splice(0)) c();
    const settle = this.#settle!;
    if (this.#failure === undefined) return settle.resolve(this.#report());
    const report = this.#report();
    const f = this.#failure;
    settle.reject(new AiOrchestrationError(f.code, f.message, { ...f.details, report }, f.cause));
  }

  /** The first failure wins: it aborts every running step and settles the run now. */
  #fail(error: AiOrchestrationError): void {
    if (this.#failure !== undefined || this.#settle === undefined) return;
    this.#failure = error;
    for (const id of this.#running) this.#reports.get(id)!.status = 'cancelled';
    this.#controller.abort(error);
    this.#finish();
  }

  #schedule(): void {
    if (this.#failure !== undefined) return;
    for (const id of this.order) {
      if (this.#running.size >= this.concurrency) break;
      const report = this.#reports.get(id)!;
      if (report.status !== 'pending') continue;
      const deps = this.steps.get(id)!.dependsOn ?? [];
      if (deps.every((d) => this.#reports.get(d)!.status === 'succeeded')) this.#start(id, report);
    }
    if (this.#running.size === 0 && [...this.#reports.values()].every((r) => r.status === 'succeeded')) this.#finish();
  }

  #start(id: string, report: StepReport): void {
    this.#running.add(id);
    report.status = 'running';
    const began = this.#now();
    this.#runStep(this.steps.get(id)!, report).then(
      (output) => {
        if (this.#failure !== undefined) return;
        this.#running.delete(id);
        this.#outputs[id] = output;
        report.status = 'succeeded';
        report.durationMs = this.#now() - began;
        this.#schedule();
      },
      (error: unknown) => {
        if (this.#failure !== undefined) return;
        this.#running.delete(id);
        report.status = 'failed';
        report.durationMs = this.#now() - began;
        const typed = isAiOrchestrationError(error)
          ? error
          : new AiOrchestrationError(AI_ORCHESTRATION_ERROR_CODES.stepFailed, `step ${id} failed`, { step: id }, error);
        report.error = describeError(typed);
        this.#fail(typed);
      },
    );
  }

  async #runStep(step: Step<I>, report: StepReport): Promise<unknown> {
    const controller = new AbortController();
    const runSignal = this.#controller.signal;
    const onRunAbort = () => controller.abort(runSignal.reason);
    runSignal.addEventListener('abort', onRunAbort, { once: true });
    const stepBudget = step.budget ?? {};
    const stepDeadline = stepBudget.timeMs === undefined ? undefined : this.#now() + stepBudget.timeMs;
    let timer: NodeJS.Timeout | undefined;
    // A step that ignores its signal keeps running, but the run stops waiting for it.
    const stopped = new Promise<never>((_, reject) => {
      controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true });
      if (stepBudget.timeMs !== undefined) {
        const limitMs = stepBudget.timeMs;
        timer = setTimeout(
          () =>
            controller.abort(
              new AiOrchestrationError(
                AI_ORCHESTRATION_ERROR_CODES.timeout,
                `step ${step.id} took longer than ${limitMs} ms`,
                { scope: 'step', step: step.id, limitMs },
              ),
            ),
          limitMs,
        );
      }
    });
    stopped.catch(() => undefined);
    const retry = { ...DEFAULT_RETRY, ...step.retry };
    const retryOn = step.retry?.retryOn ?? defaultRetryOn;
    const results = Object.fromEntries((step.dependsOn ?? []).map((d) => [d, this.#outputs[d]]));
    try {
      for (let attempt = 1; ; attempt++) {
        report.attempts = attempt;
        const context: StepContext<I> = {
          input: this.input,
          results,
          signal: controller.signal,
          attempt,
          charge: (usage) => this.#charge(step, report, controller, usage),
          remaining: () => this.#remaining(stepBudget, report, stepDeadline),
        };
        try {
          return await Promise.race([Promise.resolve().then(() => step.run(context)), stopped]);
        } catch (error) {
          if (controller.signal.aborted) throw controller.signal.reason;
          if (isAiOrchestrationError(error)) throw error;
          if (attempt >= retry.attempts || !retryOn(error, attempt)) {
            throw new AiOrchestrationError(
              AI_ORCHESTRATION_ERROR_CODES.stepFailed,
              `step ${step.id} failed after ${attempt} attempt${attempt === 1 ? '' : 's'}`,
              { step: step.id, attempts: attempt },
              error,
            );
          }
          const wait = Math.min(retry.maxBackoffMs, retry.backoffMs * retry.factor ** (attempt - 1));
          await Promise.race([this.#sleep(wait, controller.signal), stopped]);
        }
      }
    } finally {
      clearTimeout(timer);
      runSignal.removeEventListener('abort', onRunAbort);
    }
  }

  #charge(step: Step<I>, report: StepReport, controller: AbortController, usage: Partial<WorkflowUsage>): void {
    const tokens = usage?.tokens ?? 0;
    const costUsd = usage?.costUsd ?? 0;
    if (!(Number.isFinite(tokens) && tokens >= 0 && Number.isFinite(costUsd) && costUsd >= 0)) {
      throw invalid(`step ${step.id}: charge takes non-negative finite numbers`, { step: step.id });
    }
    report.usage.tokens += tokens;
    report.usage.costUsd += costUsd;
    this.#usage.tokens += tokens;
    this.#usage.costUsd += costUsd;
    const over = (
      scope: 'step' | 'run',
      budget: Budget | undefined,
      used: WorkflowUsage,
    ): AiOrchestrationError | undefined => {
      for (const resource of ['tokens', 'costUsd'] as const) {
        const limit = budget?.[resource];
        if (limit !== undefined && used[resource] > limit) {
          const what = scope === 'step' ? `step ${step.id}` : 'the run';
          return new AiOrchestrationError(
            AI_ORCHESTRATION_ERROR_CODES.budgetExceeded,
            `${what} spent ${used[resource]} ${resource === 'tokens' ? 'tokens' : 'USD'} (budget ${limit})`,
            { scope, step: step.id, resource, limit, used: used[resource] },
          );
        }
      }
      return undefined;
    };
    const error = over('step', step.budget, report.usage) ?? over('run', this.options.budget, this.#usage);
    if (error === undefined) return;
    controller.abort(error);
    throw error;
  }

  #remaining(stepBudget: Budget, report: StepReport, stepDeadline: number | undefined): Budget {
    const run = this.options.budget ?? {};
    const least = (a: number | undefined, b: number | undefined) =>
      a === undefined ? b : b === undefined ? a : Math.min(a, b);
    const left: Budget = {};
    const now = this.#now();
    const timeMs = least(
      stepDeadline === undefined ? undefined : stepDeadline - now,
      this.#deadline === undefined ? undefined : this.#deadline - now,
    );
    const tokens = least(
      stepBudget.tokens === undefined ? undefined : stepBudget.tokens - report.usage.tokens,
      run.tokens === undefined ? undefined : run.tokens - this.#usage.tokens,
    );
    const costUsd = least(
      stepBudget.costUsd === undefined ? undefined : stepBudget.costUsd - report.usage.costUsd,
      run.costUsd === undefined ? undefined : run.costUsd - this.#usage.costUsd,
    );
    if (timeMs !== undefined) left.timeMs = Math.max(0, timeMs);
    if (tokens !== undefined) left.tokens = Math.max(0, tokens);
    if (costUsd !== undefined) left.costUsd = Math.max(0, costUsd);
    return left;
  }
}

export function defineWorkflow<I = unknown>(steps: readonly Step<I>[]): Workflow<I> {
  return new Workflow(steps);
}
