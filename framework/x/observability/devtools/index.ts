export { registerDevtools } from './devtools-routes.ts';
export type { DevtoolsOptions, DevtoolsTarget } from './devtools-routes.ts';
export { DEVTOOLS_ERRORS, DevtoolsError, isDevtoolsError } from './errors.ts';
export type { DevtoolsErrorCode } from './errors.ts';
export { readCpuProfile, readEventLoopStats, writeHeapSnapshot } from './profiler.ts';
export type { EventLoopStats } from './profiler.ts';
