import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createRequest, BufferedResponseWriter, readBody } from 'plumego/contract';
import { GATEWAY_ERROR_CODES, getUpstreamFailureReason, isGatewayError } from './errors.ts';
import { createProxy, type Proxy } from './proxy.ts';
import { stripPrefix } from './rewrite.ts';
import { WebSocket, WebSocketServer } from 'ws';
import { getClosedPort, sendRaw, startHandler, startRawUpstream, startUpstream, type Running } from './test-servers.ts';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanup.length > 0) await cleanup.pop()!();
});

async function track<T extends Running>(r: Promise<T>): Promise<T> {
  const running = await r;
  cleanup.push(() => running.close());
  return running;
}

async function serveProxy(options: Parameters<typeof createProxy>[0]): Promise<{ proxy: Proxy; front: Running }> {
  const proxy = createProxy({ outlierDetection: false, circuitBreaker: false, ...options });
  cleanup.push(() => proxy.close());
  const front = await track(startHandler(proxy.handler));
  return { proxy, front };
}

interface Seen {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

async function echoUpstream(
  extra: (res: import('node:http').ServerResponse) => void = () => undefined,
): Promise<Running & { seen: Seen[] }> {
  const seen: Seen[] = [];
  const running = await track(
    startUpstream((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (c: string) => (body += c));
      req.on('end', () => {
        seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
        extra(res);
        res.setHeader('content-type', 'application/json');
        res.setHeader('connection', 'keep-alive, x-upstream-private');
        res.setHeader('x-upstream-private', 'secret-hop');
        res.setHeader('x-kept', 'yes');
        res.end(JSON.stringify({ ok: true, url: req.url }));
      });
    }),
  );
  return Object.assign(running, { seen });
}

async function readJson(res: Response): Promise<Record<string, unknown>> {
  return (await res.json()) as Record<string, unknown>;
}

