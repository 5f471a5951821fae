export {
  DEFAULT_SINGLEFLIGHT_OPTIONS,
  Singleflight,
  createSingleflight,
  resolveSingleflightOptions,
} from './singleflight.ts';
export type { ResolvedSingleflightOptions, SingleflightOptions, SingleflightStats } from './singleflight.ts';
