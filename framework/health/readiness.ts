import type { ComponentChecker, ComponentHealth, ReadinessStatus } from './health.ts';

export interface ReadinessOptions {
  /** Per-run deadline in ms; a checker still running then counts as failed. Default 5 000. */
  timeoutMs?: number;
  /** Clock, for tests. */
  now?: () => Date;
}

/** A readiness run: the aggregate plus each component's outcome. */
export interface ReadinessReport {
  readonly status: ReadinessStatus;
  /** One entry per checker, in the checkers' order. */
  readonly results: readonly (ComponentHealth & { readonly name: string })[];
}

class CheckTimeoutError extends Error {
  constructor(ms: number) {
    super(`check timed out after ${ms}ms`);
    this.name = 'CheckTimeoutError';
  }
}

/**
 * Runs every checker concurrently under one deadline and aggregates: ready only when every
 * component passed (an empty list is ready). Failure messages are the checkers' error messages;
 * callers decide whether to expose them.
 */
export async function checkReadiness(
  checkers: readonly ComponentChecker[],
  options: ReadinessOptions = {},
): Promise<ReadinessReport> {
  const timeoutMs = options.timeoutMs ?? 5_000;
  const now = options.now ?? (() => new Date());
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(new CheckTimeoutError(timeoutMs)), timeoutMs);
  timer.unref();
  try {
    const results = await Promise.all(
      checkers.map(async (c) => {
        const started = performance.now();
        let error: unknown;
        try {
          await Promise.race([
            Promise.resolve().then(() => c.check(ac.signal)),
            new Promise<never>((_, reject) => {
              if (ac.signal.aborted) reject(ac.signal.reason);
              ac.signal.addEventListener('abort', () => reject(ac.signal.reason), { once: true });
            }),
          ]);
        } catch (err) {
          error = err ?? new Error('check failed');
        }
        const durationMs = performance.now() - started;
        const base = { name: c.name, enabled: true, timestamp: now().toISOString(), durationMs };
        return error === undefined
          ? { ...base, status: 'healthy' as const }
          : { ...base, status: 'unhealthy' as const, message: error instanceof Error ? error.message : String(error) };
      }),
    );
    const components: Record<string, boolean> = {};
    for (const r of results) components[r.name] = r.status === 'healthy';
    const failed = results.filter((r) => r.status !== 'healthy').map((r) => r.name);
    const status: ReadinessStatus = {
      ready: failed.length === 0,
      ...(failed.length > 0 ? { reason: `unhealthy components: ${failed.join(', ')}` } : {}),
      timestamp: now().toISOString(),
      components,
    };
    return { status, results };
  } finally {
    clearTimeout(timer);
    if (!ac.signal.aborted) ac.abort();
  }
}