describe('proxy forwarding', () => {
  it('forwards method, path, query and a streamed body, and returns status, headers and body', async () => {
    const up = await echoUpstream();
    const { front } = await serveProxy({ targets: [up.url] });
    const res = await fetch(`${front.url}/items/7?x=1&y=%20`, {
      method: 'POST',
      body: 'hello body',
      headers: { 'content-type': 'text/plain' },
    });
    expect(res.status).toBe(200);
    expect(await readJson(res)).toEqual({ ok: true, url: '/items/7?x=1&y=%20' });
    expect(up.seen[0]).toMatchObject({ method: 'POST', url: '/items/7?x=1&y=%20', body: 'hello body' });
    expect(res.headers.get('x-kept')).toBe('yes');
  });

  it('removes hop-by-hop headers in both directions, including those named by Connection', async () => {
    const up = await echoUpstream();
    const { front } = await serveProxy({ targets: [up.url] });
    const body = await new Promise<{ headers: Record<string, unknown> }>((resolve, reject) => {
      const req = httpRequest(
        `${front.url}/h`,
        {
          headers: {
            connection: 'keep-alive, x-client-hop',
            'x-client-hop': '1',
            'proxy-authorization': 'Basic abc',
            te: 'trailers',
            'x-end': 'e2e',
          },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve({ headers: res.headers }));
        },
      );
      req.on('error', reject);
      req.end();
    });
    const seen = up.seen[0]!.headers;
    expect(seen['x-client-hop']).toBeUndefined();
    expect(seen['proxy-authorization']).toBeUndefined();
    expect(seen['te']).toBeUndefined();
    expect(seen['x-end']).toBe('e2e');
    expect(body.headers['x-upstream-private']).toBeUndefined();
    expect(body.headers['x-kept']).toBe('yes');
  });

  it('sends the backend host and X-Forwarded-* from the socket, dropping forged values from an untrusted peer', async () => {
    const up = await echoUpstream();
    const { front } = await serveProxy({ targets: [up.url], forwarded: true });
    await fetch(`${front.url}/f`, {
      headers: {
        'x-forwarded-for': '6.6.6.6',
        'x-forwarded-host': 'evil.example',
        forwarded: 'for=6.6.6.6',
        'x-real-ip': '6.6.6.6',
      },
    });
    const h = up.seen[0]!.headers;
    expect(h['host']).toBe(`127.0.0.1:${up.port}`);
    expect(h['x-forwarded-for']).toBe('127.0.0.1');
    expect(h['x-forwarded-host']).toBe(`127.0.0.1:${front.port}`);
    expect(h['x-forwarded-proto']).toBe('http');
    expect(h['x-real-ip']).toBeUndefined();
    expect(h['forwarded']).toBe(`for=127.0.0.1;proto=http;host="127.0.0.1:${front.port}"`);
  });

  it('extends the forwarding chain of a trusted proxy', async () => {
    const up = await echoUpstream();
    const { front } = await serveProxy({ targets: [up.url], trustedProxies: ['127.0.0.0/8'], forwarded: true });
    await fetch(`${front.url}/f`, {
      headers: {
        'x-forwarded-for': '203.0.113.9',
        'x-forwarded-proto': 'https',
        'x-forwarded-host': 'shop.example',
        forwarded: 'for=203.0.113.9',
      },
    });
    const h = up.seen[0]!.headers;
    expect(h['x-forwarded-for']).toBe('203.0.113.9, 127.0.0.1');
    expect(h['x-forwarded-proto']).toBe('https');
    expect(h['x-forwarded-host']).toBe('shop.example');
    expect(h['forwarded']).toMatch(/^for=203\.0\.113\.9, for=127\.0\.0\.1;proto=http/);
  });

  it('keeps the client Host when preserveHost is set', async () => {
    const up = await echoUpstream();
    const { front } = await serveProxy({ targets: [up.url], preserveHost: true });
    await fetch(`${front.url}/p`);
    expect(up.seen[0]!.headers['host']).toBe(`127.0.0.1:${front.port}`);
  });

  it('rewrites the path and prepends the target base path', async () => {
    const up = await echoUpstream();
    const { front } = await serveProxy({ targets: [`${up.url}/v2/`], rewritePath: stripPrefix('/api') });
    await fetch(`${front.url}/api/users/1?full=1`);
    await fetch(`${front.url}/api`);
    expect(up.seen.map((s) => s.url)).toEqual(['/v2/users/1?full=1', '/v2/']);
  });

  it('applies request and response modifiers', async () => {
    const up = await echoUpstream();
    const { front } = await serveProxy({
      targets: [up.url],
      modifyRequest: async (u) => {
        await Promise.resolve();
        u.headers['x-injected'] = 'yes';
        u.path = '/modified';
        delete u.headers['cookie'];
      },
      modifyResponse: (u) => {
        u.status = 203;
        u.headers['x-served-by'] = u.backend.id;
        delete u.headers['x-kept'];
      },
    });
    const res = await fetch(`${front.url}/orig`, { headers: { cookie: 'a=b' } });
    expect(res.status).toBe(203);
    expect(res.headers.get('x-served-by')).toBe(up.url);
    expect(res.headers.get('x-kept')).toBeNull();
    expect(up.seen[0]).toMatchObject({ url: '/modified' });
    expect(up.seen[0]!.headers['x-injected']).toBe('yes');
    expect(up.seen[0]!.headers['cookie']).toBeUndefined();
  });

  it('waits for an async response modifier before relaying the head and the body', async () => {
    const up = await track(startUpstream((_req, res) => res.end('x'.repeat(100_000))));
    const { front } = await serveProxy({
      targets: [up.url],
      modifyResponse: async (u) => {
        await new Promise((resolve) => setTimeout(resolve, 20));
        u.headers['x-late'] = 'set';
      },
    });
    const res = await fetch(`${front.url}/late`);
    expect(res.headers.get('x-late')).toBe('set');
    expect((await res.text()).length).toBe(100_000);
  });

  it('answers 502 when the response modifier fails before the head went out', async () => {
    const up = await track(startUpstream((_req, res) => res.end('x')));
    const { front } = await serveProxy({
      targets: [up.url],
      modifyResponse: async () => Promise.reject(new Error('boom')),
    });
    const res = await fetch(`${front.url}/late`);
    expect(res.status).toBe(502);
    expect(await res.text()).not.toContain('boom');
  });

  it('holds the upstream back while the client does not read (no buffering)', async () => {
    const total = 256 * 1024 * 1024;
    let sent = 0;
    const up = await track(
      startUpstream((_req, res) => {
        res.writeHead(200, { 'content-length': String(total) });
        const chunk = Buffer.alloc(256 * 1024);
        const pump = (): void => {
          while (sent < total) {
            sent += chunk.length;
            if (!res.write(chunk)) return void res.once('drain', pump);
          }
          res.end();
        };
        pump();
      }),
    );
    const { front } = await serveProxy({ targets: [up.url] });
    const req = httpRequest(`${front.url}/big`);
    const res = await new Promise<import('node:http').IncomingMessage>((resolve) =>
      req.once('response', resolve).end(),
    );
    res.pause();
    let last = -1;
    while (last !== sent) {
      last = sent;
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
    req.destroy();
    expect(sent).toBeLessThan(total / 4);
  });

  it('relays fixed-length bodies byte for byte (ASCII, binary, UTF-8, large, split across reads) and counts them', async () => {
    const bodies: Record<string, Buffer> = {
      '/ascii': Buffer.from(JSON.stringify({ hello: 'world', items: [1, 2, 3] })),
      '/binary': Buffer.from(Array.from({ length: 256 }, (_, i) => i)),
      '/utf8': Buffer.from('{"name":"Zoë ✓"}'),
      '/large': Buffer.alloc(10_000, 'a'),
      '/split': Buffer.from('hello world'),
      '/empty': Buffer.alloc(0),
    };
    const up = await track(
      startUpstream((req, res) => {
        const body = bodies[req.url!]!;
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(body.length) });
        if (req.url !== '/split') return void res.end(body);
        res.write(body.subarray(0, 5));
        setTimeout(() => res.end(body.subarray(5)), 30);
      }),
    );
    const proxy = createProxy({ targets: [up.url], outlierDetection: false, circuitBreaker: false });
    cleanup.push(() => proxy.close());
    const counted: Record<string, number> = {};
    const front = await track(
      startHandler(async (w, r) => {
        await proxy.handler(w, r);
        counted[`${r.method} ${r.path}`] = w.bytesWritten;
      }),
    );
    for (const [path, body] of Object.entries(bodies)) {
      const res = await fetch(front.url + path);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-length')).toBe(String(body.length));
      expect(Buffer.from(await res.arrayBuffer()).equals(body)).toBe(true);
      const head = await fetch(front.url + path, { method: 'HEAD' });
      expect(head.headers.get('content-length')).toBe(String(body.length));
      expect((await head.arrayBuffer()).byteLength).toBe(0);
    }
    for (const [path, body] of Object.entries(bodies)) {
      expect(counted[`GET ${path}`]).toBe(body.length);
      expect(counted[`HEAD ${path}`]).toBe(0);
    }
  });

  it('passes repeated response headers such as Set-Cookie through intact', async () => {
    const up = await track(
      startUpstream((_req, res) => {
        res.setHeader('set-cookie', ['a=1', 'b=2']);
        res.end('x');
      }),
    );
    const { front } = await serveProxy({ targets: [up.url] });
    const res = await fetch(`${front.url}/c`);
    expect(res.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
  });
});

