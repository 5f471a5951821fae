export { HEALTH_HTTP_ERRORS, HealthHttpError, isHealthHttpError } from './errors.ts';
export type { HealthHttpErrorCode } from './errors.ts';
export { componentHandler, detailedHandler, historyHandler, liveHandler, readyHandler } from './handlers.ts';
export { HealthManager } from './health-manager.ts';
export type { CheckOptions, ComponentResult, HealthManagerOptions, HealthReport } from './health-manager.ts';
