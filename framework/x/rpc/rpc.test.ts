import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { status } from '@grpc/grpc-js';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Context, NodeResponseWriter, createRequestFromNode, type Handler } from 'plumego/contract';
import { withDeadline } from './call-context.ts';
import { RpcClientPool } from './client-pool.ts';
import { RPC_ERROR_CODES, isRpcError } from './errors.ts';
import { deadlineInterceptor, loggingInterceptor, retryInterceptor, traceContextInterceptor } from './interceptors.ts';
import { RpcServer } from './server.ts';
import { protos, startEchoServer, type EchoServer } from './test-server.ts';
import { createTranscoder } from './transcoder.ts';

const say = protos.getMethod('plumego.test.Echo/Say');
const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  while (cleanup.length > 0) await cleanup.pop()!();
});

async function echo(options?: { shutdownTimeoutMs?: number }): Promise<EchoServer> {
  const e = await startEchoServer(options);
  cleanup.push(() => e.server.shutdown(0));
  return e;
}

function pool(options: ConstructorParameters<typeof RpcClientPool>[0] = {}): RpcClientPool {
  const p = new RpcClientPool(options);
  cleanup.push(() => p.close());
  return p;
}

const TRACE = {
  traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
  spanId: '00f067aa0ba902b7',
  parentSpanId: '',
  flags: 1,
  traceState: 'vendor=1',
};

describe('rpc server lifecycle', () => {
  it('serves after start, reports readiness, and refuses a second start', async () => {
    const e = await echo();
    expect(() => e.server.ready()).not.toThrow();
    await expect(e.server.start()).rejects.toMatchObject({ code: RPC_ERROR_CODES.serverStopped });
    expect(() => e.server.addService(protos.getService('plumego.test.Echo'), {})).toThrow(/before start/);
  });

  it('lets an in-flight call finish within the stop deadline', async () => {
    const e = await echo();
    const p = pool();
    const inFlight = p.unary<{ text: string }>(e.target, say, { text: 'slow', delay_ms: 150 });
    // Wait for the call to reach the server (a fixed 30 ms was too short on a loaded machine).
    await vi.waitFor(() => expect(e.calls).toHaveLength(1), { interval: 5 });
    const stopped = await e.server.shutdown(5_000);
    expect(stopped).toEqual({ forced: false });
    expect((await inFlight).text).toBe('echo:slow');
    expect(() => e.server.ready()).toThrow();
  });

  it('cancels in-flight calls when the stop deadline passes', async () => {
    const e = await echo();
    const p = pool();
    const inFlight = p.unary(e.target, say, { text: 'stuck', delay_ms: 60_000 }).then(
      () => 'ok',
      (err: { code: number }) => err.code,
    );
    await vi.waitFor(() => expect(e.calls).toHaveLength(1), { interval: 5 });
    expect(await e.server.shutdown(50)).toEqual({ forced: true });
    expect([status.CANCELLED, status.UNAVAILABLE, status.INTERNAL]).toContain(await inFlight);
  });

  it('rejects a malformed address when built', () => {
    let caught: unknown;
    try {
      new RpcServer({ address: 'no-port' });
    } catch (error) {
      caught = error;
    }
    expect(isRpcError(caught)).toBe(true);
  });
});

