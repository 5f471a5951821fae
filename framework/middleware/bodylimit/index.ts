export { bodyLimit } from './body-limit.ts';
export type { BodyLimitOptions } from './body-limit.ts';
