/** Component or service health. */
export type HealthState = 'healthy' | 'degraded' | 'unhealthy';

const STATES: ReadonlySet<string> = new Set(['healthy', 'degraded', 'unhealthy']);

/** True for a known state string. */
export function isKnownHealthState(value: unknown): value is HealthState {
  return typeof value === 'string' && STATES.has(value);
}

/** Healthy and degraded components can take traffic. */
export function isReadyState(state: HealthState): boolean {
  return state === 'healthy' || state === 'degraded';
}

/**
 * Checks one dependency. Resolve (or return) when healthy; throw or reject when not. The signal
 * aborts when the aggregate check times out; long checks should pass it on.
 */
export interface ComponentChecker {
  readonly name: string;
  check(signal: AbortSignal): void | Promise<void>;
}

/** The health of one component (or the service). */
export interface HealthStatus {
  readonly status: HealthState;
  readonly message?: string;
  readonly details?: Readonly<Record<string, unknown>>;
  /** ISO-8601 time of the check. */
  readonly timestamp: string;
  /** Check duration in milliseconds. */
  readonly durationMs?: number;
  readonly dependencies?: readonly string[];
}

export interface ComponentHealth extends HealthStatus {
  readonly enabled: boolean;
}

/** Readiness of the service, derived from its components. */
export interface ReadinessStatus {
  readonly ready: boolean;
  readonly reason?: string;
  readonly timestamp: string;
  /** Component name → passed. */
  readonly components?: Readonly<Record<string, boolean>>;
}
