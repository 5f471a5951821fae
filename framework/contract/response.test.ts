import { describe, expect, it } from 'vitest';
import { APIError } from './api-error.ts';
import { createRequest } from './request.ts';
import { BufferedResponseWriter } from './response-writer.ts';
import { InvalidResponseStatusError, writeError, writeNotFound, writeResponse } from './response.ts';

function run(fn: (w: BufferedResponseWriter) => void): { status: number; headers: readonly string[]; body: string } {
  const w = new BufferedResponseWriter();
  fn(w);
  return { status: w.status, headers: w.getHeaderList(), body: w.getBody().toString() };
}

const plain = createRequest({ url: '/' });
const withId = plain.withContext(plain.ctx.withRequestId('req-1'));

describe('writeResponse golden bytes', () => {
  it.each([
    { title: 'data only', data: { a: 1 }, meta: undefined, r: plain, body: '{"data":{"a":1}}\n' },
    {
      title: 'data, meta and request id',
      data: [1],
      meta: { total: 1 },
      r: withId,
      body: '{"data":[1],"meta":{"total":1},"request_id":"req-1"}\n',
    },
    { title: 'null data dropped', data: null, meta: undefined, r: withId, body: '{"request_id":"req-1"}\n' },
    { title: 'empty meta dropped', data: 'x', meta: {}, r: plain, body: '{"data":"x"}\n' },
    { title: 'nothing at all', data: undefined, meta: undefined, r: plain, body: '{}\n' },
    {
      title: 'meta without data',
      data: undefined,
      meta: { n: 2 },
      r: withId,
      body: '{"meta":{"n":2},"request_id":"req-1"}\n',
    },
    {
      title: 'a function as data is dropped',
      data: () => 1,
      meta: undefined,
      r: withId,
      body: '{"request_id":"req-1"}\n',
    },
    {
      title: 'a request id that needs escaping',
      data: 1,
      meta: undefined,
      r: plain.withContext(plain.ctx.withRequestId('a"b\\c\u00e9')),
      body: '{"data":1,"request_id":"a\\"b\\\\c\u00e9"}\n',
    },
  ])('$title', ({ data, meta, r, body }) => {
    const out = run((w) => writeResponse(w, r, 200, data, meta));
    expect(out.body).toBe(body);
    expect(out.headers).toEqual(['content-type', 'application/json']);
  });

  it('sends only the status line for 204', () => {
    const out = run((w) => writeResponse(w, plain, 204, { ignored: true }));
    expect(out).toEqual({ status: 204, headers: [], body: '' });
  });

  it.each([100, 301, 400, 500, 199, 300])('refuses status %i and writes nothing', (status) => {
    const w = new BufferedResponseWriter();
    expect(() => writeResponse(w, plain, status, {})).toThrow(InvalidResponseStatusError);
    expect(w.headersSent).toBe(false);
  });
});

describe('writeError golden bytes', () => {
  it('writes the typed envelope with details and the context request id', () => {
    const err = new APIError({ type: 'validation_failure', message: 'bad', details: { field: 'name' } });
    const out = run((w) => writeError(w, withId, err));
    expect(out.status).toBe(400);
    expect(out.body).toBe(
      '{"error":{"code":"VALIDATION_ERROR","message":"bad","category":"validation_error","type":"validation_failure","details":{"field":"name"}},"request_id":"req-1"}\n',
    );
  });

  it('prefers the builder request id and omits type for untyped errors', () => {
    const err = new APIError({ status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', requestId: 'own' });
    const out = run((w) => writeError(w, withId, err));
    expect(out.body).toBe(
      '{"error":{"code":"UNSUPPORTED_MEDIA_TYPE","message":"Unsupported Media Type","category":"client_error"},"request_id":"own"}\n',
    );
  });

  it('turns a plain Error into a generic 500', () => {
    const out = run((w) => writeError(w, plain, new TypeError('x is undefined')));
    expect(out.status).toBe(500);
    expect(out.body).not.toContain('undefined');
  });

  it('writes nothing once the response started', () => {
    const w = new BufferedResponseWriter();
    w.writeHead(200);
    expect(writeError(w, plain, new APIError())).toBe(false);
    expect(w.status).toBe(200);
  });

  it('writes the reference plain-text 404', () => {
    const out = run((w) => writeNotFound(w));
    expect(out).toEqual({
      status: 404,
      headers: ['content-type', 'text/plain; charset=utf-8', 'x-content-type-options', 'nosniff'],
      body: '404 page not found\n',
    });
  });
});