describe('rpc client pool', () => {
  it('reuses one client per target and closes the least recently used past maxTargets', async () => {
    const p = pool({ maxTargets: 2 });
    const a = p.getClient('127.0.0.1:1');
    expect(p.getClient('127.0.0.1:1')).toBe(a);
    p.getClient('127.0.0.1:2');
    p.getClient('127.0.0.1:3');
    expect(p.size).toBe(2);
    expect(p.getClient('127.0.0.1:1')).not.toBe(a);
  });

  it('makes unary, server-streaming, client-streaming and bidi calls', async () => {
    const e = await echo();
    const p = pool();
    expect(await p.unary(e.target, say, { text: 'hi' })).toMatchObject({ text: 'echo:hi' });
    const counted: string[] = [];
    for await (const m of p.serverStream<{ text: string }>(e.target, protos.getMethod('plumego.test.Echo/Count'), {
      n: 3,
    }))
      counted.push(m.text);
    expect(counted).toEqual(['1', '2', '3']);
    const { stream, response } = p.clientStream<{ text: string }>(
      e.target,
      protos.getMethod('plumego.test.Echo/Collect'),
    );
    stream.write({ text: 'a' });
    stream.write({ text: 'b' });
    stream.end();
    expect((await response).text).toBe('a+b');
    const chat = p.bidiStream<{ text: string }>(e.target, protos.getMethod('plumego.test.Echo/Chat'));
    chat.write({ text: 'x' });
    chat.end();
    const replies: string[] = [];
    for await (const m of chat) replies.push(m.text);
    expect(replies).toEqual(['X']);
  });

  it('refuses a streaming method on the unary path and calls after close', async () => {
    const p = pool();
    expect(() => p.unary('127.0.0.1:1', protos.getMethod('plumego.test.Echo/Count'), {})).toThrow(/not unary/);
    p.close();
    expect(() => p.getClient('127.0.0.1:1')).toThrow(/closed/);
  });

  it('cancels the call when the signal aborts', async () => {
    const e = await echo();
    const p = pool();
    const ac = new AbortController();
    const call = p.unary(e.target, say, { text: 'c', delay_ms: 5_000 }, { signal: ac.signal });
    // Wait for the server to hold the call (not a fixed sleep: a loaded machine may take longer).
    const until = async (ok: () => boolean): Promise<void> => {
      for (let i = 0; i < 200 && !ok(); i++) await new Promise((r) => setTimeout(r, 10));
    };
    await until(() => e.calls.length > 0);
    ac.abort();
    await expect(call).rejects.toMatchObject({ code: status.CANCELLED });
    await until(() => e.calls[0]?.cancelled === true);
    expect(e.calls[0]!.cancelled).toBe(true);
  });
});

