import { RESILIENCE_ERROR_CODES, ResilienceError, assertOption } from './errors.ts';

export type CircuitState = 'closed' | 'open' | 'half_open';

/** Counts for the current generation; they reset on every state change (and every `intervalMs` while closed). */
export interface CircuitCounts {
  requests: number;
  totalSuccesses: number;
  totalFailures: number;
  consecutiveSuccesses: number;
  consecutiveFailures: number;
}

export interface CircuitBreakerOptions {
  /** Name used in error details and stats. Default `"default"`. */
  name?: string;
  /** Consecutive failures in the closed state that trip the breaker. Default 5. Ignored when `readyToTrip` is set. */
  failureThreshold?: number;
  /** Custom trip rule, evaluated after each failure in the closed state. Default: consecutive failures ≥ `failureThreshold`. */
  readyToTrip?: (counts: Readonly<CircuitCounts>) => boolean;
  /** How long the breaker stays open before letting probes through. Default 30 000 ms. */
  openTimeoutMs?: number;
  /** Probe calls admitted while half-open; more are rejected. Default 1. */
  halfOpenMaxRequests?: number;
  /** Consecutive probe successes that close the breaker. Default `halfOpenMaxRequests`. */
  successThreshold?: number;
  /** Clear the closed-state counts this often so old failures age out. Default 0 (never). */
  intervalMs?: number;
  /** Decides whether an error counts against the circuit. Default: every error does. */
  isFailure?: (error: unknown) => boolean;
  /** Called on every transition. Default none. */
  onStateChange?: (from: CircuitState, to: CircuitState) => void;
  /** Clock in epoch ms; injectable so tests never sleep. Default `Date.now`. */
  now?: () => number;
}

export interface ResolvedCircuitBreakerOptions {
  name: string;
  readyToTrip: (counts: Readonly<CircuitCounts>) => boolean;
  openTimeoutMs: number;
  halfOpenMaxRequests: number;
  successThreshold: number;
  intervalMs: number;
  isFailure: (error: unknown) => boolean;
  onStateChange: ((from: CircuitState, to: CircuitState) => void) | undefined;
  now: () => number;
}

const DEFAULT_CIRCUIT_BREAKER = {
  name: 'default',
  failureThreshold: 5,
  openTimeoutMs: 30_000,
  halfOpenMaxRequests: 1,
  intervalMs: 0,
} as const;

export function resolveCircuitBreakerOptions(options: CircuitBreakerOptions = {}): ResolvedCircuitBreakerOptions {
  const failureThreshold = options.failureThreshold ?? DEFAULT_CIRCUIT_BREAKER.failureThreshold;
  const halfOpenMaxRequests = options.halfOpenMaxRequests ?? DEFAULT_CIRCUIT_BREAKER.halfOpenMaxRequests;
  const successThreshold = options.successThreshold ?? halfOpenMaxRequests;
  const openTimeoutMs = options.openTimeoutMs ?? DEFAULT_CIRCUIT_BREAKER.openTimeoutMs;
  const intervalMs = options.intervalMs ?? DEFAULT_CIRCUIT_BREAKER.intervalMs;
  assertOption(Number.isInteger(failureThreshold) && failureThreshold >= 1, 'failureThreshold', 'an integer ≥ 1');
  assertOption(
    Number.isInteger(halfOpenMaxRequests) && halfOpenMaxRequests >= 1,
    'halfOpenMaxRequests',
    'an integer ≥ 1',
  );
  assertOption(
    Number.isInteger(successThreshold) && successThreshold >= 1 && successThreshold <= halfOpenMaxRequests,
    'successThreshold',
    'an integer between 1 and halfOpenMaxRequests',
  );
  assertOption(Number.isFinite(openTimeoutMs) && openTimeoutMs > 0, 'openTimeoutMs', 'a positive number');
  assertOption(Number.isFinite(intervalMs) && intervalMs >= 0, 'intervalMs', 'a non-negative number');
  return {
    name: options.name ?? DEFAULT_CIRCUIT_BREAKER.name,
    readyToTrip: options.readyToTrip ?? ((c) => c.consecutiveFailures >= failureThreshold),
    openTimeoutMs,
    halfOpenMaxRequests,
    successThreshold,
    intervalMs,
    isFailure: options.isFailure ?? (() => true),
    onStateChange: options.onStateChange,
    now: options.now ?? Date.now,
  };
}

export interface CircuitBreakerStats {
  name: string;
  state: CircuitState;
  counts: CircuitCounts;
  /** Calls refused because the circuit was open or the half-open probe budget was spent. */
  rejected: number;
  /** When an open circuit admits probes again (epoch ms); undefined unless open. */
  retryAt: number | undefined;
}

/** A permit for one admitted call; report exactly one outcome on it. */
export interface CircuitPermit {
  success(): void;
  failure(error?: unknown): void;
}

function emptyCounts(): CircuitCounts {
  return { requests: 0, totalSuccesses: 0, totalFailures: 0, consecutiveSuccesses: 0, consecutiveFailures: 0 };
}

