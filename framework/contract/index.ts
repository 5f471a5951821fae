export {
  ERROR_TYPES,
  PARSE_ERROR_CODES,
  getCategoryForStatus,
  getCodeForStatus,
  getErrorTypeMeta,
  isErrorType,
} from './error-types.ts';
export type { ErrorCategory, ErrorType, ErrorTypeMeta } from './error-types.ts';
export {
  APIError,
  ErrorBuilder,
  asAPIError,
  createAPIError,
  createErrorBuilder,
  isAPIError,
  toAPIError,
} from './api-error.ts';
export type { APIErrorInit, ErrorDetails } from './api-error.ts';
export { Context, createContextKey, valueFromContext, withValue } from './context.ts';
export type { ContextKey } from './context.ts';
export { REQUEST_ID_HEADER, normalizeRequestId, requestIdFromContext, withRequestId } from './request-id.ts';
export {
  TRACEPARENT_HEADER,
  TRACESTATE_HEADER,
  formatTraceparent,
  isSampled,
  isValidSpanId,
  isValidTraceId,
  parseTraceparent,
  traceContextFromContext,
  withTraceContext,
} from './trace.ts';
export type { TraceContext, Traceparent } from './trace.ts';
export { createHeaderBlock } from './header-list.ts';
export type { HeaderBlock } from './header-list.ts';
export { BufferedResponseWriter, NodeResponseWriter } from './response-writer.ts';
export type { Chunk, ResponseWriter } from './response-writer.ts';
export {
  CLIENT_CLOSED_REQUEST_STATUS,
  ClientDisconnectedError,
  Request,
  RequestState,
  createRequest,
  createRequestFromNode,
  isClientDisconnect,
} from './request.ts';
export type { ErrorBodyFormatter, RequestInit } from './request.ts';
export { param, requestContextFromRequest } from './route-context.ts';
export type { RequestContext } from './route-context.ts';
export { composeMiddleware, isPromise } from './handler.ts';
export type { Handler, Middleware } from './handler.ts';
export {
  CONTENT_TYPE_JSON,
  InvalidResponseStatusError,
  formatErrorBody,
  writeError,
  writeNotFound,
  writeResponse,
} from './response.ts';
export { InvalidErrorFamilyError, defineErrorFamily, getErrorOptions } from './error-family.ts';
export type { ErrorFamily, ErrorFamilyInit } from './error-family.ts';
export { DEFAULT_MAX_BODY_BYTES, isJsonContentType, readBody, readJson } from './body.ts';
export type { ReadBodyOptions, ReadJsonOptions } from './body.ts';