describe('rpc interceptors', () => {
  it('retries UNAVAILABLE with backoff and succeeds on the third attempt', async () => {
    const e = await echo();
    const delays: number[] = [];
    const p = pool({
      interceptors: [
        retryInterceptor({
          maxAttempts: 3,
          initialDelayMs: 10,
          random: () => 0.5,
          sleep: async (ms) => void delays.push(ms),
        }),
      ],
    });
    e.failNext(2, status.UNAVAILABLE);
    expect(await p.unary(e.target, say, { text: 'r' })).toMatchObject({ text: 'echo:r' });
    expect(e.calls).toHaveLength(3);
    expect(delays).toEqual([5, 10]);
  });

  it('does not retry a status outside retryOn, nor past the attempt budget', async () => {
    const e = await echo();
    const p = pool({ interceptors: [retryInterceptor({ maxAttempts: 2, sleep: async () => undefined })] });
    e.failNext(1, status.INVALID_ARGUMENT);
    await expect(p.unary(e.target, say, { text: 'n' })).rejects.toMatchObject({ code: status.INVALID_ARGUMENT });
    expect(e.calls).toHaveLength(1);
    e.failNext(5, status.UNAVAILABLE);
    await expect(p.unary(e.target, say, { text: 'n' })).rejects.toMatchObject({ code: status.UNAVAILABLE });
    expect(e.calls).toHaveLength(3);
  });

  it('does not wait for a backoff that ends after the deadline', async () => {
    const e = await echo();
    const p = pool({
      interceptors: [
        retryInterceptor({
          initialDelayMs: 10_000,
          maxDelayMs: 10_000,
          random: () => 0.99,
          sleep: async () => undefined,
        }),
      ],
    });
    e.failNext(1, status.UNAVAILABLE);
    await expect(p.unary(e.target, say, { text: 'd' }, { deadline: Date.now() + 2_000 })).rejects.toMatchObject({
      code: status.UNAVAILABLE,
    });
    expect(e.calls).toHaveLength(1);
  });

  it('continues the caller trace with a new span and sends tracestate', async () => {
    const e = await echo();
    const p = pool({ interceptors: [traceContextInterceptor()] });
    const reply = await p.unary<{ traceparent: string }>(
      e.target,
      say,
      { text: 't' },
      { ctx: Context.empty.withTrace(TRACE) },
    );
    const sent = e.calls[0]!.traceparent.split('-');
    expect(sent[1]).toBe(TRACE.traceId);
    expect(sent[2]).not.toBe(TRACE.spanId);
    expect(reply.traceparent).toBe(`${TRACE.traceId}/${sent[2]}`);
  });

  it('propagates the context deadline and a default timeout, whichever is earlier', async () => {
    const e = await echo();
    const p = pool({ interceptors: [deadlineInterceptor({ defaultTimeoutMs: 60_000 })] });
    const soon = Date.now() + 5_000;
    await p.unary(e.target, say, { text: 'a' }, { ctx: withDeadline(Context.empty, soon) });
    expect(Math.abs(e.calls[0]!.deadline - soon)).toBeLessThan(1_000);
    await p.unary(e.target, say, { text: 'b' });
    expect(e.calls[1]!.deadline).toBeGreaterThan(Date.now() + 30_000);
    await expect(
      p.unary(e.target, say, { text: 'late', delay_ms: 2_000 }, { ctx: withDeadline(Context.empty, Date.now() + 100) }),
    ).rejects.toMatchObject({ code: status.DEADLINE_EXCEEDED });
  });

  it('logs each call with its status', async () => {
    const e = await echo();
    const lines: { msg: string; fields: Record<string, unknown> }[] = [];
    const logger = {
      info: (msg: string, fields: Record<string, unknown>) => lines.push({ msg, fields }),
      warn: (msg: string, fields: Record<string, unknown>) => lines.push({ msg, fields }),
    };
    const p = pool({ interceptors: [loggingInterceptor(logger as never)] });
    await p.unary(e.target, say, { text: 'ok' });
    await p.unary(e.target, say, { text: 'x', fail: 'not_found' }).catch(() => undefined);
    expect(lines.map((l) => [l.msg, l.fields['status'], l.fields['method']])).toEqual([
      ['rpc call', 'OK', '/plumego.test.Echo/Say'],
      ['rpc call failed', 'NOT_FOUND', '/plumego.test.Echo/Say'],
    ]);
  });
});

