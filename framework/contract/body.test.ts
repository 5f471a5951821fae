import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { isAPIError } from './api-error.ts';
import { isJsonContentType, readBody, readJson } from './body.ts';
import { Context } from './context.ts';
import { Request, RequestState, createRequest } from './request.ts';

const json = (body: string, extra: Record<string, string> = {}) =>
  createRequest({ method: 'POST', url: '/', body, headers: { 'content-type': 'application/json', ...extra } });

async function rejection(
  p: Promise<unknown>,
): Promise<{ status: number; code: string; type: string | undefined; details: unknown }> {
  try {
    await p;
  } catch (err) {
    if (!isAPIError(err)) throw err;
    return { status: err.status, code: err.code, type: err.type, details: err.details };
  }
  throw new Error('expected a rejection');
}

describe('readJson', () => {
  it('parses a JSON body', async () => {
    await expect(readJson(json('{"a":[1,2]}'))).resolves.toEqual({ a: [1, 2] });
  });

  it.each([
    { title: 'invalid JSON', body: '{"a":', status: 400, code: 'INVALID_JSON' },
    { title: 'an empty body', body: '   ', status: 400, code: 'INVALID_JSON' },
  ])('rejects $title with $code', async ({ body, status, code }) => {
    expect(await rejection(readJson(json(body)))).toMatchObject({ status, code });
  });

  it.each([undefined, 'text/plain', 'application/x-www-form-urlencoded'])(
    'rejects content type %s with 415',
    async (ct) => {
      const r = createRequest({ method: 'POST', url: '/', body: '{}', headers: ct ? { 'content-type': ct } : {} });
      expect(await rejection(readJson(r))).toMatchObject({
        status: 415,
        code: 'UNSUPPORTED_MEDIA_TYPE',
        type: 'unsupported_media_type',
      });
    },
  );

  it('accepts a missing content type when told to', async () => {
    const r = createRequest({ method: 'POST', url: '/', body: '[1]' });
    await expect(readJson(r, { requireJsonContentType: false })).resolves.toEqual([1]);
  });

  it('rejects by declared content-length before reading', async () => {
    const r = json('x'.repeat(20));
    expect(await rejection(readJson(r, { maxBytes: 10 }))).toEqual({
      status: 413,
      code: 'REQUEST_BODY_TOO_LARGE',
      type: 'payload_too_large',
      details: { max_bytes: 10, seen_bytes: 20 },
    });
  });

  it('rejects an undeclared body that grows past the limit while streaming', async () => {
    const stream = new PassThrough();
    const r = new Request(
      'POST',
      '/',
      '/',
      '',
      { 'content-type': 'application/json' },
      stream,
      undefined,
      Context.empty,
      new RequestState(undefined),
    );
    const p = readJson(r, { maxBytes: 8 });
    stream.write('{"a":"');
    stream.write('0123456789');
    stream.end('"}');
    expect(await rejection(p)).toMatchObject({ status: 413, details: { max_bytes: 8, seen_bytes: 16 } });
  });

  it('applies the lower of the option and the middleware limit', async () => {
    const r = json('{"a":"0123456789"}');
    r.state.maxBodyBytes = 5;
    expect(await rejection(readJson(r, { maxBytes: 1000 }))).toMatchObject({ status: 413, details: { max_bytes: 5 } });
  });
});

describe('readBody', () => {
  it('returns the same bytes to a second reader', async () => {
    const r = json('hello');
    const a = await readBody(r);
    const b = await readBody(r);
    expect(b).toBe(a);
    expect(a.toString()).toBe('hello');
  });

  it('rejects when the stream errors mid-body', async () => {
    const stream = new PassThrough();
    const r = new Request('POST', '/', '/', '', {}, stream, undefined, Context.empty, new RequestState(undefined));
    const p = readBody(r);
    stream.write('partial');
    stream.destroy(new Error('socket hang up'));
    await expect(p).rejects.toThrow('socket hang up');
  });
});

describe('isJsonContentType', () => {
  it.each([
    ['application/json', true],
    ['Application/JSON; charset=utf-8', true],
    ['application/problem+json', true],
    ['text/json', false],
    ['application/jsonp', false],
    [undefined, false],
  ] as const)('%s → %s', (value, expected) => {
    expect(isJsonContentType(value)).toBe(expected);
  });
});
