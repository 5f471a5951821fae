import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import {
  BufferedResponseWriter,
  Context,
  Request,
  RequestState,
  composeMiddleware,
  createRequest,
  readJson,
  writeError,
  writeResponse,
  type Handler,
} from 'plumego/contract';
import { bodyLimit } from './body-limit.ts';

const echo: Handler = async (w, r) => {
  try {
    writeResponse(w, r, 200, await readJson(r));
  } catch (err) {
    writeError(w, r, err);
  }
};

describe('bodyLimit', () => {
  it('answers 413 from content-length without reading the body', async () => {
    const w = new BufferedResponseWriter();
    let called = false;
    await composeMiddleware([bodyLimit({ maxBytes: 4 })], () => {
      called = true;
    })(
      w,
      createRequest({ method: 'POST', url: '/', body: '{"a":1}', headers: { 'content-type': 'application/json' } }),
    );
    expect(called).toBe(false);
    expect(w.status).toBe(413);
    expect(w.getHeader('connection')).toBe('close');
    expect(JSON.parse(w.getBody().toString()).error).toMatchObject({
      code: 'REQUEST_BODY_TOO_LARGE',
      details: { max_bytes: 4, seen_bytes: 7 },
    });
  });

  it('caps a chunked body through the request state', async () => {
    const stream = new PassThrough();
    const r = new Request(
      'POST',
      '/',
      '/',
      '',
      { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
      stream,
      undefined,
      Context.empty,
      new RequestState(undefined),
    );
    const w = new BufferedResponseWriter();
    const done = composeMiddleware([bodyLimit({ maxBytes: 8 })], echo)(w, r);
    stream.end('{"a":"0123456789"}');
    await done;
    expect(w.status).toBe(413);
  });

  it('lets small bodies through', async () => {
    const w = new BufferedResponseWriter();
    await composeMiddleware([bodyLimit({ maxBytes: 100 })], echo)(
      w,
      createRequest({ method: 'POST', url: '/', body: '[1]', headers: { 'content-type': 'application/json' } }),
    );
    expect([w.status, w.getBody().toString()]).toEqual([200, '{"data":[1]}\n']);
  });

  it('is disabled by a non-positive limit and rejects a non-number', async () => {
    const w = new BufferedResponseWriter();
    await composeMiddleware([bodyLimit({ maxBytes: 0 })], echo)(
      w,
      createRequest({ method: 'POST', url: '/', body: '[1]', headers: { 'content-type': 'application/json' } }),
    );
    expect(w.status).toBe(200);
    expect(() => bodyLimit({ maxBytes: Number.NaN })).toThrow(TypeError);
  });
});
