import { APIError } from 'plumego/contract';
import type { ItemInput } from './item.ts';

const FIELDS = new Set(['name', 'description', 'price']);

/**
 * Checks a decoded JSON body against the item shape. `partial` (PATCH) makes every field optional
 * but still rejects unknown and mistyped ones. Errors are envelopes-to-be with stable codes.
 */
export function parseItemInput(body: unknown, partial: boolean): Partial<ItemInput> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new APIError({ type: 'bad_request', code: 'ITEM_BODY_NOT_OBJECT', message: 'body must be a JSON object' });
  }
  const rec = body as Record<string, unknown>;
  for (const key of Object.keys(rec)) {
    if (!FIELDS.has(key))
      throw new APIError({
        type: 'bad_request',
        code: 'ITEM_UNKNOWN_FIELD',
        message: 'unknown field',
        details: { field: key },
      });
  }
  const invalid: Record<string, string> = {};
  const out: Partial<ItemInput> = {};
  if (rec['name'] !== undefined) {
    if (typeof rec['name'] !== 'string' || rec['name'].trim() === '' || rec['name'].length > 100)
      invalid['name'] = 'must be a non-empty string of at most 100 characters';
    else out.name = rec['name'].trim();
  }
  if (rec['description'] !== undefined) {
    if (typeof rec['description'] !== 'string' || rec['description'].length > 1000)
      invalid['description'] = 'must be a string of at most 1000 characters';
    else out.description = rec['description'];
  }
  if (rec['price'] !== undefined) {
    if (typeof rec['price'] !== 'number' || !Number.isFinite(rec['price']) || rec['price'] < 0)
      invalid['price'] = 'must be a non-negative number';
    else out.price = rec['price'];
  }
  if (Object.keys(invalid).length > 0) {
    throw new APIError({
      type: 'invalid_format',
      code: 'ITEM_INVALID_FIELD',
      message: 'invalid fields',
      details: invalid,
    });
  }
  if (!partial && out.name === undefined) {
    throw new APIError({
      type: 'required_field_missing',
      code: 'ITEM_FIELDS_REQUIRED',
      message: 'missing required fields',
      details: { name: 'required' },
    });
  }
  return out;
}
