import { PassThrough } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isAPIError } from './api-error.ts';
import { isJsonContentType, readBody, readJson } from './body.ts';
import { Context } from './context.ts';
import { Request, RequestState, isClientDisconnect } from './request.ts';

// Property tests for body and JSON reading (issue 21): any chunking, any bytes, any declared
// length, any content type — the reader returns exactly the bytes sent or a typed error, never
// anything else, and never echoes the input in an error.

const RUNS = { numRuns: 150 };

/** A request over a stream this test drives, with the headers given. */
function streamed(headers: Record<string, string>): { r: Request; body: PassThrough } {
  const body = new PassThrough();
  const r = new Request('POST', '/', '/', '', headers, body, undefined, Context.empty, new RequestState(undefined));
  return { r, body };
}

/** Splits `bytes` at the given cut points (any order, duplicates allowed). */
function split(bytes: Uint8Array, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let at = 0;
  for (const p of [...points, bytes.length]) {
    if (p > at) out.push(Buffer.from(bytes.subarray(at, p)));
    at = Math.max(at, p);
  }
  return out;
}

/** Writes chunks on later ticks so the reader sees them arrive one by one. */
async function feed(body: PassThrough, chunks: Buffer[]): Promise<void> {
  for (const c of chunks) {
    await new Promise((r) => setImmediate(r));
    body.write(c);
  }
  body.end();
}

async function settle<T>(p: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  try {
    return { ok: true, value: await p };
  } catch (error) {
    return { ok: false, error };
  }
}

describe('readBody properties', () => {
  it('returns exactly the bytes sent, in any chunking, when they fit the limit', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 2048 }),
        fc.array(fc.nat(), { maxLength: 12 }),
        fc.boolean(),
        async (bytes, cuts, declare) => {
          const { r, body } = streamed(
            declare ? { 'content-length': String(bytes.length) } : { 'transfer-encoding': 'chunked' },
          );
          const read = readBody(r, { maxBytes: 2048 });
          await feed(body, split(bytes, cuts));
          const got = await read;
          expect(Buffer.compare(got, Buffer.from(bytes))).toBe(0);
          // A second read returns the same bytes without touching the stream.
          expect(await readBody(r)).toBe(got);
        },
      ),
      RUNS,
    );
  });

  it('rejects with 413 and the limit whenever the body, declared or streamed, exceeds it', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 512 }),
        fc.integer({ min: 1, max: 600 }),
        fc.array(fc.nat(), { maxLength: 8 }),
        fc.boolean(),
        async (max, extra, cuts, declare) => {
          const bytes = new Uint8Array(max + extra).fill(0x61);
          const { r, body } = streamed(declare ? { 'content-length': String(bytes.length) } : {});
          const read = settle(readBody(r, { maxBytes: max }));
          await feed(body, split(bytes, cuts));
          const res = await read;
          expect(res.ok).toBe(false);
          const err = (res as { error: unknown }).error;
          expect(isAPIError(err) && err.status === 413 && err.code === 'REQUEST_BODY_TOO_LARGE').toBe(true);
          expect(isAPIError(err) && err.details?.['max_bytes']).toBe(max);
        },
      ),
      RUNS,
    );
  });

  it('treats any Content-Length value without crashing: a number over the limit is a 413 before reading', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 30 }), async (declared) => {
        const { r, body } = streamed({ 'content-length': declared });
        const read = settle(readBody(r, { maxBytes: 100 }));
        body.end(Buffer.from('abc'));
        const res = await read;
        const n = Number(declared);
        if (Number.isFinite(n) && n > 100) {
          expect(!res.ok && isAPIError(res.error) && res.error.status === 413).toBe(true);
        } else {
          expect(res).toEqual({ ok: true, value: Buffer.from('abc') });
        }
      }),
      RUNS,
    );
  });

  it('rejects with a client-disconnect error when the stream closes early, at any point', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 256 }), fc.nat(), fc.boolean(), async (bytes, cut, asError) => {
        const { r, body } = streamed({ 'content-length': String(bytes.length + 10) });
        const read = settle(readBody(r));
        const prefix = bytes.subarray(0, cut % (bytes.length + 1));
        if (prefix.length > 0) body.write(Buffer.from(prefix));
        await new Promise((res) => setImmediate(res));
        if (asError) body.destroy(Object.assign(new Error('aborted'), { code: 'ECONNRESET' }));
        else body.destroy();
        const res = await read;
        expect(res.ok).toBe(false);
        expect(isClientDisconnect((res as { error: unknown }).error)).toBe(true);
      }),
      RUNS,
    );
  });
});

