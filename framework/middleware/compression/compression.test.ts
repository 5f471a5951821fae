import { describe, it, expect } from 'vitest';
import { request as httpRequest, createServer } from 'node:http';
import { brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import {
  BufferedResponseWriter,
  NodeResponseWriter,
  createRequest,
  createRequestFromNode,
  writeResponse,
  type Handler,
} from 'plumego/contract';
import { compression, resolveCompressionOptions } from './compression.ts';
import { negotiateEncoding } from './negotiate.ts';

const big = { items: Array.from({ length: 200 }, (_, i) => ({ id: i, name: `item number ${i}` })) };
const bigJson = (w: Parameters<Handler>[0], r: Parameters<Handler>[1]) => writeResponse(w, r, 200, big);

async function run(handler: Handler, headers: Record<string, string> = { 'accept-encoding': 'gzip' }, method = 'GET') {
  const w = new BufferedResponseWriter();
  const ended = new Promise<void>((resolve) => (w.onEnd = resolve));
  await compression()(handler)(w, createRequest({ method, url: '/', headers }));
  await ended;
  return { w, body: w.getBody(), header: (n: string) => w.getHeader(n) };
}

describe('negotiateEncoding', () => {
  const cases = [
    { input: 'gzip, deflate, br', expected: 'br' },
    { input: 'gzip', expected: 'gzip' },
    { input: 'br;q=0.5, gzip;q=0.8', expected: 'gzip' },
    { input: 'br;q=0, gzip;q=0', expected: undefined },
    { input: '*', expected: 'br' },
    { input: '*;q=0.1, br;q=0', expected: 'gzip' },
    { input: 'identity', expected: undefined },
    { input: 'x-gzip', expected: 'gzip' },
    { input: 'gzip;q=abc', expected: undefined },
  ];
  for (const { input, expected } of cases) {
    it(`${input} → ${String(expected)}`, () => expect(negotiateEncoding(input, ['br', 'gzip'])).toBe(expected));
  }
});

describe('compression', () => {
  it('keeps a synchronous handler synchronous when its response is too small to compress', () => {
    const w = new BufferedResponseWriter();
    const small: Handler = (w2, r2) => writeResponse(w2, r2, 200, { id: '42' });
    const result = compression()(small)(
      w,
      createRequest({ url: '/', headers: { 'accept-encoding': 'gzip, deflate, br' } }),
    );
    expect(result).toBeUndefined();
    expect(w.finished).toBe(true);
    expect(w.getHeader('vary')).toBe('Accept-Encoding');
    expect(w.getHeader('content-encoding')).toBeUndefined();
    expect(JSON.parse(w.getBody().toString())).toEqual({ data: { id: '42' } });
  });

  it('negotiates each request on its own header, however the headers alternate', async () => {
    const mw = compression()(bigJson);
    for (const [accept, expected] of [
      ['gzip', 'gzip'],
      ['gzip, br', 'br'],
      ['identity', undefined],
      ['gzip', 'gzip'],
      [undefined, undefined],
      ['br', 'br'],
    ] as const) {
      const w = new BufferedResponseWriter();
      const ended = new Promise<void>((resolve) => (w.onEnd = resolve));
      await mw(w, createRequest({ url: '/', headers: accept === undefined ? {} : { 'accept-encoding': accept } }));
      await ended;
      expect(w.getHeader('content-encoding')).toBe(expected);
    }
  });

  it('gzips a large JSON response and sets Vary', async () => {
    const { body, header } = await run(bigJson);
    expect(header('content-encoding')).toBe('gzip');
    expect(header('vary')).toBe('Accept-Encoding');
    expect(header('content-length')).toBeUndefined();
    expect(JSON.parse(gunzipSync(body).toString())).toEqual({ data: big });
  });

  it('prefers brotli when the client accepts it', async () => {
    const { body, header } = await run(bigJson, { 'accept-encoding': 'gzip, br' });
    expect(header('content-encoding')).toBe('br');
    expect(JSON.parse(brotliDecompressSync(body).toString())).toEqual({ data: big });
  });

  it('compresses a streamed response written in many chunks', async () => {
    const streamed: Handler = async (w) => {
      w.setHeader('content-type', 'text/plain');
      for (let i = 0; i < 100; i++) {
        w.write(`line ${i} of a streamed text body\n`);
        await new Promise((resolve) => setImmediate(resolve));
      }
      w.end();
    };
    const { body, header } = await run(streamed);
    expect(header('content-encoding')).toBe('gzip');
    expect(gunzipSync(body).toString().split('\n').length).toBe(101);
  });

  it('leaves a response that is already gzip untouched (no double encoding)', async () => {
    const pre = gzipSync(Buffer.from('x'.repeat(5000)));
    const handler: Handler = (w) => {
      w.setHeader('content-type', 'text/plain');
      w.setHeader('content-encoding', 'gzip');
      w.end(pre);
    };
    const { body, header } = await run(handler);
    expect(header('content-encoding')).toBe('gzip');
    expect(body.equals(pre)).toBe(true);
  });

  const untouched: Array<{ title: string; handler: Handler; headers?: Record<string, string>; method?: string }> = [
    { title: 'a small body', handler: (w, r) => writeResponse(w, r, 200, { ok: true }) },
    {
      title: 'an image',
      handler: (w) => {
        w.setHeader('content-type', 'image/png');
        w.end(Buffer.alloc(5000, 1));
      },
    },
    {
      title: 'an octet stream',
      handler: (w) => {
        w.setHeader('content-type', 'application/octet-stream');
        w.end(Buffer.alloc(5000, 1));
      },
    },
    {
      title: 'a PDF',
      handler: (w) => {
        w.setHeader('content-type', 'application/pdf');
        w.end(Buffer.alloc(5000, 1));
      },
    },
    {
      title: 'SSE',
      handler: (w) => {
        w.setHeader('content-type', 'text/event-stream');
        w.end('data: x\n\n'.repeat(500));
      },
    },
    {
      title: 'no-transform',
      handler: (w) => {
        w.setHeader('content-type', 'text/plain');
        w.setHeader('cache-control', 'no-transform');
        w.end('x'.repeat(5000));
      },
    },
    {
      title: 'no content type',
      handler: (w) => {
        w.end('x'.repeat(5000));
      },
    },
    {
      title: 'an upgrade request',
      handler: bigJson,
      headers: { 'accept-encoding': 'gzip', upgrade: 'websocket', connection: 'upgrade' },
    },
    { title: 'a client without Accept-Encoding', handler: bigJson, headers: {} },
  ];
  for (const { title, handler, headers } of untouched) {
    it(`does not compress ${title}`, async () => {
      const { header, body } = await run(handler, headers);
      expect(header('content-encoding')).toBeUndefined();
      expect(body.length).toBeGreaterThan(0);
    });
  }

  it('passes HEAD requests through', async () => {
    const { header } = await run(bigJson, { 'accept-encoding': 'gzip' }, 'HEAD');
    expect(header('content-encoding')).toBeUndefined();
  });

  it('leaves the real writer untouched when the handler throws before output', async () => {
    const w = new BufferedResponseWriter();
    const failing: Handler = async (cw) => {
      cw.write('partial');
      throw new Error('boom');
    };
    await expect(
      compression()(failing)(w, createRequest({ url: '/', headers: { 'accept-encoding': 'gzip' } })),
    ).rejects.toThrow('boom');
    expect(w.headersSent).toBe(false);
  });

  it('works over a real socket', async () => {
    const handler = compression()(bigJson);
    const server = createServer((req, res) => {
      void handler(new NodeResponseWriter(res), createRequestFromNode(req, res));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    const { headers, body } = await new Promise<{ headers: Record<string, unknown>; body: Buffer }>(
      (resolve, reject) => {
        httpRequest({ port, host: '127.0.0.1', path: '/', headers: { 'accept-encoding': 'gzip' } }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
        })
          .on('error', reject)
          .end();
      },
    );
    server.close();
    expect(headers['content-encoding']).toBe('gzip');
    expect(headers['transfer-encoding']).toBe('chunked');
    expect(JSON.parse(gunzipSync(body).toString())).toEqual({ data: big });
  });

  it('refuses bad options at construction', () => {
    expect(() => resolveCompressionOptions({ gzipLevel: 12 })).toThrow(TypeError);
    expect(() => resolveCompressionOptions({ encodings: ['deflate' as never] })).toThrow(TypeError);
    expect(() => resolveCompressionOptions({ minBytes: -1 })).toThrow(TypeError);
  });
});
