import { describe, expect, it } from 'vitest';
import {
  BufferedResponseWriter,
  ClientDisconnectedError,
  composeMiddleware,
  createRequest,
  type Handler,
  type Middleware,
  type RequestInit,
} from 'plumego/contract';
import { createLogger } from 'plumego/log';
import { recovery } from '../recovery/index.ts';
import { accessLog } from './access-log.ts';

async function run(h: Handler, init: RequestInit, fields?: Record<string, unknown>, outer: Middleware[] = []) {
  const out: string[] = [];
  const logger = createLogger({ format: 'json', buffered: false, output: { write: (s: string) => out.push(s) } });
  const w = new BufferedResponseWriter();
  const r = createRequest(init);
  // Simulate the router filling the route slot, as it does inside the stack.
  const routed: Handler = (w2, r2) => {
    r2.state.routePattern = '/users/:id';
    return h(w2, r2);
  };
  let error: unknown;
  try {
    await composeMiddleware([...outer, accessLog({ logger, ...(fields ? { fields } : {}) })], routed)(w, r);
  } catch (err) {
    error = err;
  }
  // After a thrown error the entry is written once the error response went out (next macrotask).
  await new Promise((resolve) => setImmediate(resolve));
  return { body: w.getBody(), entries: out.map((l) => JSON.parse(l) as Record<string, unknown>), error };
}

describe('accessLog', () => {
  it('logs one entry with route, status, bytes and client details', async () => {
    const { entries } = await run((w) => w.end('hello'), {
      url: '/users/7',
      headers: { 'user-agent': 'ua/1', 'x-forwarded-for': '203.0.113.9, 10.0.0.1' },
    });
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      level: 'INFO',
      msg: 'request completed',
      method: 'GET',
      path: '/users/7',
      route: '/users/:id',
      status: 200,
      bytes: 5,
      user_agent: 'ua/1',
      client_ip: '203.0.113.9',
    });
    expect(typeof entries[0]!['duration_ms']).toBe('number');
  });

  it('redacts sensitive query and extra fields', async () => {
    const { entries } = await run(
      (w) => w.end(),
      { url: '/users/7?access_token=abc&page=2&Password=x&sig=1&signature=s' },
      { api_secret: 'zzz', service: 'svc' },
    );
    const text = JSON.stringify(entries[0]);
    expect(entries[0]!['query']).toEqual({
      access_token: '***',
      page: '2',
      Password: '***',
      sig: '1',
      signature: '***',
    });
    expect(entries[0]).toMatchObject({ api_secret: '***', service: 'svc' });
    expect(text).not.toContain('abc');
  });

  it('logs async handlers after they finish and logs failures as 500 before re-throwing', async () => {
    const ok = await run(
      async (w) => {
        await new Promise((r) => setTimeout(r, 5));
        w.writeHead(201);
        w.end();
      },
      { url: '/users/1' },
    );
    expect(ok.entries[0]!['status']).toBe(201);
    const failed = await run(
      async () => {
        throw new Error('x');
      },
      { url: '/users/1' },
    );
    expect(failed.entries[0]!['status']).toBe(500);
    expect(failed.error).toBeInstanceOf(Error);
  });

  it.each([
    {
      title: 'a synchronous throw',
      h: (() => {
        throw new Error('boom');
      }) as Handler,
    },
    {
      title: 'a rejected promise',
      h: (async () => {
        await Promise.resolve();
        throw new Error('boom');
      }) as Handler,
    },
  ])('logs the bytes of the envelope recovery sends for $title', async ({ h }) => {
    const { entries, body, error } = await run(h, { url: '/users/1' }, undefined, [recovery()]);
    expect(error).toBeUndefined();
    expect(body.length).toBeGreaterThan(0);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ status: 500, bytes: body.length });
  });

  it('logs a client that went away mid-request as 499, not 500', async () => {
    const { entries } = await run(
      async () => {
        throw new ClientDisconnectedError();
      },
      { url: '/users/1' },
      undefined,
      [recovery()],
    );
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ status: 499, bytes: 0 });
  });

  it('requires a logger', () => {
    expect(() => accessLog({} as never)).toThrow(TypeError);
  });
});
