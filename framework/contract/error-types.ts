/**
 * The canonical error taxonomy: every `ErrorType` maps to one category, one wire code and one HTTP
 * status. The table is the single source of truth in code; `specs/error-codes.yaml` must list the
 * same rows (a test checks it).
 */

/** Broad family of an error, sent on the wire as `error.category`. */
export type ErrorCategory =
  'validation_error' | 'client_error' | 'auth_error' | 'rate_limit_error' | 'timeout_error' | 'server_error';

/** Canonical error types, sent on the wire as `error.type`. */
export type ErrorType =
  | 'validation_failure'
  | 'bad_request'
  | 'invalid_request'
  | 'required_field_missing'
  | 'invalid_format'
  | 'value_out_of_range'
  | 'duplicate_value'
  | 'unauthorized_request'
  | 'forbidden_request'
  | 'invalid_token'
  | 'expired_token'
  | 'resource_not_found'
  | 'resource_conflict'
  | 'resource_already_exists'
  | 'resource_gone'
  | 'not_acceptable'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'internal_error'
  | 'service_unavailable'
  | 'timeout_failure'
  | 'rate_limited'
  | 'maintenance_mode'
  | 'method_not_allowed'
  | 'not_implemented'
  | 'bad_gateway'
  | 'gateway_timeout';

/** What an `ErrorType` resolves to on the wire. */
export interface ErrorTypeMeta {
  readonly category: ErrorCategory;
  readonly code: string;
  readonly status: number;
}

const row = (category: ErrorCategory, code: string, status: number): ErrorTypeMeta =>
  Object.freeze({ category, code, status });

/** The 27-row canonical table (type → category, code, status). Frozen. */
export const ERROR_TYPES: Readonly<Record<ErrorType, ErrorTypeMeta>> = Object.freeze({
  validation_failure: row('validation_error', 'VALIDATION_ERROR', 400),
  bad_request: row('client_error', 'BAD_REQUEST', 400),
  invalid_request: row('client_error', 'INVALID_REQUEST', 422),
  required_field_missing: row('validation_error', 'REQUIRED_FIELD_MISSING', 400),
  invalid_format: row('validation_error', 'INVALID_FORMAT', 400),
  value_out_of_range: row('validation_error', 'VALUE_OUT_OF_RANGE', 400),
  duplicate_value: row('validation_error', 'DUPLICATE_VALUE', 400),
  unauthorized_request: row('auth_error', 'UNAUTHORIZED', 401),
  forbidden_request: row('auth_error', 'FORBIDDEN', 403),
  invalid_token: row('auth_error', 'INVALID_TOKEN', 401),
  expired_token: row('auth_error', 'EXPIRED_TOKEN', 401),
  resource_not_found: row('client_error', 'RESOURCE_NOT_FOUND', 404),
  resource_conflict: row('client_error', 'RESOURCE_CONFLICT', 409),
  resource_already_exists: row('client_error', 'RESOURCE_ALREADY_EXISTS', 409),
  resource_gone: row('client_error', 'RESOURCE_GONE', 410),
  not_acceptable: row('client_error', 'NOT_ACCEPTABLE', 406),
  payload_too_large: row('client_error', 'REQUEST_BODY_TOO_LARGE', 413),
  unsupported_media_type: row('client_error', 'UNSUPPORTED_MEDIA_TYPE', 415),
  internal_error: row('server_error', 'INTERNAL_ERROR', 500),
  service_unavailable: row('server_error', 'SERVICE_UNAVAILABLE', 503),
  timeout_failure: row('timeout_error', 'TIMEOUT', 408),
  rate_limited: row('rate_limit_error', 'RATE_LIMITED', 429),
  maintenance_mode: row('server_error', 'MAINTENANCE_MODE', 503),
  method_not_allowed: row('client_error', 'METHOD_NOT_ALLOWED', 405),
  not_implemented: row('server_error', 'NOT_IMPLEMENTED', 501),
  bad_gateway: row('server_error', 'BAD_GATEWAY', 502),
  gateway_timeout: row('timeout_error', 'GATEWAY_TIMEOUT', 504),
});

/**
 * Codes the contract emits without a type of its own (request parsing). Each keeps the status and
 * category family of the row it refines.
 */
export const PARSE_ERROR_CODES = Object.freeze({
  INVALID_JSON: row('client_error', 'INVALID_JSON', 400),
  INVALID_QUERY: row('client_error', 'INVALID_QUERY', 400),
});

/** Returns true when `value` names a canonical error type. */
export function isErrorType(value: unknown): value is ErrorType {
  return typeof value === 'string' && Object.hasOwn(ERROR_TYPES, value);
}

/** The category/code/status of a canonical type. */
export function getErrorTypeMeta(type: ErrorType): ErrorTypeMeta {
  return ERROR_TYPES[type];
}

/** Status → category for untyped errors (401/403 auth, 429 rate limit, 408/504 timeout, …). */
export function getCategoryForStatus(status: number): ErrorCategory {
  if (status === 401 || status === 403) return 'auth_error';
  if (status === 429) return 'rate_limit_error';
  if (status === 408 || status === 504) return 'timeout_error';
  if (status >= 500) return 'server_error';
  return 'client_error';
}

const CODE_BY_STATUS: Readonly<Record<number, string>> = Object.freeze({
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'RESOURCE_NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  406: 'NOT_ACCEPTABLE',
  408: 'TIMEOUT',
  409: 'RESOURCE_CONFLICT',
  410: 'RESOURCE_GONE',
  413: 'REQUEST_BODY_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  422: 'INVALID_REQUEST',
  429: 'RATE_LIMITED',
  500: 'INTERNAL_ERROR',
  501: 'NOT_IMPLEMENTED',
  502: 'BAD_GATEWAY',
  503: 'SERVICE_UNAVAILABLE',
  504: 'GATEWAY_TIMEOUT',
});

/** Status → code for untyped errors; other 4xx become INVALID_REQUEST, other 5xx INTERNAL_ERROR. */
export function getCodeForStatus(status: number): string {
  return CODE_BY_STATUS[status] ?? (status >= 500 ? 'INTERNAL_ERROR' : 'INVALID_REQUEST');
}
