import type { JsonSchema } from 'plumego/x/validate';
import type { ResourceDefinition } from './resource.ts';
import type { Row } from './repository.ts';

/** The shape x/openapi's `OperationHint` accepts (structural, so x/rest does not depend on x/openapi). */
export interface ResourceOperationHint {
  summary: string;
  operationId: string;
  parameters?: { name: string; in: 'query' | 'header'; required?: boolean; schema: JsonSchema; description?: string }[];
  requestBody?: { jsonSchema: JsonSchema };
  responses: Record<string, { description: string; schema?: { jsonSchema: JsonSchema } }>;
}

const ERROR = { description: 'Error envelope' };

/**
 * x/openapi hints for the routes `registerResource` added, keyed by route name — the same schemas
 * the handlers validate with, so the document cannot disagree with the API.
 */
export function resourceDocs<T extends Row>(def: ResourceDefinition<T>): Record<string, ResourceOperationHint> {
  const row = def.schema ?? { jsonSchema: { type: 'object' } };
  const list = { jsonSchema: { type: 'array', items: row.jsonSchema } };
  const patch = def.patch ?? { jsonSchema: { ...def.create.jsonSchema, required: [] } };
  const filters = Object.entries(def.list?.filters ?? {}).flatMap(([field, spec]) =>
    (spec.ops ?? ['eq']).map((op) => ({
      name: op === 'eq' ? field : `${field}[${op}]`,
      in: 'query' as const,
      schema: { type: op === 'in' ? 'string' : spec.type } as JsonSchema,
      description: op === 'in' ? `comma-separated ${spec.type} values` : `${field} ${op}`,
    })),
  );
  const sortable = [...(def.list?.sort ?? [])];
  const listParams = [
    { name: 'page', in: 'query' as const, schema: { type: 'integer', minimum: 1 } },
    {
      name: 'page_size',
      in: 'query' as const,
      schema: { type: 'integer', minimum: 1, maximum: def.list?.maxPageSize ?? 100 },
    },
    {
      name: 'cursor',
      in: 'query' as const,
      schema: { type: 'string' },
      description: 'opaque cursor from meta.pagination.next_cursor (empty to start)',
    },
    {
      name: 'sort',
      in: 'query' as const,
      schema: { type: 'string' },
      description: `comma-separated, '-' for descending; one of: ${sortable.join(', ') || 'id'}`,
    },
    ...filters,
  ];
  const ifMatch = def.versionField
    ? [
        {
          name: 'if-match',
          in: 'header' as const,
          schema: { type: 'string' },
          description: 'the ETag of the version being changed',
        },
      ]
    : [];
  const n = def.name;
  const max = def.batch?.maxItems ?? 100;
  const batch: Record<string, ResourceOperationHint> = {};
  if (def.batch?.create) {
    batch[`${n}.batch-create`] = {
      summary: `Create up to ${max} ${n} rows, all or none`,
      operationId: `${n}.batch-create`,
      requestBody: {
        jsonSchema: {
          type: 'object',
          required: ['items'],
          additionalProperties: false,
          properties: { items: { type: 'array', minItems: 1, maxItems: max, items: def.create.jsonSchema } },
        } as JsonSchema,
      },
      responses: { '201': { description: 'Created, in request order', schema: list }, '409': ERROR, '422': ERROR },
    };
  }
  if (def.batch?.delete) {
    batch[`${n}.batch-delete`] = {
      summary: `Delete up to ${max} ${n} rows, all or none`,
      operationId: `${n}.batch-delete`,
      requestBody: {
        jsonSchema: {
          type: 'object',
          required: ['ids'],
          additionalProperties: false,
          properties: { ids: { type: 'array', minItems: 1, maxItems: max, items: { type: def.idType ?? 'integer' } } },
        } as JsonSchema,
      },
      responses: { '204': { description: 'Deleted' }, '422': ERROR },
    };
  }
  return {
    ...batch,
    [`${n}.list`]: {
      summary: `List ${n}`,
      operationId: `${n}.list`,
      parameters: listParams,
      responses: { '200': { description: 'A page of rows', schema: list }, '400': ERROR },
    },
    [`${n}.create`]: {
      summary: `Create a ${n} row`,
      operationId: `${n}.create`,
      requestBody: def.create,
      responses: { '201': { description: 'Created', schema: row }, '409': ERROR, '422': ERROR },
    },
    [`${n}.get`]: {
      summary: `Read a ${n} row`,
      operationId: `${n}.get`,
      responses: { '200': { description: 'The row', schema: row }, '404': ERROR },
    },
    [`${n}.replace`]: {
      summary: `Replace a ${n} row`,
      operationId: `${n}.replace`,
      parameters: ifMatch,
      requestBody: def.create,
      responses: { '200': { description: 'Replaced', schema: row }, '404': ERROR, '412': ERROR, '422': ERROR },
    },
    [`${n}.patch`]: {
      summary: `Change fields of a ${n} row`,
      operationId: `${n}.patch`,
      parameters: ifMatch,
      requestBody: patch,
      responses: { '200': { description: 'Changed', schema: row }, '404': ERROR, '412': ERROR, '422': ERROR },
    },
    [`${n}.delete`]: {
      summary: `Delete a ${n} row`,
      operationId: `${n}.delete`,
      parameters: ifMatch,
      responses: { '204': { description: 'Deleted' }, '404': ERROR, '412': ERROR },
    },
  };
}
