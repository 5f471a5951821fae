import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
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
