export { TRANSFORM_ERROR_CODES, TransformError, isTransformError } from './errors.ts';
export type { TransformErrorCode } from './errors.ts';
export { applyHeaderRules, resolveHeaderRules } from './header-rules.ts';
export type { HeaderRules, MutableHeaders, ResolvedHeaderRules } from './header-rules.ts';
export { transformRequest, transformResponse } from './transform.ts';
export type { RequestTransformOptions, ResponseTransformOptions } from './transform.ts';
