import type { OperationHint } from 'plumego/x/openapi';
import { t } from 'plumego/x/validate';
import { createProductSchema, listProductsQuery, productParams, productSchema } from '../domain/product.ts';

const fileSchema = t.object({
  id: t.string(),
  name: t.string(),
  content_type: t.string(),
  size: t.integer({ minimum: 0 }),
  sha256: t.string({ pattern: '^[0-9a-f]{64}$' }),
  uploaded_by: t.optional(t.string()),
  created_at: t.string({ format: 'date-time' }),
});
const tenantHeader = {
  name: 'X-Tenant-ID',
  in: 'header' as const,
  required: true,
  schema: { type: 'string', pattern: '^[A-Za-z0-9._:-]{1,128}$' },
};

/** Everything the route table cannot say; keyed by route name. The schemas are the ones handlers validate with. */
export const OPENAPI_HINTS: Record<string, OperationHint> = {
  listProducts: {
    summary: 'List products',
    query: listProductsQuery,
    responses: { '200': { schema: t.array(productSchema) } },
  },
  createProduct: {
    summary: 'Create a product',
    requestBody: createProductSchema,
    responses: { '201': { description: 'Created', schema: productSchema } },
  },
  getProduct: {
    summary: 'Get a product',
    params: productParams,
    responses: { '200': { schema: productSchema }, '404': { description: 'No such product' } },
  },
  getProductPrice: {
    summary: 'Current price from the pricing upstream',
    description:
      'Guarded by a circuit breaker: while the upstream is failing the route answers 503 CIRCUIT_OPEN with Retry-After.',
    params: productParams,
    responses: {
      '200': { schema: t.object({ id: t.string(), sku: t.string(), price_cents: t.integer() }) },
      '502': { description: 'The upstream failed after retries' },
      '503': { description: 'Circuit open' },
    },
  },
  'fileapi.upload': {
    summary: 'Upload a file (multipart/form-data, field "file")',
    parameters: [tenantHeader],
    requestBody: {
      contentType: 'multipart/form-data',
      schema: {
        type: 'object',
        required: ['file'],
        properties: { file: { type: 'string', contentMediaType: 'application/octet-stream' } },
      },
    },
    responses: {
      '201': { description: 'Stored', schema: fileSchema },
      '413': { description: 'File too large' },
      '415': { description: 'File type not allowed' },
    },
  },
  'fileapi.list': {
    summary: 'List files, newest first',
    parameters: [tenantHeader],
    query: t.object({
      page: t.optional(t.integer({ minimum: 1 })),
      page_size: t.optional(t.integer({ minimum: 1, maximum: 100 })),
      created_after: t.optional(t.string()),
      created_before: t.optional(t.string()),
    }),
    responses: { '200': { schema: t.array(fileSchema) } },
  },
  'fileapi.download': {
    summary: 'Download a file (supports Range)',
    parameters: [tenantHeader],
    responses: {
      '200': {
        raw: true,
        contentType: 'application/octet-stream',
        schema: { type: 'string', contentMediaType: 'application/octet-stream' },
      },
      '206': {
        raw: true,
        description: 'Partial content',
        contentType: 'application/octet-stream',
        schema: { type: 'string' },
      },
    },
  },
  'fileapi.info': {
    summary: 'File metadata',
    parameters: [tenantHeader],
    responses: { '200': { schema: fileSchema } },
  },
  'fileapi.delete': { summary: 'Delete a file', parameters: [tenantHeader], responses: { '204': {} } },
};