describe('proxy upstream faults', () => {
  it('answers 502 connect_failed in the canonical envelope when the upstream refuses', async () => {
    const port = await getClosedPort();
    const { front } = await serveProxy({ targets: [`http://127.0.0.1:${port}`], retries: 0 });
    const res = await fetch(`${front.url}/x`);
    expect(res.status).toBe(502);
    expect(res.headers.get('content-type')).toBe('application/json');
    const body = await readJson(res);
    expect(body['error']).toMatchObject({
      code: GATEWAY_ERROR_CODES.badGateway,
      type: 'bad_gateway',
      details: { reason: 'connect_failed' },
    });
    expect(JSON.stringify(body)).not.toContain(String(port));
  });

  it('answers 504 headers_timeout when the upstream hangs before its headers', async () => {
    const up = await track(startUpstream(() => undefined));
    const { front } = await serveProxy({ targets: [up.url], headersTimeoutMs: 150, retries: 0 });
    const res = await fetch(`${front.url}/slow`);
    expect(res.status).toBe(504);
    expect((await readJson(res))['error']).toMatchObject({
      code: GATEWAY_ERROR_CODES.timeout,
      type: 'gateway_timeout',
      details: { reason: 'headers_timeout' },
    });
  });

  it('answers 504 connect_timeout when the upstream never completes the TCP handshake', async () => {
    // A listener whose thread never accepts, with its backlog filled: the kernel drops further SYNs,
    // so a connect hangs exactly as it does towards a black-holed host.
    const gate = new SharedArrayBuffer(4);
    const worker = new Worker(
      `const { parentPort, workerData } = require('node:worker_threads');
       const s = require('node:net').createServer();
       s.listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () => {
         parentPort.postMessage(s.address().port);
         Atomics.wait(new Int32Array(workerData), 0, 0, 10000);
       });`,
      { eval: true, workerData: gate },
    );
    const port = await new Promise<number>((resolve) => worker.once('message', resolve));
    const fillers = Array.from({ length: 4 }, () => connect(port, '127.0.0.1').on('error', () => undefined));
    // Linux queues backlog + 1 completed handshakes; once two fillers are in, the queue is full.
    await new Promise<void>((resolve) => {
      let connected = 0;
      for (const f of fillers) f.once('connect', () => ++connected === 2 && resolve());
    });
    cleanup.push(async () => {
      Atomics.notify(new Int32Array(gate), 0);
      for (const f of fillers) f.destroy();
      await worker.terminate();
    });
    const { front } = await serveProxy({ targets: [`http://127.0.0.1:${port}`], connectTimeoutMs: 200, retries: 0 });
    const res = await fetch(`${front.url}/ct`);
    expect(res.status).toBe(504);
    expect((await readJson(res))['error']).toMatchObject({
      code: GATEWAY_ERROR_CODES.timeout,
      details: { reason: 'connect_timeout' },
    });
  });

  it('answers 502 malformed_response for a garbage status line', async () => {
    const up = await track(startRawUpstream((s) => s.once('data', () => s.end('HTTP/1.1 abc nonsense\r\n\r\n'))));
    const { front } = await serveProxy({ targets: [up.url], retries: 0 });
    const res = await fetch(`${front.url}/m`);
    expect(res.status).toBe(502);
    expect((await readJson(res))['error']).toMatchObject({ details: { reason: 'malformed_response' } });
  });

  it('answers 502 response_headers_too_large for an oversized response head', async () => {
    const up = await track(
      startUpstream((_req, res) => {
        res.setHeader('x-big', 'a'.repeat(4096));
        res.end('ok');
      }),
    );
    const { front } = await serveProxy({ targets: [up.url], maxResponseHeaderBytes: 1024 });
    const res = await fetch(`${front.url}/big`);
    expect(res.status).toBe(502);
    expect((await readJson(res))['error']).toMatchObject({ details: { reason: 'response_headers_too_large' } });
  });

  it('cuts the client connection when the upstream resets mid-body, and the next request is unaffected', async () => {
    let n = 0;
    const up = await track(
      startRawUpstream((s) => {
        s.once('data', () => {
          n++;
          if (n === 1) {
            s.write('HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\npartial');
            setTimeout(() => s.resetAndDestroy(), 20);
          } else s.end('HTTP/1.1 200 OK\r\ncontent-length: 4\r\nconnection: close\r\n\r\nfine');
        });
      }),
    );
    const { front } = await serveProxy({ targets: [up.url], retries: 0 });
    const first = await fetch(`${front.url}/r`)
      .then((r) => r.text())
      .then(
        () => 'complete',
        () => 'cut',
      );
    expect(first).toBe('cut');
    const second = await fetch(`${front.url}/r`);
    expect(await second.text()).toBe('fine');
  });

  it('cuts the connection when the upstream stalls mid-body past the body timeout', async () => {
    const up = await track(
      startRawUpstream((s) => s.once('data', () => s.write('HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nabc'))),
    );
    const errors: string[] = [];
    const { front } = await serveProxy({
      targets: [up.url],
      bodyTimeoutMs: 150,
      retries: 0,
      onUpstreamError: (e) => errors.push(getUpstreamFailureReason(e.error)),
    });
    // The status was committed with the upstream's head, so the only honest signal left is a cut connection.
    const outcome = await fetch(`${front.url}/stall`)
      .then((r) => r.text())
      .then(
        () => 'complete',
        () => 'cut',
      );
    expect(outcome).toBe('cut');
    expect(errors).toEqual(['body_timeout']);
  });

  it('sends the head of a chunked answer before its first body byte', async () => {
    let release: () => void = () => undefined;
    const up = await track(
      startUpstream((_req, res) => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.flushHeaders();
        release = () => res.end('data: 1\n\n');
      }),
    );
    const { front } = await serveProxy({ targets: [up.url] });
    const res = await fetch(`${front.url}/events`);
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    release();
    expect(await res.text()).toBe('data: 1\n\n');
  });

  it('aborts the upstream request when the client goes away mid-stream', async () => {
    let upstreamClosed: () => void = () => undefined;
    const closed = new Promise<void>((resolve) => (upstreamClosed = resolve));
    const up = await track(
      startUpstream((_req, res) => {
        res.writeHead(200, { 'content-type': 'text/plain' });
        const timer = setInterval(() => res.write('tick\n'), 10);
        res.on('close', () => {
          clearInterval(timer);
          upstreamClosed();
        });
      }),
    );
    const { front } = await serveProxy({ targets: [up.url] });
    const ac = new AbortController();
    const res = await fetch(`${front.url}/stream`, { signal: ac.signal });
    const reader = res.body!.getReader();
    await reader.read();
    ac.abort();
    await closed;
    expect(true).toBe(true);
  });
});

