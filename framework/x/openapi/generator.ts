import type { JsonSchema } from 'plumego/x/validate';
import type {
  HttpMethod,
  InfoObject,
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
import { OPENAPI_ERROR_CODES, OpenAPIError } from './errors.ts';
import {
  getJsonSchema,
  type OperationHint,
  type RequestBodyHint,
  type ResponseHint,
  type SchemaLike,
} from './hints.ts';

/** One row of a route table: what the router's `routes()` lists. */
export interface RouteEntry {
  method: string;
  /** Router pattern: `/users/:id`, `/files/*path`. */
  path: string;
  name?: string;
  tags?: readonly string[];
}

export interface GenerateOptions {
  /** Default `{ title: "API", version: "0.0.0" }`. */
  info?: InfoObject;
  /** Default none. */
  servers?: ServerObject[];
  /** Per-operation hints keyed by route name or by `"METHOD /pattern"`; a key that matches no route is an error. */
  hints?: Record<string, OperationHint>;
  /** Wrap response schemas in the contract's `{data, meta, request_id}` envelope. Default true. */
  envelope?: boolean;
  /** Describe the contract's error envelope as each operation's `default` response. Default true. */
  errorResponses?: boolean;
  /** Which routes to document. Default: all. */
  include?: (route: RouteEntry) => boolean;
  /** Descriptions for tags. Default none. */
  tags?: TagObject[];
  securitySchemes?: Record<string, Record<string, unknown>>;
  /** Document-wide security requirement. Default none. */
  security?: SecurityRequirement[];
}

const METHOD_ORDER: readonly HttpMethod[] = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
/** What an `ANY` route answers in practice; OPTIONS/HEAD/TRACE would be noise in most documents. */
const ANY_METHODS: readonly HttpMethod[] = ['get', 'put', 'post', 'delete', 'patch'];
const ERROR_REF = { $ref: '#/components/schemas/ErrorEnvelope' } as const;

/** The contract's error body, as a reusable component. */
export const ERROR_ENVELOPE_SCHEMA: JsonSchema = Object.freeze({
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message', 'category'],
      properties: {
        code: { type: 'string', description: 'Stable, machine-readable error code.' },
        message: { type: 'string', description: 'Client-safe, human-readable message.' },
        category: {
          type: 'string',
          enum: ['validation_error', 'client_error', 'auth_error', 'rate_limit_error', 'timeout_error', 'server_error'],
        },
        type: { type: 'string', description: 'Canonical error type, when the error has one.' },
        details: {
          type: 'object',
          description: 'Structured details; for validation errors, one entry per failing field.',
        },
      },
    },
    request_id: { type: 'string' },
  },
});

interface ParsedPath {
  template: string;
  params: string[];
}

/** `/users/:id/files/*rest` → `/users/{id}/files/{rest}`; a wildcard becomes a path param that may hold slashes. */
export function toOpenAPIPath(pattern: string): ParsedPath {
  if (!pattern.startsWith('/'))
    throw new OpenAPIError(OPENAPI_ERROR_CODES.invalidRoute, `route path must start with "/": ${pattern}`);
  const params: string[] = [];
  const segments = pattern.split('/').map((segment) => {
    if (segment.startsWith(':') || segment.startsWith('*')) {
      const name = segment.slice(1) || 'wildcard';
      params.push(name);
      return `{${name}}`;
    }
    return segment;
  });
  return { template: segments.join('/') || '/', params };
}

function toMethods(method: string): HttpMethod[] {
  const m = method.toLowerCase();
  if (m === 'any') return [...ANY_METHODS];
  if ((METHOD_ORDER as readonly string[]).includes(m)) return [m as HttpMethod];
  throw new OpenAPIError(
    OPENAPI_ERROR_CODES.invalidRoute,
    `method ${method} cannot be described in OpenAPI 3.1; exclude the route with "include"`,
  );
}

function getObjectProperties(schema: SchemaLike | undefined): Array<[string, JsonSchema, boolean]> {
  if (schema === undefined) return [];
  const json = getJsonSchema(schema);
  const props = (json['properties'] ?? {}) as Record<string, JsonSchema>;
  const required = new Set((json['required'] ?? []) as string[]);
  return Object.entries(props).map(([name, s]) => [name, s, required.has(name)]);
}

