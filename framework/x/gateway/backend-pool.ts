import type { Request } from 'plumego/contract';
import { CircuitBreaker, type CircuitBreakerOptions, type CircuitPermit } from 'plumego/x/resilience';
import type { Backend } from './backend.ts';
import type { Balancer } from './balancer.ts';
import { assertGatewayOption, type UpstreamFailureReason } from './errors.ts';

/** How one upstream exchange ended, as the pool tallies it. */
export type AttemptOutcome = 'ok' | 'server_error' | 'cancelled' | UpstreamFailureReason;

export interface OutlierOptions {
  /** Consecutive failures that eject a backend. Default 5. */
  consecutiveFailures?: number;
  /** First ejection length; each repeat ejection multiplies it, up to `maxEjectionMs`. Default 30 000 ms. */
  baseEjectionMs?: number;
  /** Longest ejection. Default 300 000 ms. */
  maxEjectionMs?: number;
}

export interface BackendPoolOptions {
  /** Per-backend breaker (x/resilience); `false` turns it off. Default: 5 consecutive failures, 30 s open. */
  circuitBreaker?: Omit<CircuitBreakerOptions, 'name' | 'now'> | false;
  /** Passive outlier ejection; `false` turns it off. Default on with the `OutlierOptions` defaults. */
  outlierDetection?: OutlierOptions | false;
  /** A returning backend's weight ramps from 10% to 100% over this long. Default 0 (off). */
  slowStartMs?: number;
  /** Clock in epoch ms; injectable so tests never sleep. Default `Date.now`. */
  now?: () => number;
}

interface BackendState {
  breaker: CircuitBreaker | undefined;
  consecutiveFailures: number;
  ejections: number;
}

// Transport failures and gateway statuses say the backend is in trouble; a cancelled request does not.
const NEUTRAL: ReadonlySet<AttemptOutcome> = new Set(['ok', 'cancelled']);

/**
 * The backends behind one proxy, with the per-backend health state the balancer must respect: active
 * health (`healthy`), passive ejection after consecutive failures, a circuit breaker, and slow start.
 */
export class BackendPool {
  readonly balancer: Balancer;
  #backends: readonly Backend[];
  readonly #breakerOptions: BackendPoolOptions['circuitBreaker'];
  readonly now: () => number;
  readonly #state = new Map<Backend, BackendState>();
  readonly #outlier: Required<OutlierOptions> | undefined;
  readonly #slowStartMs: number;
  readonly #effectiveWeight = (b: Backend): number => this.getEffectiveWeight(b);