describe('http to grpc transcoder', () => {
  async function serve(handler: Handler): Promise<string> {
    const server = createServer(
      (req, res) => void handler(new NodeResponseWriter(res), createRequestFromNode(req, res)),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanup.push(
      () =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    );
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  it('turns a JSON POST into a unary call and answers with the success envelope', async () => {
    const e = await echo();
    const url = await serve(createTranscoder({ pool: pool(), target: e.target, method: say }));
    const res = await fetch(`${url}/say`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'json' }),
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { data: { text: string } }).data.text).toBe('echo:json');
  });

  it('builds the message from the query for a GET', async () => {
    const e = await echo();
    const url = await serve(createTranscoder({ pool: pool(), target: e.target, method: say }));
    const res = await fetch(`${url}/say?text=from-query`);
    expect(((await res.json()) as { data: { text: string } }).data.text).toBe('echo:from-query');
  });

  it.each([
    { title: 'NOT_FOUND as 404', fail: 'not_found', status: 404, code: RPC_ERROR_CODES.notFound },
    { title: 'INVALID_ARGUMENT as 400', fail: 'invalid', status: 400, code: RPC_ERROR_CODES.invalidArgument },
  ])('maps $title without leaking the status message', async ({ fail, status: httpStatus, code }) => {
    const e = await echo();
    const url = await serve(createTranscoder({ pool: pool(), target: e.target, method: say }));
    const res = await fetch(`${url}/say`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'x', fail }),
    });
    expect(res.status).toBe(httpStatus);
    const text = await res.text();
    expect(JSON.parse(text)).toMatchObject({ error: { code } });
    expect(text).not.toContain('secret-row-17');
  });

  it('answers 504 when the call outlives timeoutMs and 503 when the target is down', async () => {
    const e = await echo();
    const slow = await serve(createTranscoder({ pool: pool(), target: e.target, method: say, timeoutMs: 100 }));
    const res = await fetch(`${slow}/say`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 's', delay_ms: 3_000 }),
    });
    expect(res.status).toBe(504);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe(RPC_ERROR_CODES.deadlineExceeded);
    const down = await serve(createTranscoder({ pool: pool(), target: '127.0.0.1:1', method: say, timeoutMs: 2_000 }));
    const res2 = await fetch(`${down}/say?text=x`);
    expect(res2.status).toBe(503);
  });

  it('answers 400 for a body that is not JSON, without calling the method', async () => {
    const e = await echo();
    const url = await serve(createTranscoder({ pool: pool(), target: e.target, method: say }));
    const res = await fetch(`${url}/say`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{broken',
    });
    expect(res.status).toBe(400);
    expect(e.calls).toHaveLength(0);
  });

  it('relays a server stream as NDJSON lines', async () => {
    const e = await echo();
    const url = await serve(
      createTranscoder({ pool: pool(), target: e.target, method: protos.getMethod('plumego.test.Echo/Count') }),
    );
    const res = await fetch(`${url}/count?n=3`);
    expect(res.headers.get('content-type')).toBe('application/x-ndjson');
    const lines = (await res.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { text: string });
    expect(lines.map((l) => l.text)).toEqual(['1', '2', '3']);
  });

  it('ends a stream that fails midway with an error line that hides the server message', async () => {
    const e = await echo();
    const url = await serve(
      createTranscoder({ pool: pool(), target: e.target, method: protos.getMethod('plumego.test.Echo/Count') }),
    );
    const res = await fetch(`${url}/count?n=99`);
    expect(res.status).toBe(200);
    const text = await res.text();
    const lines = text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines[0]).toEqual({ text: '1', traceparent: '', deadline_ms: '0' });
    expect(lines.at(-1)).toMatchObject({ error: { code: RPC_ERROR_CODES.internal } });
    expect(text).not.toContain('internal detail');
  });

  it('answers an envelope error when a stream fails before its first message', async () => {
    const url = await serve(
      createTranscoder({
        pool: pool(),
        target: '127.0.0.1:1',
        method: protos.getMethod('plumego.test.Echo/Count'),
        timeoutMs: 2_000,
      }),
    );
    const res = await fetch(`${url}/count?n=2`);
    expect(res.status).toBe(503);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe(RPC_ERROR_CODES.unavailable);
  });

  it('refuses a client- or bidi-streaming method when built', () => {
    expect(() =>
      createTranscoder({ pool: pool(), target: 'x:1', method: protos.getMethod('plumego.test.Echo/Chat') }),
    ).toThrow(/server-streaming/);
    expect(() => protos.getMethod('plumego.test.Echo/Nope')).toThrow(/unknown method/);
  });
});

describe('rpc server as a lifecycle component', () => {
  it('stops through the component hook with its configured deadline', async () => {
    const e = await startEchoServer({ shutdownTimeoutMs: 50 });
    const p = pool();
    const stuck = p.unary(e.target, say, { text: 'stuck', delay_ms: 60_000 }).then(
      () => 'ok',
      () => 'cancelled',
    );
    await new Promise((r) => setTimeout(r, 30));
    await e.server.stop();
    expect(await stuck).toBe('cancelled');
    expect(e.server.state).toBe('stopped');
  });
});