function buildParameters(params: string[], hint: OperationHint): ParameterObject[] | undefined {
  const typed = new Map(getObjectProperties(hint.params).map(([n, s]) => [n, s]));
  const out = new Map<string, ParameterObject>();
  for (const name of params)
    out.set(`path:${name}`, { name, in: 'path', required: true, schema: typed.get(name) ?? { type: 'string' } });
  for (const [name, schema, required] of getObjectProperties(hint.query))
    out.set(`query:${name}`, { name, in: 'query', required, schema });
  for (const p of hint.parameters ?? []) out.set(`${p.in}:${p.name}`, p);
  return out.size > 0 ? [...out.values()] : undefined;
}

function buildRequestBody(hint: OperationHint): RequestBodyObject | undefined {
  if (hint.requestBody === undefined) return undefined;
  const body = hint.requestBody as Partial<RequestBodyHint>;
  const isHint =
    typeof body === 'object' && body !== null && 'schema' in body && body.schema !== undefined && !('type' in body);
  const h: RequestBodyHint = isHint ? (body as RequestBodyHint) : { schema: hint.requestBody as SchemaLike };
  return {
    ...(h.description === undefined ? {} : { description: h.description }),
    required: h.required ?? true,
    content: { [h.contentType ?? 'application/json']: { schema: getJsonSchema(h.schema) } },
  };
}

function wrapEnvelope(data: JsonSchema): JsonSchema {
  return {
    type: 'object',
    required: ['data'],
    properties: { data, meta: { type: 'object' }, request_id: { type: 'string' } },
  };
}

function buildResponse(status: string, r: ResponseHint, envelope: boolean): ResponseObject {
  const description = r.description ?? (status === '204' ? 'No Content' : 'OK');
  if (r.schema === undefined) return { description };
  const schema = getJsonSchema(r.schema);
  return {
    description,
    content: { [r.contentType ?? 'application/json']: { schema: envelope && !r.raw ? wrapEnvelope(schema) : schema } },
  };
}

function buildOperation(
  route: RouteEntry,
  method: HttpMethod,
  parsed: ParsedPath,
  hint: OperationHint,
  o: ResolvedGenerate,
): OperationObject {
  const responses: Record<string, ResponseObject> = {};
  for (const [status, r] of Object.entries(hint.responses ?? { '200': {} }))
    responses[status] = buildResponse(status, r, o.envelope);
  const validates = hint.requestBody !== undefined || hint.query !== undefined || hint.params !== undefined;
  if (o.errorResponses) {
    if (validates && responses['400'] === undefined) {
      responses['400'] = {
        description: 'Validation failed; one detail per failing field.',
        content: { 'application/json': { schema: ERROR_REF } },
      };
    }
    responses['default'] ??= { description: 'Error', content: { 'application/json': { schema: ERROR_REF } } };
  }
  const tags = [...new Set([...(route.tags ?? []), ...(hint.tags ?? [])])];
  const baseId = hint.operationId ?? route.name;
  // ANY expands one route into several operations; a method suffix keeps their ids unique.
  const operationId = baseId && route.method.toUpperCase() === 'ANY' ? `${baseId}_${method}` : baseId;
  const parameters = buildParameters(parsed.params, hint);
  const requestBody = buildRequestBody(hint);
  // Keys in the order the specification lists them, so the YAML reads top-down like hand-written docs.
  return {
    ...(operationId ? { operationId } : {}),
    ...(hint.summary === undefined ? {} : { summary: hint.summary }),
    ...(hint.description === undefined ? {} : { description: hint.description }),
    ...(tags.length > 0 ? { tags } : {}),
    ...(hint.deprecated ? { deprecated: true } : {}),
    ...(parameters ? { parameters } : {}),
    ...(requestBody ? { requestBody } : {}),
    responses,
    ...(hint.security ? { security: hint.security } : {}),
  };
}

