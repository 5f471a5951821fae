export { debugErrors } from './debug-errors.ts';
export type { DebugErrorsOptions } from './debug-errors.ts';
