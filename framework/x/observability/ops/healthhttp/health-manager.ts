import type { ComponentChecker, HealthState } from 'plumego/health';
import { assertOption } from './errors.ts';

export interface CheckOptions {
  /** Deadline of one attempt; the checker's signal aborts then. Default 2,000 ms. */
  timeoutMs?: number;
  /** Extra attempts after a failure. Default 0. */
  retries?: number;
  /** Pause between attempts. Default 100 ms. */
  retryDelayMs?: number;
  /** A failing critical component makes the service unhealthy and not ready; a non-critical one only degraded. Default true. */
  critical?: boolean;
}

export interface HealthManagerOptions {
  /** Results kept per component. Default 20. */
  historySize?: number;
  /** A report younger than this is served again instead of re-running every check (bounds load from probe floods). Default 1,000 ms. */
  cacheMs?: number;
  /** Clock, for tests. */
  now?: () => number;
}

/** One component's outcome. `error` is the error's name or code, never its message (which may hold addresses or credentials). */
export interface ComponentResult {
  readonly name: string;
  readonly status: 'healthy' | 'unhealthy';
  readonly critical: boolean;
  readonly attempts: number;
  readonly durationMs: number;
  readonly timestamp: string;
  readonly error?: string;
}

export interface HealthReport {
  readonly status: HealthState;
  readonly ready: boolean;
  readonly timestamp: string;
  readonly components: readonly ComponentResult[];
}

interface Registered {
  readonly checker: ComponentChecker;
  readonly timeoutMs: number;
  readonly retries: number;
  readonly retryDelayMs: number;
  readonly critical: boolean;
  readonly history: ComponentResult[];
}

const NAME = /^[A-Za-z0-9._:-]{1,64}$/;

class CheckTimeout extends Error {
  constructor() {
    super('check timed out');
    this.name = 'CheckTimeout';
  }
}

/**
 * Runs registered component checks concurrently, each attempt under its own deadline, with
 * retries, and keeps a bounded history per component. Concurrent callers share one run, and a
 * report stays valid for `cacheMs`.
 */
export class HealthManager {
  readonly #components = new Map<string, Registered>();
  readonly #historySize: number;
  readonly #cacheMs: number;
  readonly #now: () => number;
  #last: { at: number; report: HealthReport } | undefined;
  #running: Promise<HealthReport> | undefined;

  constructor(options: HealthManagerOptions = {}) {
    this.#historySize = options.historySize ?? 20;
    this.#cacheMs = options.cacheMs ?? 1_000;
    this.#now = options.now ?? Date.now;
    assertOption(Number.isInteger(this.#historySize) && this.#historySize > 0, 'historySize');
    assertOption(Number.isFinite(this.#cacheMs) && this.#cacheMs >= 0, 'cacheMs');
  }

  register(checker: ComponentChecker, options: CheckOptions = {}): this {
    assertOption(NAME.test(checker?.name ?? '') && typeof checker.check === 'function', 'checker');
    assertOption(!this.#components.has(checker.name), 'checker.name');
    const r: Registered = {
      checker,
      timeoutMs: options.timeoutMs ?? 2_000,
      retries: options.retries ?? 0,
      retryDelayMs: options.retryDelayMs ?? 100,
      critical: options.critical ?? true,
      history: [],
    };
    assertOption(Number.isInteger(r.timeoutMs) && r.timeoutMs > 0, 'timeoutMs');
    assertOption(Number.isInteger(r.retries) && r.retries >= 0 && r.retries <= 10, 'retries');
    assertOption(Number.isFinite(r.retryDelayMs) && r.retryDelayMs >= 0, 'retryDelayMs');
    this.#components.set(checker.name, r);
    this.#last = undefined;
    return this;
  }

  get componentNames(): readonly string[] {
    return [...this.#components.keys()];
  }

  has(name: string): boolean {
    return this.#components.has(name);
  }

  /** The aggregate report (fresh, shared with a run in flight, or cached for `cacheMs`). */
  check(): Promise<HealthReport> {
    const last = this.#last;
    if (last !== undefined && this.#now() - last.at < this.#cacheMs) return Promise.resolve(last.report);
    this.#running ??= this.#runAll().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  /** Runs one component's check now (not cached); undefined for an unknown name. */
  async checkComponent(name: string): Promise<ComponentResult | undefined> {
    const r = this.#components.get(name);
    return r === undefined ? undefined : this.#run(r);
  }

  /** Recent results, newest last, for one component or all of them. */
  getHistory(name?: string): Readonly<Record<string, readonly ComponentResult[]>> {
    const out: Record<string, readonly ComponentResult[]> = {};
    for (const [n, r] of this.#components) if (name === undefined || n === name) out[n] = [...r.history];
    return out;
  }

  async #runAll(): Promise<HealthReport> {
    const components = await Promise.all([...this.#components.values()].map((r) => this.#run(r)));
    const failedCritical = components.some((c) => c.status === 'unhealthy' && c.critical);
    const failedOther = components.some((c) => c.status === 'unhealthy');
    const status: HealthState = failedCritical ? 'unhealthy' : failedOther ? 'degraded' : 'healthy';
    const report: HealthReport = {
      status,
      ready: !failedCritical,
      timestamp: new Date(this.#now()).toISOString(),
      components,
    };
    this.#last = { at: this.#now(), report };
    return report;
  }

  async #run(r: Registered): Promise<ComponentResult> {
    const started = performance.now();
    let attempts = 0;
    let error: unknown;
    for (;;) {
      attempts++;
      error = await attempt(r.checker, r.timeoutMs);
      if (error === undefined || attempts > r.retries) break;
      await new Promise((resolve) => setTimeout(resolve, r.retryDelayMs));
    }
    const result: ComponentResult = {
      name: r.checker.name,
      status: error === undefined ? 'healthy' : 'unhealthy',
      critical: r.critical,
      attempts,
      durationMs: Math.round((performance.now() - started) * 100) / 100,
      timestamp: new Date(this.#now()).toISOString(),
      ...(error === undefined ? {} : { error: describe(error) }),
    };
    r.history.push(result);
    if (r.history.length > this.#historySize) r.history.shift();
    return result;
  }
}

/** One attempt under its own deadline; resolves with the failure, or undefined on success. */
async function attempt(checker: ComponentChecker, timeoutMs: number): Promise<unknown> {
  const ac = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const e = new CheckTimeout();
      ac.abort(e);
      reject(e);
    }, timeoutMs);
  });
  try {
    await Promise.race([Promise.resolve().then(() => checker.check(ac.signal)), deadline]);
    return undefined;
  } catch (err) {
    return err ?? new Error('check failed');
  } finally {
    clearTimeout(timer);
  }
}

function describe(err: unknown): string {
  if (typeof err === 'object' && err !== null) {
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string' && /^[A-Za-z0-9_.-]{1,64}$/.test(code)) return code;
    const name = (err as { name?: unknown }).name;
    if (typeof name === 'string' && /^[A-Za-z0-9_.-]{1,64}$/.test(name)) return name;
  }
  return 'Error';
}
