import type { JsonSchema, Schema } from 'plumego/x/validate';
import type { MediaTypeObject, ParameterObject, SecurityRequirement } from './document.ts';

/** Either a typed schema from x/validate or plain JSON Schema. */
export type SchemaLike = Schema<unknown> | JsonSchema;

export interface ResponseHint {
  description?: string;
  /** Schema of the `data` member of the success envelope (or of the whole body when `raw`). */
  schema?: SchemaLike;
  /** The body is not the contract envelope (files, plain text); `schema` then describes it whole. Default false. */
  raw?: boolean;
  /** Content type of the body. Default `application/json`. */
  contentType?: string;
}

export interface RequestBodyHint {
  schema: SchemaLike;
  description?: string;
  /** Default true. */
  required?: boolean;
  /** Default `application/json`. */
  contentType?: string;
}

/** What the route table cannot know about one operation. Every field is optional. */
export interface OperationHint {
  summary?: string;
  description?: string;
  /** Default: the route name, when it has one. */
  operationId?: string;
  /** Added to the route's own tags. */
  tags?: string[];
  deprecated?: boolean;
  /** Extra or overriding parameters; path params are derived from the pattern anyway. */
  parameters?: ParameterObject[];
  /** An object schema whose properties become query parameters (the same schema `bindQuery` validates). */
  query?: SchemaLike;
  /** A schema for path params, to type them beyond `string` (the same schema `bindParams` validates). */
  params?: SchemaLike;
  requestBody?: SchemaLike | RequestBodyHint;
  /** Keyed by status (`"200"`, `"4XX"`, `"default"`). Default: `{ "200": { description: "OK" } }`. */
  responses?: Record<string, ResponseHint>;
  security?: SecurityRequirement[];
}

export function getJsonSchema(schema: SchemaLike): JsonSchema {
  const inner = (schema as { jsonSchema?: unknown }).jsonSchema;
  return typeof inner === 'object' && inner !== null ? (inner as JsonSchema) : (schema as JsonSchema);
}

export function pathParam(
  name: string,
  schema: SchemaLike = { type: 'string' },
  description?: string,
): ParameterObject {
  return {
    name,
    in: 'path',
    required: true,
    schema: getJsonSchema(schema),
    ...(description === undefined ? {} : { description }),
  };
}

export function queryParam(
  name: string,
  schema: SchemaLike = { type: 'string' },
  required = false,
  description?: string,
): ParameterObject {
  return {
    name,
    in: 'query',
    required,
    schema: getJsonSchema(schema),
    ...(description === undefined ? {} : { description }),
  };
}

export function headerParam(
  name: string,
  schema: SchemaLike = { type: 'string' },
  required = false,
  description?: string,
): ParameterObject {
  return {
    name,
    in: 'header',
    required,
    schema: getJsonSchema(schema),
    ...(description === undefined ? {} : { description }),
  };
}

export function jsonContent(schema: SchemaLike): Record<string, MediaTypeObject> {
  return { 'application/json': { schema: getJsonSchema(schema) } };
}
