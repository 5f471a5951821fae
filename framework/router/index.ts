export { RouterError } from './errors.ts';
export { param } from './param.ts';
export type { RouterErrorCode } from './errors.ts';
export { joinPaths, normalizePatternPath, parsePattern } from './pattern.ts';
export type { ParsedPattern, Segment } from './pattern.ts';
export { normalizeRequestPath } from './path.ts';
export { METHOD_ANY, RouteGroup, RouteRegistrar, Router } from './router.ts';
export type { RouteInfo, RouteMatch, RouteOptions, RouterOptions } from './router.ts';
