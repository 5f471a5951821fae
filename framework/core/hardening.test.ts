import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { readBody, readJson, writeResponse, type ErrorBodyFormatter } from 'plumego/contract';
import { createLogger } from 'plumego/log';
import { createCanonicalStack } from 'plumego/middleware';
import { createApp, type App } from './app.ts';
import type { AppConfig } from './config.ts';

// Failures found by the reliability run (issue 21), each over a real socket.

const apps: App[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.shutdown({ timeoutMs: 200 })));
});

interface Raw {
  status: number;
  head: string;
  body: string;
  /** Every status line seen, in order (a 100 Continue shows up here). */
  statuses: number[];
}

function parseRaw(text: string): Raw {
  const statuses = [...text.matchAll(/^HTTP\/1\.1 (\d{3})/gm)].map((m) => Number(m[1]));
  const final = text.lastIndexOf('HTTP/1.1 ');
  const rest = final < 0 ? '' : text.slice(final);
  const split = rest.indexOf('\r\n\r\n');
  return {
    status: statuses.at(-1) ?? 0,
    head: split < 0 ? rest : rest.slice(0, split),
    body: split < 0 ? '' : rest.slice(split + 4),
    statuses,
  };
}

/** Sends raw bytes, half-closes unless told not to, and collects everything until the server closes. */
function sendRaw(port: number, data: string | Buffer, opts: { end?: boolean } = {}): Promise<Raw> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const s = connect(port, '127.0.0.1', () => (opts.end === false ? s.write(data) : s.end(data)));
    s.on('data', (c: Buffer) => chunks.push(c));
    s.on('error', () => undefined);
    s.on('close', () => resolve(parseRaw(Buffer.concat(chunks).toString('latin1'))));
  });
}

async function start(
  config: AppConfig = {},
  format?: ErrorBodyFormatter,
): Promise<{ app: App; port: number; lines: Record<string, unknown>[] }> {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({
    format: 'json',
    buffered: false,
    output: { write: (s: string) => lines.push(JSON.parse(s) as Record<string, unknown>) },
  });
  const app = createApp(
    { addr: '127.0.0.1:0', ...config },
    format === undefined ? { logger } : { logger, formatErrorBody: format },
  );
  app.use(...createCanonicalStack({ logger, maxBodyBytes: 64 }));
  app.get('/hello', (w, r) => writeResponse(w, r, 200, { hi: true }));
  app.post('/echo', async (w, r) => writeResponse(w, r, 200, { got: await readJson(r) }));
  app.post('/raw', async (w, r) => writeResponse(w, r, 200, { bytes: (await readBody(r)).length }));
  apps.push(app);
  const { port } = await app.listen();
  return { app, port, lines };
}

function envelope(body: string): { error: Record<string, unknown> } {
  return JSON.parse(body) as { error: Record<string, unknown> };
}