/**
 * A three-state breaker in the gobreaker tradition, hand-written because the contract needs what cockatiel's
 * `CircuitBreakerPolicy` does not expose: readable counts, a half-open probe budget above one, a manual trip,
 * and an injectable clock. Outcomes of calls admitted in an older generation are ignored, so a slow call that
 * started before a trip cannot close a circuit that has since opened.
 */
export class CircuitBreaker {
  readonly options: ResolvedCircuitBreakerOptions;
  #state: CircuitState = 'closed';
  #counts = emptyCounts();
  #generation = 0;
  #openedAt = 0;
  #intervalStart: number;
  #rejected = 0;

  constructor(options: CircuitBreakerOptions = {}) {
    this.options = resolveCircuitBreakerOptions(options);
    this.#intervalStart = this.options.now();
  }

  get state(): CircuitState {
    this.#advance();
    return this.#state;
  }

  get counts(): CircuitCounts {
    this.#advance();
    return { ...this.#counts };
  }

  stats(): CircuitBreakerStats {
    const state = this.state;
    return {
      name: this.options.name,
      state,
      counts: { ...this.#counts },
      rejected: this.#rejected,
      retryAt: state === 'open' ? this.#openedAt + this.options.openTimeoutMs : undefined,
    };
  }

  /** Admits a call or throws `CIRCUIT_OPEN`; for callers (like HTTP middleware) that judge the outcome themselves. */
  acquire(): CircuitPermit {
    this.#advance();
    if (
      this.#state === 'open' ||
      (this.#state === 'half_open' && this.#counts.requests >= this.options.halfOpenMaxRequests)
    ) {
      this.#rejected += 1;
      throw new ResilienceError(RESILIENCE_ERROR_CODES.circuitOpen, 'circuit breaker is open', {
        breaker: this.options.name,
        state: this.#state,
        retry_after_ms:
          this.#state === 'open' ? Math.max(0, this.#openedAt + this.options.openTimeoutMs - this.options.now()) : 0,
      });
    }
    this.#counts.requests += 1;
    return new Permit(this.#report, this.options.isFailure, this.#generation);
  }

  /** Runs `fn` through the breaker; errors from `fn` are rethrown unchanged after being counted. */
  async execute<T>(fn: () => T | PromiseLike<T>): Promise<T> {
    const permit = this.acquire();
    try {
      const value = await fn();
      permit.success();
      return value;
    } catch (error) {
      permit.failure(error);
      throw error;
    }
  }

  /** Forces the circuit open, e.g. from an operator endpoint. */
  trip(): void {
    this.#advance();
    this.#transition('open');
  }

  /** Forces the circuit closed with fresh counts. */
  reset(): void {
    this.#advance();
    this.#transition('closed');
  }

  // Made once per breaker and handed to every permit, so a permit carries no closure of its own.
  readonly #report = (generation: number, ok: boolean): void => this.#onOutcome(generation, ok);

  #onOutcome(generation: number, ok: boolean): void {
    this.#advance();
    if (generation !== this.#generation) return;
    const c = this.#counts;
    if (ok) {
      c.totalSuccesses += 1;
      c.consecutiveSuccesses += 1;
      c.consecutiveFailures = 0;
      if (this.#state === 'half_open' && c.consecutiveSuccesses >= this.options.successThreshold)
        this.#transition('closed');
      return;
    }
    c.totalFailures += 1;
    c.consecutiveFailures += 1;
    c.consecutiveSuccesses = 0;
    if (this.#state === 'half_open' || (this.#state === 'closed' && this.options.readyToTrip({ ...c })))
      this.#transition('open');
  }

  // Time-driven transitions happen lazily on every read, so the breaker needs no timers to clean up.
  #advance(): void {
    const now = this.options.now();
    if (this.#state === 'open' && now >= this.#openedAt + this.options.openTimeoutMs) {
      this.#transition('half_open');
    } else if (
      this.#state === 'closed' &&
      this.options.intervalMs > 0 &&
      now >= this.#intervalStart + this.options.intervalMs
    ) {
      this.#counts = emptyCounts();
      this.#generation += 1;
      this.#intervalStart = now;
    }
  }

  #transition(to: CircuitState): void {
    const from = this.#state;
    const now = this.options.now();
    this.#state = to;
    this.#counts = emptyCounts();
    this.#generation += 1;
    if (to === 'open') this.#openedAt = now;
    if (to === 'closed') this.#intervalStart = now;
    if (from !== to) this.options.onStateChange?.(from, to);
  }
}

export function createCircuitBreaker(options: CircuitBreakerOptions = {}): CircuitBreaker {
  return new CircuitBreaker(options);
}

/** One call's permit; the first outcome counts. A class rather than two closures: one is made per request. */
class Permit implements CircuitPermit {
  #settled = false;
  readonly #report: (generation: number, ok: boolean) => void;
  readonly #isFailure: (error: unknown) => boolean;
  readonly #generation: number;

  constructor(
    report: (generation: number, ok: boolean) => void,
    isFailure: (error: unknown) => boolean,
    generation: number,
  ) {
    this.#report = report;
    this.#isFailure = isFailure;
    this.#generation = generation;
  }

  success(): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#report(this.#generation, true);
  }

  failure(error?: unknown): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#report(this.#generation, !this.#isFailure(error));
  }
}
