export { RouterError } from './errors.ts';
export { param } from './param.ts';
export type { RouterErrorCode } from './errors.ts';
export { joinPaths, normalizePatternPath, parsePattern } from './pattern.ts';
export type { ParsedPattern, Segment } from './pattern.ts';
export { METHOD_ANY, RouteGroup, RouteRegistrar, Router, normalizeRequestPath } from './router.ts';
export type { RouteInfo, RouteMatch, RouteOptions, RouterOptions } from './router.ts';
