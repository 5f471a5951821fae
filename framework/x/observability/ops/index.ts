export { OPS_ERRORS, OpsError, isOpsError } from './errors.ts';
export type { OpsErrorCode } from './errors.ts';
export { registerOpsRoutes } from './ops-routes.ts';
export type { OpsRouteTarget, OpsRoutesOptions } from './ops-routes.ts';
export { getRuntimeStats } from './runtime-info.ts';
export type { BuildInfo, RuntimeStats } from './runtime-info.ts';
export { MIN_OPS_TOKEN_LENGTH, requireOpsToken } from './token-guard.ts';
export {
  HEALTH_HTTP_ERRORS,
  HealthHttpError,
  HealthManager,
  componentHandler,
  detailedHandler,
  historyHandler,
  isHealthHttpError,
  liveHandler,
  readyHandler,
} from './healthhttp/index.ts';
export type {
  CheckOptions,
  ComponentResult,
  HealthHttpErrorCode,
  HealthManagerOptions,
  HealthReport,
} from './healthhttp/index.ts';