describe('proxy cancellation by a finished response', () => {
  it('aborts an upstream that has not answered once a timeout answered the client instead', async () => {
    let upstreamClosed: () => void = () => undefined;
    const closed = new Promise<void>((resolve) => (upstreamClosed = resolve));
    const up = await track(
      startUpstream((req) => {
        req.on('close', () => upstreamClosed()); // never answers
      }),
    );
    const proxy = createProxy({ targets: [up.url], retries: 0, headersTimeoutMs: 60_000, circuitBreaker: false });
    cleanup.push(() => proxy.close());
    // What the timeout middleware does: the handler writes into a buffer, and on expiry the request is
    // aborted and the real response answered with 504.
    const front = await track(
      startHandler(async (w, r) => {
        const timer = setTimeout(() => {
          r.state.abort(new Error('budget spent'));
          w.raw!.writeHead(504).end('late');
        }, 30);
        await proxy.handler(new BufferedResponseWriter(0, w.raw), r);
        clearTimeout(timer);
      }),
    );
    const res = await fetch(`${front.url}/slow`);
    expect(res.status).toBe(504);
    expect(await res.text()).toBe('late');
    await closed; // long before the 60 s headers timeout
    await vi.waitFor(() => expect(proxy.pool.backends[0]!.inflight).toBe(0));
  });

  it('does not start an upstream request for a response that is already finished', async () => {
    let hits = 0;
    const up = await track(
      startUpstream((_req, res) => {
        hits++;
        res.end('x');
      }),
    );
    const proxy = createProxy({ targets: [up.url], retries: 0, circuitBreaker: false });
    cleanup.push(() => proxy.close());
    const front = await track(
      startHandler(async (w, r) => {
        w.raw!.end('answered elsewhere');
        await proxy.handler(new BufferedResponseWriter(0, w.raw), r);
      }),
    );
    const res = await fetch(`${front.url}/done`);
    expect(await res.text()).toBe('answered elsewhere');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(hits).toBe(0);
  });
});