describe('parser-level rejections answer the envelope', () => {
  it.each([
    { title: 'a garbage request line', raw: 'HELLO\r\n\r\n', status: 400, code: 'MALFORMED_REQUEST' },
    {
      title: 'a space in the header name',
      raw: 'GET / HTTP/1.1\r\nHost: a\r\nBad Header: x\r\n\r\n',
      status: 400,
      code: 'MALFORMED_REQUEST',
    },
    {
      title: 'an unknown HTTP version',
      raw: 'GET / HTTP/9.9\r\nHost: a\r\n\r\n',
      status: 400,
      code: 'MALFORMED_REQUEST',
    },
    {
      title: 'Content-Length and chunked together',
      raw: 'POST /raw HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
      status: 400,
      code: 'MALFORMED_REQUEST',
    },
    {
      title: 'an oversized header block',
      raw: `GET / HTTP/1.1\r\nHost: a\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
      status: 431,
      code: 'HEADERS_TOO_LARGE',
    },
  ])('answers $title with a $status envelope', async ({ raw, status, code }) => {
    const { port } = await start();
    const res = await sendRaw(port, raw);
    expect(res.status).toBe(status);
    expect(res.head).toMatch(/content-type: application\/json/i);
    expect(envelope(res.body).error['code']).toBe(code);
  });

  it.each([
    { title: 'a second Host header', raw: 'GET /hello HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n' },
    {
      title: 'Transfer-Encoding: xchunked',
      raw: 'POST /raw HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: xchunked\r\n\r\n',
    },
    {
      title: 'Transfer-Encoding: gzip, chunked',
      raw: 'POST /raw HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n',
    },
    { title: 'an HTTP/1.1 request without Host', raw: 'GET /hello HTTP/1.1\r\n\r\n' },
  ])('refuses $title with 400 MALFORMED_REQUEST', async ({ raw }) => {
    const { port } = await start();
    const res = await sendRaw(port, raw);
    expect(res.status).toBe(400);
    expect(envelope(res.body).error).toMatchObject({ code: 'MALFORMED_REQUEST', type: 'bad_request' });
    expect(res.head).toMatch(/connection: close/i);
  });

  it('answers an unsupported Expect with a 417 envelope', async () => {
    const { port } = await start();
    const res = await sendRaw(port, 'POST /raw HTTP/1.1\r\nHost: a\r\nExpect: teapot\r\nContent-Length: 2\r\n\r\n{}');
    expect(res.status).toBe(417);
    expect(envelope(res.body).error).toMatchObject({ code: 'EXPECTATION_FAILED', category: 'client_error' });
  });

  it('serves HTTP/1.0 without Host', async () => {
    const { port } = await start();
    const res = await sendRaw(port, 'GET /hello HTTP/1.0\r\n\r\n');
    expect(res.status).toBe(200);
  });

  it('still serves a plain chunked body', async () => {
    const { port } = await start();
    const res = await sendRaw(
      port,
      'POST /raw HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: Chunked\r\nConnection: close\r\n\r\n3\r\nabc\r\n0\r\n\r\n',
    );
    expect([res.status, JSON.parse(res.body).data]).toEqual([200, { bytes: 3 }]);
  });

  it('lets formatErrorBody reshape every error body: 404, 405, thrown errors and parser rejections', async () => {
    const format: ErrorBodyFormatter = (err, id) => JSON.stringify({ problem: err.code, status: err.status, id });
    const { app, port } = await start({ methodNotAllowed: true }, format);
    const miss = await app.request('/nope', { headers: { 'x-request-id': 'r1' } });
    expect(miss.json()).toEqual({ problem: 'ROUTE_NOT_FOUND', status: 404, id: 'r1' });
    expect((await app.request({ method: 'DELETE', url: '/hello' })).json()).toMatchObject({
      problem: 'METHOD_NOT_ALLOWED',
      status: 405,
    });
    const bad = await app.request({
      method: 'POST',
      url: '/echo',
      headers: { 'content-type': 'application/json' },
      body: '{',
    });
    expect(bad.json()).toMatchObject({ problem: 'INVALID_JSON', status: 400 });
    const parser = await sendRaw(port, 'HELLO\r\n\r\n');
    expect(JSON.parse(parser.body)).toEqual({ problem: 'MALFORMED_REQUEST', status: 400, id: '' });
  });

  it('falls back to the envelope when formatErrorBody throws', async () => {
    const { app, port } = await start({}, () => {
      throw new Error('broken hook');
    });
    expect((await app.request('/nope')).json()).toMatchObject({ error: { code: 'ROUTE_NOT_FOUND' } });
    expect(envelope((await sendRaw(port, 'HELLO\r\n\r\n')).body).error['code']).toBe('MALFORMED_REQUEST');
  });

  it('rejects a formatErrorBody that is not a function', () => {
    expect(() => createApp({}, { formatErrorBody: 'x' as never })).toThrow(
      expect.objectContaining({ code: 'CORE_INVALID_CONFIG' }),
    );
  });
});

describe('timeouts and connection limits', () => {
  it('closes a slowloris connection with a 408 envelope soon after the header timeout', async () => {
    const { port } = await start({ readHeaderTimeoutMs: 300, readTimeoutMs: 600 });
    const began = Date.now();
    // Headers never finish: Node's default check interval (30 s) would keep this open far longer.
    const res = await sendRaw(port, 'GET /hello HTTP/1.1\r\nHost: a\r\nX-Slow: 1\r\n', { end: false });
    expect(res.status).toBe(408);
    expect(envelope(res.body).error).toMatchObject({ code: 'TIMEOUT', type: 'timeout_failure' });
    expect(Date.now() - began).toBeLessThan(10_000);
  });

  it('rejects invalid connection settings when the app is built', () => {
    expect(() => createApp({ connectionCheckIntervalMs: 0 })).toThrow(
      expect.objectContaining({ code: 'CORE_INVALID_CONFIG' }),
    );
    expect(() => createApp({ maxConnectionsPerIp: -1 })).toThrow(
      expect.objectContaining({ code: 'CORE_INVALID_CONFIG' }),
    );
    expect(() => createApp({ maxConnectionsPerIp: 1.5 })).toThrow(
      expect.objectContaining({ code: 'CORE_INVALID_CONFIG' }),
    );
  });

  it('limits simultaneous connections per address and frees the slot on close', async () => {
    const { port } = await start({ maxConnectionsPerIp: 2 });
    const open = (): Promise<Socket> =>
      new Promise((resolve) => {
        const s = connect(port, '127.0.0.1', () => resolve(s));
        s.on('error', () => undefined);
      });
    const a = await open();
    const b = await open();
    const refused = await sendRaw(port, 'GET /hello HTTP/1.1\r\nHost: a\r\n\r\n');
    expect(refused.status).toBe(429);
    expect(envelope(refused.body).error).toMatchObject({ code: 'TOO_MANY_CONNECTIONS', type: 'rate_limited' });
    await new Promise<void>((resolve) => {
      a.once('close', () => resolve());
      a.destroy();
    });
    // The server sees the close a moment after the client does.
    let ok: Raw | undefined;
    for (let i = 0; i < 50 && ok?.status !== 200; i++) {
      ok = await sendRaw(port, 'GET /hello HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n');
      if (ok.status !== 200) await new Promise((r) => setTimeout(r, 20));
    }
    expect(ok?.status).toBe(200);
    b.destroy();
  });
});

describe('Expect: 100-continue', () => {
  it('answers an over-limit Content-Length with 413 and no 100 Continue', async () => {
    const { port } = await start();
    const res = await sendRaw(
      port,
      'POST /raw HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 100000\r\n\r\n',
      { end: false },
    );
    expect(res.statuses).toEqual([413]);
    expect(envelope(res.body).error['code']).toBe('REQUEST_BODY_TOO_LARGE');
  });

  it('sends 100 Continue when the body is read and then the answer', async () => {
    const { port } = await start();
    const res = await new Promise<Raw>((resolve) => {
      let text = '';
      const s = connect(port, '127.0.0.1', () =>
        s.write(
          'POST /raw HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 5\r\nConnection: close\r\n\r\n',
        ),
      );
      s.on('data', (c: Buffer) => {
        text += c.toString('latin1');
        if (text.startsWith('HTTP/1.1 100') && !text.includes('\r\n\r\nHTTP')) s.write('hello');
      });
      s.on('close', () => resolve(parseRaw(text)));
    });
    expect(res.statuses).toEqual([100, 200]);
    expect(JSON.parse(res.body).data).toEqual({ bytes: 5 });
  });
});

describe('a client that disconnects mid-body', () => {
  it('is logged as 499 with its address, without an error line or a 500', async () => {
    const { port, lines } = await start();
    await new Promise<void>((resolve) => {
      const s = connect(port, '127.0.0.1', () => {
        s.write('POST /echo HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\nContent-Length: 50\r\n\r\n{"a":');
        setTimeout(() => s.destroy(), 50);
      });
      s.on('close', () => resolve());
    });
    for (let i = 0; i < 100 && !lines.some((l) => l['msg'] === 'request completed'); i++)
      await new Promise((r) => setTimeout(r, 10));
    const done = lines.filter((l) => l['msg'] === 'request completed');
    expect(done).toHaveLength(1);
    expect(done[0]).toMatchObject({ status: 499, path: '/echo', client_ip: '127.0.0.1' });
    expect(lines.filter((l) => l['level'] === 'ERROR')).toEqual([]);
  });
});
