export { RequestTimeoutError, timeout } from './timeout.ts';
export type { TimeoutOptions } from './timeout.ts';