describe('proxy retries', () => {
  it('retries an idempotent request on the next backend after a refused connection', async () => {
    const port = await getClosedPort();
    const up = await echoUpstream();
    const events: boolean[] = [];
    const { front } = await serveProxy({
      targets: [`http://127.0.0.1:${port}`, up.url],
      retries: 1,
      onUpstreamError: (e) => events.push(e.willRetry),
    });
    const res = await fetch(`${front.url}/g`);
    expect(res.status).toBe(200);
    expect(events).toEqual([true]);
  });

  it('never retries a request whose body was streamed', async () => {
    const port = await getClosedPort();
    const up = await echoUpstream();
    const events: boolean[] = [];
    const { front } = await serveProxy({
      targets: [`http://127.0.0.1:${port}`, up.url],
      retries: 3,
      onUpstreamError: (e) => events.push(e.willRetry),
    });
    const res = await fetch(`${front.url}/p`, { method: 'PUT', body: 'payload' });
    expect(res.status).toBe(502);
    expect(events).toEqual([false]);
    expect(up.seen).toHaveLength(0);
  });

  it('retries an idempotent request whose body was already buffered (replayable)', async () => {
    const port = await getClosedPort();
    const up = await echoUpstream();
    const proxy = createProxy({
      targets: [`http://127.0.0.1:${port}`, up.url],
      retries: 1,
      circuitBreaker: false,
      outlierDetection: false,
    });
    cleanup.push(() => proxy.close());
    const r = createRequest({
      method: 'PUT',
      url: '/doc',
      body: 'replayable',
      headers: { 'content-type': 'text/plain' },
    });
    await readBody(r);
    const w = new BufferedResponseWriter();
    await proxy.handler(w, r);
    expect(w.status).toBe(200);
    expect(up.seen[0]).toMatchObject({ method: 'PUT', body: 'replayable' });
  });

  it('never retries a non-idempotent POST', async () => {
    const port = await getClosedPort();
    const up = await echoUpstream();
    const { front } = await serveProxy({ targets: [`http://127.0.0.1:${port}`, up.url], retries: 3 });
    const res = await fetch(`${front.url}/p`, { method: 'POST' });
    expect(res.status).toBe(502);
    expect(up.seen).toHaveLength(0);
  });

  it('stops after the retry budget and reports the last failure', async () => {
    const a = await getClosedPort();
    const b = await getClosedPort();
    const events: boolean[] = [];
    const { front } = await serveProxy({
      targets: [`http://127.0.0.1:${a}`, `http://127.0.0.1:${b}`],
      retries: 1,
      onUpstreamError: (e) => events.push(e.willRetry),
    });
    const res = await fetch(`${front.url}/g`);
    expect(res.status).toBe(502);
    expect(events).toEqual([true, false]);
  });
});

