// Edge cases the mutation run showed no test pinned down (#25): bytes on the wire from the Node
// writer, buffered-writer limits, body limits at the boundary, error normalisation and envelopes.
import { createServer } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { APIError, asAPIError, createAPIError, createErrorBuilder, isAPIError, toAPIError } from './api-error.ts';
import { readBody, readJson } from './body.ts';
import { Context } from './context.ts';
import type { ErrorType } from './error-types.ts';
import { createHeaderBlock } from './header-list.ts';
import { Request, RequestState, createRequest } from './request.ts';
import { BufferedResponseWriter, NodeResponseWriter } from './response-writer.ts';
import { writeError, writeNotFound, writeResponse } from './response.ts';

interface Wire {
  status: number;
  /** Header lines as [lowercase name, value], in wire order. */
  headers: [string, string][];
  body: string;
  writer: NodeResponseWriter;
}

/** Serves one request with `fn` and returns the raw response as it crossed the socket. */
async function wire(fn: (w: NodeResponseWriter) => void, method = 'GET'): Promise<Wire> {
  let writer: NodeResponseWriter | undefined;
  const server = createServer((_req, res) => {
    writer = new NodeResponseWriter(res);
    fn(writer);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  try {
    const raw = await new Promise<string>((resolve, reject) => {
      const s = connect(port, '127.0.0.1', () => s.end(`${method} / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`));
      let data = '';
      s.setEncoding('latin1');
      s.on('data', (c: string) => (data += c));
      s.on('end', () => resolve(data));
      s.on('error', reject);
    });
    const split = raw.indexOf('\r\n\r\n');
    const [statusLine, ...lines] = raw.slice(0, split).split('\r\n');
    const headers = lines.map((l): [string, string] => [
      l.slice(0, l.indexOf(':')).toLowerCase(),
      l.slice(l.indexOf(':') + 1).trim(),
    ]);
    return { status: Number(statusLine!.split(' ')[1]), headers, body: raw.slice(split + 4), writer: writer! };
  } finally {
    server.close();
  }
}

const values = (out: Wire, name: string) => out.headers.filter(([n]) => n === name).map(([, v]) => v);

describe('NodeResponseWriter on the wire', () => {
  it('adds no Content-Length beside a handler-set Transfer-Encoding', async () => {
    const out = await wire((w) => {
      w.setHeader('Transfer-Encoding', 'chunked');
      w.end('abc');
    });
    expect(values(out, 'content-length')).toEqual([]);
    expect(values(out, 'transfer-encoding')).toEqual(['chunked']);
    expect(out.body).toBe('3\r\nabc\r\n0\r\n\r\n');
  });

  it('keeps a handler-set Content-Length instead of adding a second one', async () => {
    const out = await wire((w) => {
      w.setHeader('Content-Length', '3');
      w.end('abc');
    });
    expect(values(out, 'content-length')).toEqual(['3']);
    expect(out.body).toBe('abc');
  });

  it('sends Content-Length: 0 with the staged status and headers for a bare end()', async () => {
    const out = await wire((w) => {
      w.setHeader('x-a', '1');
      w.writeHead(202);
      w.end();
    });
    expect(out.status).toBe(202);
    expect(values(out, 'x-a')).toEqual(['1']);
    expect(values(out, 'content-length')).toEqual(['0']);
    expect(values(out, 'transfer-encoding')).toEqual([]);
    expect(out.writer.bytesWritten).toBe(0);
  });

  it('counts the bytes of end(body) and ignores a second end', async () => {
    const out = await wire((w) => {
      w.end('héllo');
      w.end('more');
      expect(w.write('late')).toBe(false);
    });
    expect(out.body).toBe('h\u00c3\u00a9llo');
    expect(values(out, 'content-length')).toEqual(['6']);
    expect([out.writer.bytesWritten, out.writer.finished, out.writer.status]).toEqual([6, true, 200]);
  });

  it('streams with the staged status and headers, accepting each write', async () => {
    const accepted: boolean[] = [];
    const out = await wire((w) => {
      w.setHeader('x-s', 'yes');
      w.writeHead(206);
      accepted.push(w.write('a'), w.write(new Uint8Array([98, 99])));
      w.end('d');
    });
    expect(accepted).toEqual([true, true]);
    expect(out.status).toBe(206);
    expect(values(out, 'x-s')).toEqual(['yes']);
    expect(out.body).toBe('1\r\na\r\n2\r\nbc\r\n1\r\nd\r\n0\r\n\r\n');
    expect(out.writer.bytesWritten).toBe(4);
  });

  it('keeps the first writeHead and ignores header edits after it', async () => {
    const out = await wire((w) => {
      w.writeHead(201);
      w.writeHead(500);
      w.setHeader('x-late', '1');
      w.appendHeader('x-late2', '1');
      w.removeHeader('x-gone');
      w.addHeaderBlock(createHeaderBlock({ 'x-block': '1' }));
      w.end('ok');
    });
    expect(out.status).toBe(201);
    expect(out.headers.map(([n]) => n).filter((n) => n.startsWith('x-'))).toEqual([]);
  });

  it('appends repeated headers, reads staged values back, and removes staged and raw headers', async () => {
    const seen: unknown[] = [];
    const out = await wire((w) => {
      w.appendHeader('X-Multi', 'a');
      w.appendHeader('x-multi', 'b');
      w.setHeader('x-drop', '1');
      w.raw.setHeader('x-raw-drop', '1');
      w.raw.setHeader('x-num', 5);
      w.raw.setHeader('x-arr', ['p', 'q']);
      seen.push(
        w.getHeader('X-MULTI'),
        w.hasHeader('x-multi'),
        w.hasHeader('x-none'),
        w.getHeader('x-num'),
        w.getHeader('x-arr'),
      );
      w.removeHeader('X-Drop');
      w.removeHeader('X-Raw-Drop');
      w.removeHeader('x-never-set');
      seen.push(w.hasHeader('x-drop'), w.hasHeader('x-raw-drop'));
      w.end();
    });
    expect(seen).toEqual(['a', true, false, '5', 'p', false, false]);
    expect(values(out, 'x-multi')).toEqual(['a', 'b']);
    expect(values(out, 'x-drop')).toEqual([]);
    expect(values(out, 'x-raw-drop')).toEqual([]);
  });

  it('keeps every Set-Cookie when connect-style code also set raw headers, staged values replacing raw ones', async () => {
    const out = await wire((w) => {
      w.raw.setHeader('x-powered', 'connect');
      w.raw.setHeader('x-both', 'raw');
      w.appendHeader('Set-Cookie', 'a=1');
      w.appendHeader('Set-Cookie', 'b=2');
      w.setHeader('x-both', 'ours');
      w.end('ok');
    });
    expect(values(out, 'set-cookie')).toEqual(['a=1', 'b=2']);
    expect(values(out, 'x-both')).toEqual(['ours']);
    expect(values(out, 'x-powered')).toEqual(['connect']);
    expect(values(out, 'content-length')).toEqual(['2']);
  });

  it('takes the status of a response written through raw and reports it finished', async () => {
    const out = await wire((w) => {
      w.raw.writeHead(418, { 'content-type': 'text/plain' });
      w.raw.write('x');
      expect(w.headersSent).toBe(true);
      w.setHeader('x-after', '1');
      w.write('y');
      expect(w.status).toBe(418);
      w.raw.end('z');
      expect(w.finished).toBe(true);
      expect(w.write('late')).toBe(false);
    });
    expect(out.status).toBe(418);
    expect(values(out, 'x-after')).toEqual([]);
    expect(out.body).toBe('1\r\nx\r\n1\r\ny\r\n1\r\nz\r\n0\r\n\r\n');
  });

  it('counts body bytes for HEAD although Node sends none', async () => {
    const out = await wire((w) => w.end('abcd'), 'HEAD');
    expect(out.writer.bytesWritten).toBe(4);
    expect(out.body).toBe('');
  });
});

describe('BufferedResponseWriter limits and state', () => {
  it('accepts a body of exactly maxBytes and overflows one byte later', () => {
    const b = new BufferedResponseWriter(4);
    expect(b.write('ab')).toBe(true);
    expect(b.write('cd')).toBe(true);
    expect(b.overflowed).toBe(false);
    expect(b.write('e')).toBe(false);
    expect(b.overflowed).toBe(true);
    expect(b.getBody().toString()).toBe('abcd');
    const exact = new BufferedResponseWriter(3);
    exact.end('xyz');
    expect([exact.overflowed, exact.finished, exact.getBody().toString()]).toEqual([false, true, 'xyz']);
  });

  it('implies 200 on the first write, keeps an explicit status, and refuses writes after end', () => {
    const b = new BufferedResponseWriter();
    b.write('a');
    expect([b.status, b.headersSent]).toEqual([200, true]);
    const c = new BufferedResponseWriter();
    c.writeHead(201);
    c.write('a');
    c.end();
    expect(c.status).toBe(201);
    expect(c.write('b')).toBe(false);
    c.end('c');
    expect(c.getBody().toString()).toBe('a');
    const d = new BufferedResponseWriter();
    d.end();
    expect([d.status, d.finished, d.headersSent]).toEqual([200, true, true]);
  });

  it('calls onEnd once, on the first end only', () => {
    const b = new BufferedResponseWriter();
    let calls = 0;
    b.onEnd = () => calls++;
    b.end('x');
    b.end('y');
    expect(calls).toBe(1);
  });

  it('ignores header changes once headers are sent', () => {
    const b = new BufferedResponseWriter();
    b.setHeader('x-a', '1');
    b.writeHead(200);
    b.setHeader('x-a', '2');
    b.appendHeader('x-b', '1');
    b.removeHeader('x-a');
    b.addHeaderBlock(createHeaderBlock({ 'x-c': '1' }));
    b.writeHead(500);
    expect(b.getHeaderList()).toEqual(['x-a', '1']);
    expect(b.status).toBe(200);
  });

  it('ignores everything after abandon, headers and status included', () => {
    const b = new BufferedResponseWriter();
    b.setHeader('x-a', '1');
    b.abandon();
    b.setHeader('x-a', '2');
    b.appendHeader('x-b', '1');
    b.removeHeader('x-a');
    b.addHeaderBlock(createHeaderBlock({ 'x-c': '1' }));
    b.writeHead(201);
    expect(b.write('x')).toBe(false);
    expect(b.getHeaderList()).toEqual(['x-a', '1']);
    expect([b.status, b.headersSent]).toEqual([0, false]);
  });

  it('answers hasHeader case-insensitively and removes staged headers', () => {
    const b = new BufferedResponseWriter();
    b.appendHeader('Set-Cookie', 'a=1');
    b.appendHeader('set-cookie', 'b=2');
    b.setHeader('X-Keep', '1');
    expect([b.hasHeader('SET-COOKIE'), b.hasHeader('x-keep'), b.hasHeader('x-none')]).toEqual([true, true, false]);
    b.removeHeader('Set-Cookie');
    expect(b.hasHeader('set-cookie')).toBe(false);
    expect(b.getHeaderList()).toEqual(['x-keep', '1']);
  });

  it('replays an empty, a one-chunk and a many-chunk body byte for byte', () => {
    for (const chunks of [[], ['one'], ['a', new Uint8Array([98]), 'c']]) {
      const b = new BufferedResponseWriter();
      b.writeHead(203);
      for (const c of chunks) b.write(c);
      b.end();
      const target = new BufferedResponseWriter();
      b.flushTo(target);
      expect([target.status, target.finished, target.getBody().toString()]).toEqual([
        203,
        true,
        chunks.map((c) => (typeof c === 'string' ? c : 'b')).join(''),
      ]);
    }
  });
});

function streamRequest(headers: Record<string, string> = {}): { r: Request; stream: PassThrough } {
  const stream = new PassThrough();
  return {
    r: new Request('POST', '/', '/', '', headers, stream, undefined, Context.empty, new RequestState(undefined)),
    stream,
  };
}

async function apiRejection(p: Promise<unknown>): Promise<APIError> {
  try {
    await p;
  } catch (err) {
    if (isAPIError(err)) return err;
    throw err;
  }
  throw new Error('expected a rejection');
}

describe('body limits at the boundary', () => {
  it('accepts a declared body of exactly maxBytes and refuses one byte more', async () => {
    await expect(
      readBody(createRequest({ method: 'POST', url: '/', body: '12345' }), { maxBytes: 5 }),
    ).resolves.toEqual(Buffer.from('12345'));
    const over = await apiRejection(
      readBody(createRequest({ method: 'POST', url: '/', body: '123456' }), { maxBytes: 5 }),
    );
    expect([over.status, over.details]).toEqual([413, { max_bytes: 5, seen_bytes: 6 }]);
  });

  it('accepts a streamed body of exactly maxBytes and refuses one byte more', async () => {
    const fits = streamRequest();
    const p = readBody(fits.r, { maxBytes: 5 });
    fits.stream.write('12');
    fits.stream.end('345');
    expect((await p).toString()).toBe('12345');
    const over = streamRequest();
    const q = readBody(over.r, { maxBytes: 5 });
    over.stream.write('123');
    over.stream.end('456');
    expect((await apiRejection(q)).details).toEqual({ max_bytes: 5, seen_bytes: 6 });
  });

  it.each([
    { title: 'the middleware limit when lower', own: 100, mw: 4, max: 4 },
    { title: 'the option when lower', own: 4, mw: 100, max: 4 },
    { title: 'a middleware limit of zero', own: 100, mw: 0, max: 0 },
  ])('enforces $title', async ({ own, mw, max }) => {
    const r = createRequest({ method: 'POST', url: '/', body: '0123456789' });
    r.state.maxBodyBytes = mw;
    const err = await apiRejection(readBody(r, { maxBytes: own }));
    expect(err.details).toEqual({ max_bytes: max, seen_bytes: 10 });
  });

  it('uses the option alone when no middleware limit is set', async () => {
    const r = createRequest({ method: 'POST', url: '/', body: '0123456789' });
    expect(r.state.maxBodyBytes).toBe(-1);
    await expect(readBody(r, { maxBytes: 10 })).resolves.toHaveLength(10);
  });

  it('refuses a second reader while the first is still reading', async () => {
    const { r, stream } = streamRequest();
    const first = readBody(r);
    const second = readBody(r);
    await expect(second).rejects.toThrow(Error);
    expect(isAPIError(await second.catch((e: unknown) => e))).toBe(false);
    stream.end('x');
    expect((await first).toString()).toBe('x');
  });

  it('sends 100 Continue once the declared length passed the check, and never for a too-large body', async () => {
    let sent = 0;
    const ok = createRequest({ method: 'POST', url: '/', body: 'abc' });
    ok.state.sendContinue = () => sent++;
    await readBody(ok, { maxBytes: 3 });
    expect([sent, ok.state.sendContinue]).toEqual([1, undefined]);
    await readBody(ok, { maxBytes: 3 });
    expect(sent).toBe(1);
    const big = createRequest({ method: 'POST', url: '/', body: 'abcd' });
    big.state.sendContinue = () => sent++;
    await apiRejection(readBody(big, { maxBytes: 3 }));
    expect(sent).toBe(1);
  });

  it('leaves no listeners on the body stream once it resolved or was refused', async () => {
    const a = streamRequest();
    const p = readBody(a.r);
    a.stream.end('done');
    await p;
    expect(['data', 'end', 'error', 'close'].map((e) => a.stream.listenerCount(e))).toEqual([0, 0, 0, 0]);
    const b = streamRequest();
    const q = readBody(b.r, { maxBytes: 2 });
    b.stream.write('abc');
    await apiRejection(q);
    expect(['end', 'error', 'close'].map((e) => b.stream.listenerCount(e))).toEqual([0, 0, 0]);
  });

  it('parses a JSON body that starts with a byte order mark', async () => {
    const r = createRequest({
      method: 'POST',
      url: '/',
      body: '\uFEFF{"a":1}',
      headers: { 'content-type': 'application/json' },
    });
    await expect(readJson(r)).resolves.toEqual({ a: 1 });
  });

  it('answers a JSON body of whitespace only with INVALID_JSON', async () => {
    const err = await apiRejection(
      readJson(
        createRequest({ method: 'POST', url: '/', body: ' \n\t ', headers: { 'content-type': 'application/json' } }),
      ),
    );
    expect([err.status, err.code]).toEqual([400, 'INVALID_JSON']);
  });
});

describe('APIError normalisation', () => {
  it.each([400, 404, 451, 599])('keeps the untyped status %i', (status) => {
    expect(new APIError({ status }).status).toBe(status);
  });

  it.each([399, 600])('turns the untyped status %i into 500', (status) => {
    expect(new APIError({ status }).status).toBe(500);
  });

  it('treats an unknown type as untyped', () => {
    const e = new APIError({ type: 'no_such_type' as ErrorType, status: 404 });
    expect([e.status, e.type, e.code]).toEqual([404, undefined, 'RESOURCE_NOT_FOUND']);
  });

  it('has no cause property unless one is given', () => {
    expect('cause' in new APIError({})).toBe(false);
    expect(new APIError({ cause: 0 }).cause).toBe(0);
  });

  it('stringifies objects in details that cannot be cloned, keeping primitives and null', () => {
    const e = new APIError({
      status: 422,
      details: { count: 2, flag: true, when: null, nested: { f() {} }, list: [() => 1] },
    });
    expect(e.details).toMatchObject({
      count: 2,
      flag: true,
      when: null,
      nested: '[object Object]',
      list: String([() => 1]),
    });
    expect(Object.isFrozen(e.details)).toBe(true);
    const w = new BufferedResponseWriter();
    writeError(w, createRequest({ url: '/' }), e);
    expect(JSON.parse(w.getBody().toString()).error.details).toEqual({
      count: 2,
      flag: true,
      when: null,
      nested: '[object Object]',
      list: String([() => 1]),
    });
  });

  it('recognises only branded objects', () => {
    for (const v of [null, undefined, 'APIError', 42, {}, new Error('x')]) expect(isAPIError(v)).toBe(false);
    expect(isAPIError(createAPIError({ status: 409 }))).toBe(true);
    expect(createAPIError({ status: 409 }).code).toBe('RESOURCE_CONFLICT');
  });

  it('looks 32 levels down a cause chain and no further', () => {
    const chain = (depth: number): unknown => {
      let e: unknown = new APIError({ status: 418 });
      for (let i = 0; i < depth; i++) e = { cause: e };
      return e;
    };
    expect(asAPIError(chain(31))?.status).toBe(418);
    expect(asAPIError(chain(32))).toBeUndefined();
    expect(toAPIError(chain(32)).status).toBe(500);
    expect(asAPIError('text')).toBeUndefined();
  });

  it('stops at a null cause and follows causes of objects only', () => {
    expect(asAPIError({ cause: null })).toBeUndefined();
    expect(asAPIError(null)).toBeUndefined();
    expect(toAPIError({ cause: null }).status).toBe(500);
    const fn = Object.assign(() => undefined, { cause: new APIError({ status: 418 }) });
    expect(asAPIError(fn)).toBeUndefined();
  });

  it('builds with every builder field', () => {
    const cause = new Error('inner');
    const e = createErrorBuilder()
      .status(409)
      .category('client_error')
      .code('ITEM_TAKEN')
      .message('taken')
      .detail('id', 7)
      .details({ by: 'x' })
      .requestId('rid-9')
      .wrap(cause)
      .build();
    expect([e.status, e.category, e.code, e.message, e.details, e.requestId, e.cause]).toEqual([
      409,
      'client_error',
      'ITEM_TAKEN',
      'taken',
      { id: 7, by: 'x' },
      'rid-9',
      cause,
    ]);
    const typed = createErrorBuilder().type('resource_not_found').build();
    expect([typed.status, typed.type, typed.details]).toEqual([404, 'resource_not_found', undefined]);
  });
});

describe('envelopes', () => {
  const plain = createRequest({ url: '/' });
  const body = (fn: (w: BufferedResponseWriter) => void) => {
    const w = new BufferedResponseWriter();
    fn(w);
    return { w, text: w.getBody().toString() };
  };

  it.each([
    { title: 'a quote', id: 'a"b' },
    { title: 'a backslash', id: 'a\\b' },
    { title: 'a newline', id: 'a\nb' },
    { title: 'a unit separator', id: '\u001f' },
    { title: 'a lone high surrogate', id: 'x\uD800' },
    { title: 'a lone low surrogate', id: 'x\uDFFF' },
    { title: 'a surrogate pair', id: '\uD83D\uDE00' },
    { title: 'only a quote', id: '"' },
    { title: 'only a backslash', id: '\\' },
    { title: 'only a tab', id: '\t' },
    { title: 'only a lone high surrogate', id: '\uD800' },
    { title: 'only a lone low surrogate', id: '\uDFFF' },
  ])('round-trips a request id with $title through the bytes', ({ id }) => {
    const r = plain.withContext(plain.ctx.withRequestId(id));
    const { w } = body((w) => writeResponse(w, r, 200, 1));
    expect(JSON.parse(Buffer.from(w.getBody()).toString('utf8')).request_id).toBe(id);
  });

  it('accepts every 2xx status but 204 with a body, 299 included', () => {
    expect(body((w) => writeResponse(w, plain, 299, 'x'))).toMatchObject({
      text: '{"data":"x"}\n',
      w: { status: 299 },
    });
    expect(body((w) => writeResponse(w, plain, 200, null, { n: 1 })).text).toBe('{"meta":{"n":1}}\n');
  });

  it('uses the custom error formatter and falls back to the envelope when it throws', () => {
    const r = createRequest({ url: '/' });
    r.state.formatError = (err, id) => `custom:${err.code}:${id}`;
    const custom = body((w) => expect(writeError(w, r, new APIError({ status: 404 }))).toBe(true));
    expect([custom.w.status, custom.text, custom.w.getHeader('content-type')]).toEqual([
      404,
      'custom:RESOURCE_NOT_FOUND:',
      'application/json',
    ]);
    r.state.formatError = () => {
      throw new Error('formatter bug');
    };
    const fallback = body((w) => writeError(w, r, new APIError({ status: 404 })));
    expect(JSON.parse(fallback.text).error.code).toBe('RESOURCE_NOT_FOUND');
  });

  it('writes no 404 over a started response', () => {
    const { w, text } = body((w) => {
      w.writeHead(200);
      writeNotFound(w);
      w.end('kept');
    });
    expect([w.status, text, w.getHeader('content-type')]).toEqual([200, 'kept', undefined]);
  });
});
