import { describe, expect, it } from 'vitest';
import { APIError, asAPIError, createErrorBuilder, isAPIError, toAPIError } from './api-error.ts';
import { ERROR_TYPES, getCategoryForStatus, getCodeForStatus, type ErrorType } from './error-types.ts';

describe('canonical error table', () => {
  it('has the 26 reference rows plus unsupported_media_type', () => {
    expect(Object.keys(ERROR_TYPES)).toHaveLength(27);
    expect(ERROR_TYPES.unsupported_media_type).toEqual({
      category: 'client_error',
      code: 'UNSUPPORTED_MEDIA_TYPE',
      status: 415,
    });
    expect(ERROR_TYPES.payload_too_large).toEqual({
      category: 'client_error',
      code: 'REQUEST_BODY_TOO_LARGE',
      status: 413,
    });
    expect(ERROR_TYPES.timeout_failure).toEqual({ category: 'timeout_error', code: 'TIMEOUT', status: 408 });
    expect(ERROR_TYPES.invalid_request.status).toBe(422);
  });

  it('builds every type with the table status, category and code', () => {
    for (const [type, meta] of Object.entries(ERROR_TYPES)) {
      const e = new APIError({ type: type as ErrorType });
      expect([e.status, e.category, e.code, e.type]).toEqual([meta.status, meta.category, meta.code, type]);
    }
  });

  it.each([
    { status: 401, category: 'auth_error', code: 'UNAUTHORIZED' },
    { status: 403, category: 'auth_error', code: 'FORBIDDEN' },
    { status: 429, category: 'rate_limit_error', code: 'RATE_LIMITED' },
    { status: 408, category: 'timeout_error', code: 'TIMEOUT' },
    { status: 504, category: 'timeout_error', code: 'GATEWAY_TIMEOUT' },
    { status: 418, category: 'client_error', code: 'INVALID_REQUEST' },
    { status: 507, category: 'server_error', code: 'INTERNAL_ERROR' },
  ])('derives category and code for untyped status $status', ({ status, category, code }) => {
    expect(getCategoryForStatus(status)).toBe(category);
    expect(getCodeForStatus(status)).toBe(code);
  });
});

describe('APIError normalisation', () => {
  it('lets a code refine a type but never its status or category', () => {
    const e = new APIError({
      type: 'resource_not_found',
      code: 'ITEM_NOT_FOUND',
      status: 200,
      category: 'server_error',
    });
    expect([e.status, e.category, e.code]).toEqual([404, 'client_error', 'ITEM_NOT_FOUND']);
  });

  it.each([0, 200, 302, 600, 450.5, Number.NaN])('turns out-of-range status %s into a 500', (status) => {
    const e = new APIError({ status, code: 'WHATEVER' });
    expect([e.status, e.category, e.code]).toEqual([500, 'server_error', 'INTERNAL_ERROR']);
  });

  it('defaults an untyped error to 500 and an empty message to the status text', () => {
    const e = new APIError();
    expect([e.status, e.message, e.type]).toEqual([500, 'Internal Server Error', undefined]);
    expect(new APIError({ status: 404 }).message).toBe('Not Found');
  });

  it('deep-copies details so later caller mutation does not leak', () => {
    const details = { nested: { a: 1 } };
    const e = createErrorBuilder().type('validation_failure').details(details).detail('field', 'name').build();
    details.nested.a = 2;
    expect(e.details).toEqual({ nested: { a: 1 }, field: 'name' });
    expect(Object.isFrozen(e.details)).toBe(true);
  });

  it('omits empty details', () => {
    expect(createErrorBuilder().type('bad_request').build().details).toBeUndefined();
  });

  it('keeps a wrapped cause without exposing it in the message', () => {
    const cause = new Error('db password=hunter2');
    const e = createErrorBuilder().type('internal_error').wrap(cause).build();
    expect(e.cause).toBe(cause);
    expect(e.message).toBe('Internal Server Error');
  });
});

describe('recognising API errors', () => {
  it('uses a cross-copy brand rather than instanceof', () => {
    const foreign = Object.assign(new Error('x'), { [Symbol.for('plumego.api-error')]: true });
    expect(isAPIError(foreign)).toBe(true);
    expect(isAPIError(new Error('x'))).toBe(false);
    expect(isAPIError(null)).toBe(false);
  });

  it('finds an API error through the cause chain', () => {
    const inner = new APIError({ type: 'forbidden_request' });
    expect(asAPIError(new Error('outer', { cause: new Error('mid', { cause: inner }) }))).toBe(inner);
    expect(asAPIError('nope')).toBeUndefined();
  });

  it('survives a cyclic cause chain', () => {
    const a: { cause?: unknown } = {};
    a.cause = a;
    expect(asAPIError(a)).toBeUndefined();
  });

  it('maps unknown throwables to a generic 500 that does not echo them', () => {
    const e = toAPIError(new Error('secret detail'));
    expect([e.status, e.code, e.message]).toEqual([500, 'INTERNAL_ERROR', 'internal server error']);
  });
});
