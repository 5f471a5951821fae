import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { nodeFetch, nodeStreamFetch, takeNodeBody } from './node-fetch.ts';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});

interface Seen {
  method: string;
  headers: IncomingMessage['headers'];
  body: string;
  closedEarly: boolean;
}

async function serve(handle: (res: ServerResponse) => void): Promise<{ url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      const s = { method: req.method ?? '', headers: req.headers, body, closedEarly: false };
      seen.push(s);
      res.on('close', () => (s.closedEarly = !res.writableFinished));
      handle(res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(
    () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  );
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/x?q=1`, seen };
}

describe('nodeFetch', () => {
  it('sends method, headers and a string body, and answers status, headers and a readable body', async () => {
    const { url, seen } = await serve((res) => {
      res.writeHead(201, 'Made', { 'x-a': '1', 'set-cookie': ['a=1', 'b=2'] });
      res.end('{"ok":true}');
    });
    const response = await nodeFetch(url, {
      method: 'POST',
      headers: new Headers({ 'content-type': 'application/json', 'x-api-key': 'k' }),
      body: '{"q":1}',
    });
    expect(seen[0]).toMatchObject({ method: 'POST', body: '{"q":1}', headers: { 'x-api-key': 'k' } });
    expect(response.status).toBe(201);
    expect(response.statusText).toBe('Made');
    expect(response.headers.get('x-a')).toBe('1');
    expect(await response.json()).toEqual({ ok: true });
  });

  it('hands the IncomingMessage over once, so a stream is read without the web body', async () => {
    const { url } = await serve((res) => res.end('abc'));
    const response = await nodeFetch(new URL(url), { headers: [['x-b', '2']] });
    const res = takeNodeBody(response);
    expect(res).toBeDefined();
    expect(takeNodeBody(response)).toBeUndefined();
    let text = '';
    for await (const chunk of res!) text += String(chunk);
    expect(text).toBe('abc');
    expect(takeNodeBody(new Response('x'))).toBeUndefined();
  });

  it('gives a body-less status a null body', async () => {
    const { url } = await serve((res) => {
      res.writeHead(204);
      res.end();
    });
    const response = await nodeFetch(url);
    expect(response.status).toBe(204);
    expect(response.body).toBeNull();
  });

  it('rejects with an AbortError when the signal fired before sending, and sends nothing', async () => {
    const { url, seen } = await serve((res) => res.end());
    const controller = new AbortController();
    controller.abort();
    await expect(nodeFetch(url, { signal: controller.signal })).rejects.toMatchObject({ name: 'AbortError' });
    expect(seen).toHaveLength(0);
  });

  it('aborts a response mid-body: the reader fails and the server sees its socket close', async () => {
    const { url, seen } = await serve((res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: 1\n\n');
    });
    const controller = new AbortController();
    const response = await nodeFetch(url, { signal: controller.signal });
    const res = takeNodeBody(response)!;
    const reading = (async () => {
      for await (const chunk of res) if (String(chunk).includes('data: 1')) controller.abort();
    })();
    await expect(reading).rejects.toMatchObject({ name: 'AbortError' });
    await expect.poll(() => seen[0]?.closedEarly).toBe(true);
  });

  it('cancelling the web body closes the connection', async () => {
    const { url, seen } = await serve((res) => {
      res.writeHead(200);
      res.write('part');
    });
    const response = await nodeFetch(url);
    const reader = response.body!.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe('part');
    await reader.cancel();
    await expect.poll(() => seen[0]?.closedEarly).toBe(true);
  });

  it('rejects a refused connection and a body it cannot send', async () => {
    const { url } = await serve((res) => res.end());
    await closers.pop()!();
    await expect(nodeFetch(url)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await expect(nodeFetch(url, { method: 'POST', body: new Blob(['x']) })).rejects.toThrow(TypeError);
  });
});

describe('nodeStreamFetch', () => {
  it('answers a 2xx without a web body: the stream is read only through the taken IncomingMessage', async () => {
    const { url, seen } = await serve((res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'request-id': 'r1' });
      res.end('data: 1\n\n');
    });
    const response = await nodeStreamFetch(url, { method: 'POST', headers: { 'x-api-key': 'k' }, body: '{}' });
    expect(seen[0]).toMatchObject({ method: 'POST', body: '{}', headers: { 'x-api-key': 'k' } });
    expect(response.ok).toBe(true);
    expect(response.headers.get('request-id')).toBe('r1');
    expect(response.body).toBeNull();
    let text = '';
    for await (const chunk of takeNodeBody(response)!) text += String(chunk);
    expect(text).toBe('data: 1\n\n');
  });

  it('keeps a readable web body for an error status, which the SDK reads to map the error', async () => {
    const { url } = await serve((res) => {
      res.writeHead(429, { 'retry-after': '3', 'content-type': 'application/json' });
      res.end('{"type":"error","error":{"type":"rate_limit_error"}}');
    });
    const response = await nodeStreamFetch(url, { headers: [['x-b', '2']] });
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('3');
    expect(await response.json()).toEqual({ type: 'error', error: { type: 'rate_limit_error' } });
  });

  it('still aborts the answer mid-body when the signal fires', async () => {
    const { url, seen } = await serve((res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: 1\n\n');
    });
    const controller = new AbortController();
    const res = takeNodeBody(await nodeStreamFetch(url, { signal: controller.signal }))!;
    const reading = (async () => {
      for await (const chunk of res) if (String(chunk).includes('data: 1')) controller.abort();
    })();
    await expect(reading).rejects.toMatchObject({ name: 'AbortError' });
    await expect.poll(() => seen[0]?.closedEarly).toBe(true);
  });

  it('answers a 2xx with the headers a Headers would give, read without undici, and refuses to read its body', async () => {
    const { url } = await serve((res) => {
      res.setHeader('X-Multi', ['a', 'b']);
      res.setHeader('Set-Cookie', ['s=1', 't=2']);
      res.writeHead(200, 'Fine', { 'Request-Id': 'r2', 'content-type': 'text/event-stream' });
      res.end('data: 1\n\n');
    });
    const response = await nodeStreamFetch(url);
    const res = takeNodeBody(response)!;
    const expected = new Headers();
    for (let i = 0; i < res.rawHeaders.length; i += 2) expected.append(res.rawHeaders[i]!, res.rawHeaders[i + 1]!);
    expect([...response.headers.entries()]).toEqual([...expected.entries()]);
    expect([...response.headers]).toEqual([...expected]);
    expect([...response.headers.keys()]).toEqual([...expected.keys()]);
    expect([...response.headers.values()]).toEqual([...expected.values()]);
    expect(response.headers.get('X-MULTI')).toBe('a, b');
    expect(response.headers.get('set-cookie')).toBe(expected.get('set-cookie'));
    expect(response.headers.getSetCookie()).toEqual(['s=1', 't=2']);
    expect(response.headers.has('request-id')).toBe(true);
    expect(response.headers.get('x-none')).toBeNull();
    const seen: string[] = [];
    response.headers.forEach((value, name) => seen.push(`${name}=${value}`));
    expect(seen).toContain('request-id=r2');
    expect(response).toMatchObject({ ok: true, status: 200, statusText: 'Fine', url, body: null, bodyUsed: false });
    await expect(response.text()).rejects.toThrow(TypeError);
    await expect(response.json()).rejects.toThrow(TypeError);
    await expect(response.arrayBuffer()).rejects.toThrow(TypeError);
    expect(takeNodeBody(response)).toBeUndefined();
    res.resume();
  });
});

/** A TCP server that records each request's head (request line and fields, as sent) and answers 200 with no body. */
async function rawServer(): Promise<{ port: number; heads: string[] }> {
  const heads: string[] = [];
  const server = createTcpServer((socket) => {
    let data = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      data += chunk;
      const end = data.indexOf('\r\n\r\n');
      if (end < 0) return;
      heads.push(data.slice(0, end));
      socket.end('HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(() => new Promise<void>((r) => server.close(() => r())));
  return { port: (server.address() as AddressInfo).port, heads };
}

/** A head's fields as sorted `name: value` lines (names lower-cased), and its request line. */
function fieldsOf(head: string): { line: string; fields: string[] } {
  const [line, ...rest] = head.split('\r\n');
  const fields = rest.map((f) => {
    const colon = f.indexOf(':');
    return `${f.slice(0, colon).toLowerCase()}: ${f.slice(colon + 1).trim()}`;
  });
  return { line: line!, fields: fields.sort() };
}

/** The head node:http itself writes for the same request given an object of headers. */
async function nodeHead(port: number, heads: string[], method: string, headers: Record<string, string>, body?: string) {
  await new Promise<void>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/v1/messages?beta=true', method, headers }, (res) => {
      res.resume();
      res.on('end', resolve);
    });
    req.on('error', reject);
    req.end(body);
  });
  return fieldsOf(heads.at(-1)!);
}

describe('nodeStreamFetch request head', () => {
  it('writes the same fields node:http writes for an object of headers, Host and Content-Length included', async () => {
    const { port, heads } = await rawServer();
    const body = '{"text":"größer – 😀"}';
    const headers = { accept: 'application/json', 'content-type': 'application/json', 'x-api-key': 'k', 'x-b': 'é' };
    const response = await nodeStreamFetch(`http://127.0.0.1:${port}/v1/messages?beta=true`, {
      method: 'POST',
      headers: new Headers(headers),
      body,
    });
    takeNodeBody(response)?.resume();
    const ours = fieldsOf(heads[0]!);
    expect(ours).toEqual(await nodeHead(port, heads, 'POST', headers, body));
    expect(ours.line).toBe('POST /v1/messages?beta=true HTTP/1.1');
    expect(ours.fields).toContain(`content-length: ${Buffer.byteLength(body)}`);
    expect(ours.fields).toContain(`host: 127.0.0.1:${port}`);
    // A byte body counts bytes; a POST without a body says so with a zero length, as node:http does.
    await nodeStreamFetch(`http://127.0.0.1:${port}/v1/messages?beta=true`, {
      method: 'POST',
      body: new TextEncoder().encode('ab'),
    });
    expect(fieldsOf(heads.at(-1)!).fields).toContain('content-length: 2');
    await nodeStreamFetch(`http://127.0.0.1:${port}/v1/messages?beta=true`, { method: 'POST' });
    expect(fieldsOf(heads.at(-1)!)).toEqual(await nodeHead(port, heads, 'POST', {}));
  });

  it('keeps a given Host or Content-Length instead of adding a second one, and leaves GET and Expect to node:http', async () => {
    const { port, heads } = await rawServer();
    const url = `http://127.0.0.1:${port}/v1/messages?beta=true`;
    await nodeStreamFetch(url, { method: 'POST', headers: { host: 'vendor.test', 'content-length': '2' }, body: 'ab' });
    const given = fieldsOf(heads.at(-1)!).fields;
    expect(given.filter((f) => f.startsWith('host:'))).toEqual(['host: vendor.test']);
    expect(given.filter((f) => f.startsWith('content-length:'))).toEqual(['content-length: 2']);
    await nodeStreamFetch(url, { headers: { 'x-a': '1' } });
    expect(fieldsOf(heads.at(-1)!)).toEqual(await nodeHead(port, heads, 'GET', { 'x-a': '1' }));
    expect(fieldsOf(heads.at(-1)!).fields.some((f) => f.startsWith('content-length'))).toBe(false);
  });

  it('sends credentials written in the URL as node:http does (Basic authorization)', async () => {
    const { port, heads } = await rawServer();
    await nodeStreamFetch(`http://user:pw@127.0.0.1:${port}/v1/messages`, { method: 'POST', body: '{}' });
    expect(fieldsOf(heads.at(-1)!).fields).toContain(
      `authorization: Basic ${Buffer.from('user:pw').toString('base64')}`,
    );
  });

  it('sends to each URL it is given, however many distinct ones a process uses', async () => {
    const a = await rawServer();
    const b = await rawServer();
    for (let i = 0; i < 70; i++) {
      const server = i % 2 ? a : b;
      await nodeStreamFetch(`http://127.0.0.1:${server.port}/v1/n${i}`, { method: 'POST', body: '{}' });
      expect(fieldsOf(server.heads.at(-1)!).line).toBe(`POST /v1/n${i} HTTP/1.1`);
    }
  });
});