describe('proxy request smuggling', () => {
  it('refuses Content-Length with Transfer-Encoding before any upstream sees it', async () => {
    const up = await echoUpstream();
    const { front } = await serveProxy({ targets: [up.url] });
    const raw = await sendRaw(
      front.port,
      'POST /s HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n',
    );
    expect(raw.startsWith('HTTP/1.1 400')).toBe(true);
    expect(up.seen).toHaveLength(0);
  });

  it('refuses an obs-folded header before any upstream sees it', async () => {
    const up = await echoUpstream();
    const { front } = await serveProxy({ targets: [up.url] });
    const raw = await sendRaw(front.port, 'GET /o HTTP/1.1\r\nHost: x\r\nX-Folded: a\r\n b\r\n\r\n');
    expect(raw.startsWith('HTTP/1.1 400')).toBe(true);
    expect(up.seen).toHaveLength(0);
  });

  it('refuses ambiguous framing even behind a lenient parser', async () => {
    const up = await echoUpstream();
    const proxy = createProxy({ targets: [up.url] });
    cleanup.push(() => proxy.close());
    const front = await track(startHandler(proxy.handler, { insecureHTTPParser: true }));
    const raw = await sendRaw(
      front.port,
      'POST /s HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
    );
    expect(raw.startsWith('HTTP/1.1 400')).toBe(true);
    expect(raw).toContain(GATEWAY_ERROR_CODES.badRequest);
    expect(up.seen).toHaveLength(0);
  });

  it.each([
    {
      title: 'CL with TE',
      headers: { 'content-length': '4', 'transfer-encoding': 'chunked' },
      reason: 'content_length_with_transfer_encoding',
    },
    {
      title: 'TE other than chunked',
      headers: { 'transfer-encoding': 'gzip, chunked' },
      reason: 'unsupported_transfer_encoding',
    },
    { title: 'non-numeric CL', headers: { 'content-length': '4, 4' }, reason: 'invalid_content_length' },
    { title: 'line break in a value', headers: { 'x-a': 'a\r\nx-b: b' }, reason: 'line_break_in_header' },
  ])('refuses in-process requests with $title', async ({ headers, reason }) => {
    const up = await echoUpstream();
    const proxy = createProxy({ targets: [up.url] });
    cleanup.push(() => proxy.close());
    const w = new BufferedResponseWriter();
    await proxy.handler(w, createRequest({ method: 'POST', url: '/x', headers }));
    expect(w.status).toBe(400);
    expect(w.getHeader('content-type')).toBe('application/json');
    expect(JSON.parse(w.getBody().toString())).toMatchObject({
      error: { code: GATEWAY_ERROR_CODES.badRequest, details: { reason } },
    });
    expect(up.seen).toHaveLength(0);
  });
});

