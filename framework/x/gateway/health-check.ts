import type { Backend } from './backend.ts';
import type { BackendPool } from './backend-pool.ts';
import { assertGatewayOption } from './errors.ts';

export interface HealthCheckOptions {
  /** Path probed with GET on every backend (its base path is prepended). Default `/healthz`. */
  path?: string;
  /** Time between rounds. Default 10 000 ms. */
  intervalMs?: number;
  /** Budget for one probe, head and body. Default 2 000 ms. */
  timeoutMs?: number;
  /** Consecutive passing probes that bring an unhealthy backend back. Default 2. */
  healthyThreshold?: number;
  /** Consecutive failing probes that take a backend out. Default 3. */
  unhealthyThreshold?: number;
  /** Which statuses pass. Default 200–399. */
  isHealthyStatus?: (status: number) => boolean;
}

export interface ResolvedHealthCheckOptions {
  path: string;
  intervalMs: number;
  timeoutMs: number;
  healthyThreshold: number;
  unhealthyThreshold: number;
  isHealthyStatus: (status: number) => boolean;
}

export const DEFAULT_HEALTH_CHECK_OPTIONS = Object.freeze({
  path: '/healthz',
  intervalMs: 10_000,
  timeoutMs: 2_000,
  healthyThreshold: 2,
  unhealthyThreshold: 3,
});

export function resolveHealthCheckOptions(options: HealthCheckOptions = {}): ResolvedHealthCheckOptions {
  const d = DEFAULT_HEALTH_CHECK_OPTIONS;
  const r = {
    path: options.path ?? d.path,
    intervalMs: options.intervalMs ?? d.intervalMs,
    timeoutMs: options.timeoutMs ?? d.timeoutMs,
    healthyThreshold: options.healthyThreshold ?? d.healthyThreshold,
    unhealthyThreshold: options.unhealthyThreshold ?? d.unhealthyThreshold,
    isHealthyStatus: options.isHealthyStatus ?? ((s: number) => s >= 200 && s < 400),
  };
  assertGatewayOption(r.path.startsWith('/'), 'healthCheck.path', 'a path starting with "/"');
  assertGatewayOption(Number.isFinite(r.intervalMs) && r.intervalMs > 0, 'healthCheck.intervalMs', 'a positive number');
  assertGatewayOption(Number.isFinite(r.timeoutMs) && r.timeoutMs > 0, 'healthCheck.timeoutMs', 'a positive number');
  assertGatewayOption(
    Number.isInteger(r.healthyThreshold) && r.healthyThreshold >= 1,
    'healthCheck.healthyThreshold',
    'an integer ≥ 1',
  );
  assertGatewayOption(
    Number.isInteger(r.unhealthyThreshold) && r.unhealthyThreshold >= 1,
    'healthCheck.unhealthyThreshold',
    'an integer ≥ 1',
  );
  return r;
}

/**
 * Active health checks: a GET per backend per round over the backend's own pool. A backend flips
 * only after a run of agreeing probes, so one lost packet does not drain it; a comeback enters
 * slow start through the pool.
 */
export class HealthChecker {
  readonly options: ResolvedHealthCheckOptions;
  readonly #pool: BackendPool;
  readonly #streaks = new Map<Backend, number>();
  #timer: NodeJS.Timeout | undefined;
  #round: Promise<void> | undefined;

  constructor(pool: BackendPool, options: HealthCheckOptions = {}) {
    this.options = resolveHealthCheckOptions(options);
    this.#pool = pool;
  }

  /** Starts periodic rounds (the first one at once); the timer never keeps the process alive. */
  start(): void {
    if (this.#timer !== undefined) return;
    void this.checkNow();
    this.#timer = setInterval(() => void this.checkNow(), this.options.intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Runs one round over every backend; overlapping calls share the round in progress. */
  checkNow(): Promise<void> {
    this.#round ??= Promise.all(this.#pool.backends.map((b) => this.#probe(b))).then(() => {
      this.#round = undefined;
    });
    return this.#round;
  }

  async #probe(b: Backend): Promise<void> {
    const passed = await this.#readProbe(b);
    // Positive streak counts passes, negative counts failures; a change of direction restarts it.
    const prev = this.#streaks.get(b) ?? 0;
    const streak = passed ? Math.max(prev, 0) + 1 : Math.min(prev, 0) - 1;
    this.#streaks.set(b, streak);
    if (!b.healthy && streak >= this.options.healthyThreshold) this.#pool.setHealthy(b, true);
    else if (b.healthy && -streak >= this.options.unhealthyThreshold) this.#pool.setHealthy(b, false);
  }

  async #readProbe(b: Backend): Promise<boolean> {
    const t = this.options.timeoutMs;
    try {
      const res = await b.dispatcher.request({
        method: 'GET',
        path: b.basePath + this.options.path,
        headers: { host: b.host, 'user-agent': 'plumego-gateway-health' },
        headersTimeout: t,
        bodyTimeout: t,
        signal: AbortSignal.timeout(t),
      });
      await res.body.dump();
      return this.options.isHealthyStatus(res.statusCode);
    } catch {
      return false;
    }
  }
}
