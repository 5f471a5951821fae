export { Singleflight, createSingleflight } from './singleflight.ts';
export type { SingleflightOptions, SingleflightStats } from './singleflight.ts';
