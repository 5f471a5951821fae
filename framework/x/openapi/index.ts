export type {
  HttpMethod,
  InfoObject,
  MediaTypeObject,
  OpenAPIDocument,
  OperationObject,
  ParameterObject,
  PathItemObject,
  RequestBodyObject,
  ResponseObject,
  SecurityRequirement,
  ServerObject,
  TagObject,
} from './document.ts';
export { OPENAPI_ERROR_CODES, OpenAPIError, isOpenAPIError } from './errors.ts';
export type { OpenAPIErrorCode } from './errors.ts';
export { ERROR_ENVELOPE_SCHEMA, generateDocument, toOpenAPIPath } from './generator.ts';
export type { GenerateOptions, RouteEntry } from './generator.ts';
export { createOpenAPIHandler, registerOpenAPI } from './handler.ts';
export type { OpenAPIHandlerOptions, RegisterOpenAPIOptions, RouteRegistrarLike, RouteSource } from './handler.ts';
export { getJsonSchema, headerParam, jsonContent, pathParam, queryParam } from './hints.ts';
export type { OperationHint, RequestBodyHint, ResponseHint, SchemaLike } from './hints.ts';
export { toJson, toYaml } from './serialize.ts';