describe('proxy options', () => {
  it.each([
    { title: 'no targets', options: { targets: [] } },
    { title: 'a non-http target', options: { targets: ['ftp://x'] } },
    { title: 'a target with credentials', options: { targets: ['http://u:p@x'] } },
    { title: 'a malformed trusted proxy', options: { targets: ['http://x'], trustedProxies: ['10.0.0.0/99'] } },
    { title: 'negative retries', options: { targets: ['http://x'], retries: -1 } },
    { title: 'a zero timeout', options: { targets: ['http://x'], headersTimeoutMs: 0 } },
    { title: 'duplicate targets', options: { targets: ['http://x', 'http://x/'] } },
    { title: 'a zero weight', options: { targets: [{ url: 'http://x', weight: 0 }] } },
  ])('rejects $title when the proxy is built', ({ options }) => {
    let caught: unknown;
    try {
      createProxy(options as Parameters<typeof createProxy>[0]);
    } catch (error) {
      caught = error;
    }
    expect(isGatewayError(caught)).toBe(true);
    expect((caught as { code: string }).code).toBe(GATEWAY_ERROR_CODES.invalidOptions);
  });
});

describe('proxy upgrades', () => {
  it('passes a WebSocket session through both ways and forwards the handshake headers', async () => {
    const up = await track(startUpstream((_req, res) => res.end()));
    const seen: Record<string, unknown>[] = [];
    const wss = new WebSocketServer({ noServer: true });
    cleanup.push(async () => wss.close());
    up.server.on('upgrade', (req, socket, head) => {
      seen.push({ url: req.url, xff: req.headers['x-forwarded-for'] });
      wss.handleUpgrade(req, socket, head, (ws) => ws.on('message', (m) => ws.send(`echo:${String(m)}`)));
    });
    const proxy = createProxy({ targets: [up.url], rewritePath: stripPrefix('/ws') });
    cleanup.push(() => proxy.close());
    const front = await track(startHandler(proxy.handler));
    front.server.on('upgrade', proxy.upgrade);
    const client = new WebSocket(`ws://127.0.0.1:${front.port}/ws/chat?room=1`);
    const reply = await new Promise<string>((resolve, reject) => {
      client.on('open', () => client.send('hi'));
      client.on('message', (m) => resolve(String(m)));
      client.on('error', reject);
    });
    client.close();
    expect(reply).toBe('echo:hi');
    expect(seen).toEqual([{ url: '/chat?room=1', xff: '127.0.0.1' }]);
  });

  it('answers 502 on the raw socket when the upstream refuses the upgrade', async () => {
    const up = await track(
      startUpstream((_req, res) => {
        res.statusCode = 404;
        res.end('no');
      }),
    );
    const proxy = createProxy({ targets: [up.url] });
    cleanup.push(() => proxy.close());
    const front = await track(startHandler(proxy.handler));
    front.server.on('upgrade', proxy.upgrade);
    const raw = await sendRaw(
      front.port,
      'GET /ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
    );
    expect(raw.startsWith('HTTP/1.1 502')).toBe(true);
    expect(raw).toContain(GATEWAY_ERROR_CODES.badGateway);
  });
});
