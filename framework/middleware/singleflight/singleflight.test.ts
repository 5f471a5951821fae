import { describe, it, expect } from 'vitest';
import { BufferedResponseWriter, createRequest, writeResponse, type Handler } from 'plumego/contract';
import { createSingleflight } from './singleflight.ts';

function slowHandler() {
  let calls = 0;
  const gates: Array<() => void> = [];
  const handler: Handler = async (w, r) => {
    calls++;
    const n = calls;
    await new Promise<void>((resolve) => gates.push(resolve));
    w.setHeader('set-cookie', `s=${n}`);
    writeResponse(w, r, 200, { n });
  };
  return {
    handler,
    calls: () => calls,
    release: () => {
      while (gates.length > 0) gates.shift()?.();
    },
  };
}

async function send(handler: Handler, init: { method?: string; url?: string; headers?: Record<string, string> } = {}) {
  const w = new BufferedResponseWriter();
  await handler(
    w,
    createRequest({ url: init.url ?? '/items', method: init.method ?? 'GET', headers: init.headers ?? {} }),
  );
  return { status: w.status, body: w.getBody().toString(), header: (n: string) => w.getHeader(n) };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('singleflight', () => {
  it('runs one handler for concurrent identical GETs and replays its response to the rest', async () => {
    const s = slowHandler();
    const sf = createSingleflight({ addCoalescedHeader: true });
    const handler = sf.middleware()(s.handler);
    const pending = Array.from({ length: 5 }, () => send(handler));
    await tick();
    s.release();
    const results = await Promise.all(pending);
    expect(s.calls()).toBe(1);
    expect(new Set(results.map((x) => x.body)).size).toBe(1);
    expect(results.filter((x) => x.header('x-coalesced') === 'true').length).toBe(4);
    expect(results.filter((x) => x.header('set-cookie') !== undefined).length).toBe(1);
    expect(sf.getStats()).toMatchObject({ leaders: 1, coalesced: 4, inFlight: 0 });
  });

  it('never shares a response between different credentials, URLs or unsafe methods', async () => {
    const s = slowHandler();
    const handler = createSingleflight().middleware()(s.handler);
    const pending = [
      send(handler, { headers: { authorization: 'Bearer alice' } }),
      send(handler, { headers: { authorization: 'Bearer bob' } }),
      send(handler, { url: '/items?page=2' }),
      send(handler, { method: 'POST' }),
      send(handler, { method: 'POST' }),
    ];
    await tick();
    s.release();
    await Promise.all(pending);
    expect(s.calls()).toBe(5);
  });

  it('lets followers run the handler themselves when the leader fails', async () => {
    let calls = 0;
    let release: () => void = () => {};
    const handler = createSingleflight().middleware()(async (w, r) => {
      calls++;
      if (calls === 1) {
        await new Promise<void>((resolve) => {
          release = resolve;
        });
        throw new Error('leader failed');
      }
      writeResponse(w, r, 200, { ok: true });
    });
    const leader = send(handler);
    await tick();
    const follower = send(handler);
    await tick();
    release();
    await expect(leader).rejects.toThrow('leader failed');
    expect((await follower).status).toBe(200);
    expect(calls).toBe(2);
  });

  it('falls back after the waiter timeout', async () => {
    const s = slowHandler();
    const sf = createSingleflight({ waiterTimeoutMs: 10 });
    const handler = sf.middleware()(s.handler);
    const leader = send(handler);
    await tick();
    const follower = send(handler);
    await new Promise((resolve) => setTimeout(resolve, 30));
    s.release();
    await tick();
    s.release();
    await Promise.all([leader, follower]);
    expect(s.calls()).toBe(2);
    expect(sf.getStats().fallbacks).toBe(1);
  });

  it('answers 500 to the leader and releases followers when the response overflows', async () => {
    const handler = createSingleflight({ maxResponseBytes: 10 }).middleware()((w) => {
      w.end('x'.repeat(100));
    });
    const res = await send(handler);
    expect(res.status).toBe(500);
  });

  it('refuses bad options at construction', () => {
    expect(() => createSingleflight({ waiterTimeoutMs: 0 })).toThrow(TypeError);
  });
});