describe('readJson properties', () => {
  it('round-trips any JSON value, with any surrounding whitespace and any chunking', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.jsonValue({ maxDepth: 4 }),
        fc.constantFrom('', ' ', '\n', '\r\n\t ', '  \n'),
        fc.array(fc.nat(), { maxLength: 10 }),
        async (value, pad, cuts) => {
          const bytes = Buffer.from(pad + JSON.stringify(value) + pad);
          const { r, body } = streamed({
            'content-type': 'application/json; charset=utf-8',
            'content-length': String(bytes.length),
          });
          const read = readJson(r, { maxBytes: 1 << 20 });
          await feed(body, split(bytes, cuts));
          expect(await read).toEqual(JSON.parse(JSON.stringify(value)));
        },
      ),
      RUNS,
    );
  });

  it('answers any bytes with the parsed value or a 400 INVALID_JSON that does not echo them', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string({ unit: 'binary', maxLength: 64 }).map((s) => Buffer.from(s)),
          fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b)),
        ),
        async (bytes) => {
          const { r, body } = streamed({ 'content-type': 'application/json' });
          const read = settle(readJson(r));
          body.end(bytes);
          const res = await read;
          const text = bytes.toString('utf8').trim();
          let expected: { ok: true; value: unknown } | undefined;
          try {
            expected = text === '' ? undefined : { ok: true, value: JSON.parse(text) };
          } catch {
            expected = undefined;
          }
          if (expected !== undefined) {
            expect(res).toEqual(expected);
            return;
          }
          expect(res.ok).toBe(false);
          const err = (res as { error: unknown }).error;
          expect(isAPIError(err) && err.status === 400 && err.code === 'INVALID_JSON').toBe(true);
          if (text.length > 3 && isAPIError(err)) expect(err.message).not.toContain(text);
        },
      ),
      RUNS,
    );
  });

  it('answers 415 for any content type that is not JSON, before reading the body', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 40 }), async (ct) => {
        const { r, body } = streamed({ 'content-type': ct });
        const read = settle(readJson(r));
        body.end('{}');
        const res = await read;
        if (isJsonContentType(ct)) expect(res).toEqual({ ok: true, value: {} });
        else {
          expect(!res.ok && isAPIError(res.error) && res.error.status === 415).toBe(true);
          expect(r.state.bodyConsumed).toBe(false);
        }
      }),
      RUNS,
    );
  });
});

describe('isJsonContentType properties', () => {
  /** The rule, stated independently: the media type before ';', trimmed, case-insensitive. */
  const model = (ct: string): boolean => {
    const t = ct.split(';')[0]!.trim().toLowerCase();
    return t === 'application/json' || /^application\/.*\+json$/.test(t);
  };

  it('agrees with the model on arbitrary strings and on JSON-like media types', () => {
    const jsonLike = fc
      .tuple(
        fc.constantFrom(
          'application/json',
          'APPLICATION/JSON',
          'application/problem+json',
          'application/+json',
          'text/json',
          'application/jsonx',
        ),
        fc.constantFrom('', '; charset=utf-8', ';', ' ; q=1'),
        fc.constantFrom('', ' ', '\t'),
      )
      .map(([t, p, w]) => w + t + w + p);
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 40 }), jsonLike), (ct) => {
        expect(isJsonContentType(ct)).toBe(model(ct));
      }),
      { numRuns: 500 },
    );
  });
});