interface ResolvedGenerate {
  info: InfoObject;
  hints: Record<string, OperationHint>;
  envelope: boolean;
  errorResponses: boolean;
  include: (route: RouteEntry) => boolean;
}

function findHint(route: RouteEntry, hints: Record<string, OperationHint>, used: Set<string>): OperationHint {
  const byPath = `${route.method.toUpperCase()} ${route.path}`;
  const byName = route.name ? hints[route.name] : undefined;
  if (byName) used.add(route.name!);
  if (hints[byPath]) used.add(byPath);
  return { ...(hints[byPath] ?? {}), ...(byName ?? {}) };
}

/**
 * Builds an OpenAPI 3.1 document from a route table plus hints. Output is deterministic (paths sorted,
 * methods in specification order) so a generated file can be diffed in review.
 */
export function generateDocument(routes: readonly RouteEntry[], options: GenerateOptions = {}): OpenAPIDocument {
  const o: ResolvedGenerate = {
    info: options.info ?? { title: 'API', version: '0.0.0' },
    hints: options.hints ?? {},
    envelope: options.envelope ?? true,
    errorResponses: options.errorResponses ?? true,
    include: options.include ?? (() => true),
  };
  if (!o.info.title || !o.info.version)
    throw new OpenAPIError(OPENAPI_ERROR_CODES.invalidOptions, 'info.title and info.version are required');
  const used = new Set<string>();
  const paths = new Map<string, PathItemObject>();
  const explicit = new Set(routes.map((r) => `${r.method.toLowerCase()} ${r.path}`));
  const sorted = [...routes]
    .filter((r) => o.include(r))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  for (const route of sorted) {
    const parsed = toOpenAPIPath(route.path);
    const hint = findHint(route, o.hints, used);
    const item = paths.get(parsed.template) ?? {};
    for (const method of toMethods(route.method)) {
      // An explicit GET /x beats the GET that ANY /x would imply.
      if (route.method.toUpperCase() === 'ANY' && explicit.has(`${method} ${route.path}`)) continue;
      item[method] = buildOperation(route, method, parsed, hint, o);
    }
    paths.set(parsed.template, item);
  }
  const unknown = Object.keys(o.hints).filter((k) => !used.has(k));
  if (unknown.length > 0)
    throw new OpenAPIError(OPENAPI_ERROR_CODES.unknownHint, `hints match no documented route: ${unknown.join(', ')}`);
  return assembleDocument(paths, o, options);
}

function assembleDocument(
  paths: Map<string, PathItemObject>,
  o: ResolvedGenerate,
  options: GenerateOptions,
): OpenAPIDocument {
  const ordered: Record<string, PathItemObject> = {};
  const ids = new Set<string>();
  const tagNames = new Set<string>();
  for (const [template, item] of paths) {
    const out: PathItemObject = {};
    for (const m of METHOD_ORDER) {
      const op = item[m];
      if (!op) continue;
      out[m] = op;
      op.tags?.forEach((t) => tagNames.add(t));
      if (op.operationId === undefined) continue;
      if (ids.has(op.operationId))
        throw new OpenAPIError(OPENAPI_ERROR_CODES.duplicateOperationId, `duplicate operationId ${op.operationId}`);
      ids.add(op.operationId);
    }
    ordered[template] = out;
  }
  const described = new Map((options.tags ?? []).map((t) => [t.name, t]));
  const tags = [...new Set([...described.keys(), ...tagNames])].sort().map((name) => described.get(name) ?? { name });
  const components: NonNullable<OpenAPIDocument['components']> = {};
  if (o.errorResponses) components.schemas = { ErrorEnvelope: ERROR_ENVELOPE_SCHEMA };
  if (options.securitySchemes) components.securitySchemes = options.securitySchemes;
  return {
    openapi: '3.1.0',
    info: o.info,
    ...(options.servers ? { servers: options.servers } : {}),
    ...(tags.length > 0 ? { tags } : {}),
    paths: ordered,
    ...(Object.keys(components).length > 0 ? { components } : {}),
    ...(options.security ? { security: options.security } : {}),
  };
}
