export { CorsOptionsError, DEFAULT_CORS_OPTIONS, cors, createStrictCorsOptions, resolveCorsOptions } from './cors.ts';
export type { CorsOptions, ResolvedCorsOptions } from './cors.ts';
