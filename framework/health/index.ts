export { isKnownHealthState, isReadyState } from './health.ts';
export type { ComponentChecker, ComponentHealth, HealthState, HealthStatus, ReadinessStatus } from './health.ts';
export { checkReadiness } from './readiness.ts';
export type { ReadinessOptions, ReadinessReport } from './readiness.ts';