  constructor(backends: readonly Backend[], balancer: Balancer, options: BackendPoolOptions = {}) {
    this.#backends = backends;
    this.balancer = balancer;
    this.#breakerOptions = options.circuitBreaker;
    this.now = options.now ?? Date.now;
    this.#slowStartMs = options.slowStartMs ?? 0;
    assertGatewayOption(
      Number.isFinite(this.#slowStartMs) && this.#slowStartMs >= 0,
      'slowStartMs',
      'a non-negative number',
    );
    const o = options.outlierDetection;
    if (o !== false) {
      const resolved = {
        consecutiveFailures: o?.consecutiveFailures ?? 5,
        baseEjectionMs: o?.baseEjectionMs ?? 30_000,
        maxEjectionMs: o?.maxEjectionMs ?? 300_000,
      };
      assertGatewayOption(
        Number.isInteger(resolved.consecutiveFailures) && resolved.consecutiveFailures >= 1,
        'outlierDetection.consecutiveFailures',
        'an integer ≥ 1',
      );
      assertGatewayOption(
        resolved.baseEjectionMs > 0 && resolved.maxEjectionMs >= resolved.baseEjectionMs,
        'outlierDetection',
        'baseEjectionMs > 0 and maxEjectionMs ≥ baseEjectionMs',
      );
      this.#outlier = resolved;
    }
    const ids = new Set<string>();
    for (const b of backends) {
      assertGatewayOption(!ids.has(b.id), 'targets', `duplicate target ${b.id}`);
      ids.add(b.id);
      this.#track(b);
    }
  }

  /** The current backends (replaced as a whole by `setBackends`). */
  get backends(): readonly Backend[] {
    return this.#backends;
  }

  /**
   * Replaces the backend set (discovery): backends whose id stays keep their state and connections,
   * new ones start fresh, and removed ones are closed once their in-flight requests finish.
   */
  setBackends(next: readonly Backend[]): void {
    const byId = new Map(this.#backends.map((b) => [b.id, b]));
    const kept: Backend[] = [];
    const seen = new Set<string>();
    for (const candidate of next) {
      if (seen.has(candidate.id)) {
        void candidate.dispatcher.close();
        continue;
      }
      seen.add(candidate.id);
      const existing = byId.get(candidate.id);
      if (existing !== undefined && existing.weight === candidate.weight) {
        kept.push(existing);
        void candidate.dispatcher.close();
        continue;
      }
      this.#track(candidate);
      kept.push(candidate);
    }
    for (const old of this.#backends) {
      if (kept.includes(old)) continue;
      this.#state.delete(old);
      void old.dispatcher.close();
    }
    this.#backends = kept;
  }

  #track(b: Backend): void {
    const cb = this.#breakerOptions;
    const breaker = cb === false ? undefined : new CircuitBreaker({ ...cb, name: b.id, now: this.now });
    this.#state.set(b, { breaker, consecutiveFailures: 0, ejections: 0 });
  }

  /** Weight scaled down while a returning backend is in its slow-start window (never below 10%). */
  getEffectiveWeight(b: Backend): number {
    if (this.#slowStartMs === 0 || b.recoveredAt === 0) return b.weight;
    const elapsed = this.now() - b.recoveredAt;
    if (elapsed >= this.#slowStartMs) return b.weight;
    return b.weight * Math.max(0.1, elapsed / this.#slowStartMs);
  }

  /** Backends that may take traffic now: healthy, not ejected, breaker not open. */
  getAvailable(): Backend[] {
    const now = this.now();
    const out: Backend[] = [];
    for (const b of this.#backends) if (this.#takesTraffic(b, now)) out.push(b);
    return out;
  }

  #takesTraffic(b: Backend, now: number): boolean {
    if (!b.isAvailable(now)) return false;
    // An ejection that has just run out starts slow start from the moment it ended.
    if (b.recoveredAt === 0 && b.ejectedUntil > 0) b.recoveredAt = b.ejectedUntil;
    const breaker = this.#state.get(b)!.breaker;
    return breaker === undefined || breaker.state !== 'open';
  }

  /** Picks a backend, preferring ones not yet `tried` by this request; undefined when none is available. */
  select(r: Request, tried: readonly Backend[]): Backend | undefined {
    const backends = this.#backends;
    if (tried.length === 0 && backends.length > 0) {
      // First attempt with every backend up (the usual case): pick from the set itself, no copy. The
      // clock is read only once some backend has been ejected (ejectedUntil 0 is in the past at any now).
      let now = 0;
      let all = true;
      for (let i = 0; all && i < backends.length; i++) {
        const b = backends[i]!;
        if (now === 0 && b.ejectedUntil !== 0) now = this.now();
        all = this.#takesTraffic(b, now);
      }
      if (all) return this.balancer.pick(backends, r, this.#effectiveWeight);
    }
    const available = this.getAvailable();
    if (available.length === 0) return undefined;
    const fresh = tried.length === 0 ? available : available.filter((b) => !tried.includes(b));
    return this.balancer.pick(fresh.length > 0 ? fresh : available, r, this.#effectiveWeight);
  }

  /**
   * Marks an attempt as started and returns the function that reports how it ended, or undefined
   * when the backend's breaker refuses (a half-open breaker admits only its probe budget).
   */
  begin(b: Backend): ((outcome: AttemptOutcome) => void) | undefined {
    const st = this.#state.get(b);
    if (st === undefined) return undefined;
    let permit: CircuitPermit | undefined;
    if (st.breaker !== undefined) {
      try {
        permit = st.breaker.acquire();
      } catch {
        return undefined;
      }
    }
    b.inflight++;
    let settled = false;
    return (outcome) => {
      if (settled) return;
      settled = true;
      b.inflight--;
      if (outcome === 'cancelled') {
        permit?.success();
        return;
      }
      const failed = !NEUTRAL.has(outcome);
      if (failed) permit?.failure();
      else permit?.success();
      this.#recordOutlier(b, st, failed);
    };
  }

  #recordOutlier(b: Backend, st: BackendState, failed: boolean): void {
    if (!failed) {
      st.consecutiveFailures = 0;
      return;
    }
    const o = this.#outlier;
    if (o === undefined) return;
    st.consecutiveFailures++;
    if (st.consecutiveFailures < o.consecutiveFailures) return;
    // Never eject the last available backend: an empty pool turns a partial outage into a full one.
    if (this.getAvailable().filter((x) => x !== b).length === 0) return;
    st.consecutiveFailures = 0;
    st.ejections++;
    const length = Math.min(o.maxEjectionMs, o.baseEjectionMs * st.ejections);
    b.ejectedUntil = this.now() + length;
    b.recoveredAt = 0;
  }

  /** Marks a backend healthy or not (active health checks); a comeback starts slow start. */
  setHealthy(b: Backend, healthy: boolean): void {
    if (b.healthy === healthy) return;
    b.healthy = healthy;
    if (healthy) b.recoveredAt = this.now();
  }

  /** Breaker of a backend, for stats and operator endpoints. */
  getBreaker(b: Backend): CircuitBreaker | undefined {
    return this.#state.get(b)?.breaker;
  }

  async close(): Promise<void> {
    await Promise.all(this.#backends.map((b) => b.dispatcher.close()));
  }
}
