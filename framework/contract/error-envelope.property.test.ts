import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { APIError } from './api-error.ts';
import { ERROR_TYPES, type ErrorType } from './error-types.ts';
import { createRequest } from './request.ts';
import { writeError } from './response.ts';
import { BufferedResponseWriter } from './response-writer.ts';

// Whatever a handler throws, writeError answers the envelope: valid JSON, a 4xx/5xx status, the
// three required fields, and nothing of a non-APIError's message (issue 21: no internal detail).

const anyThrown = fc.oneof(
  fc.string().map((m) => new Error(m)),
  fc.string().map((m) => new TypeError(m)),
  fc.string(),
  fc.integer(),
  fc.constant(null),
  fc.constant(undefined),
  fc.object(),
  fc.string().map((m) => Object.assign(new Error(m), { status: 400, code: 'SPOOFED' })),
);

const anyAPIError = fc
  .oneof(
    fc.record({
      type: fc.constantFrom(...(Object.keys(ERROR_TYPES) as ErrorType[])),
      message: fc.string(),
      code: fc.option(fc.stringMatching(/^[A-Z][A-Z0-9_]{0,20}$/), { nil: undefined }),
    }),
    fc.record({ status: fc.integer({ min: -1000, max: 1000 }), message: fc.string() }),
  )
  .map((init) => new APIError(init as never));

function send(err: unknown, requestId = 'rid') {
  const w = new BufferedResponseWriter();
  const r = createRequest({ url: '/' });
  writeError(w, r.withContext(r.ctx.withRequestId(requestId)), err);
  return { status: w.status, type: w.getHeader('content-type'), body: w.getBody().toString() };
}

describe('error envelope properties', () => {
  it('answers any thrown non-APIError with the generic 500 and none of its text', () => {
    fc.assert(
      fc.property(anyThrown, (thrown) => {
        const res = send(thrown);
        expect(res.status).toBe(500);
        expect(res.type).toBe('application/json');
        expect(JSON.parse(res.body)).toEqual({
          error: {
            code: 'INTERNAL_ERROR',
            message: 'internal server error',
            category: 'server_error',
            type: 'internal_error',
          },
          request_id: 'rid',
        });
      }),
      { numRuns: 300 },
    );
  });

  it('answers any APIError with a 4xx/5xx envelope that parses and carries its code', () => {
    fc.assert(
      fc.property(anyAPIError, fc.stringMatching(/^[A-Za-z0-9._:-]{0,20}$/), (err, id) => {
        const res = send(err, id);
        expect(res.status).toBeGreaterThanOrEqual(400);
        expect(res.status).toBeLessThanOrEqual(599);
        const body = JSON.parse(res.body) as { error: Record<string, unknown>; request_id?: string };
        expect(body.error['code']).toBe(err.code);
        expect(typeof body.error['message']).toBe('string');
        expect(typeof body.error['category']).toBe('string');
        expect(body.request_id).toBe(id === '' ? undefined : id);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps the envelope valid JSON for any request id and message characters', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary', maxLength: 40 }), (message, id) => {
        const res = send(new APIError({ type: 'bad_request', message }), id);
        expect(() => JSON.parse(res.body)).not.toThrow();
      }),
      { numRuns: 300 },
    );
  });
});
