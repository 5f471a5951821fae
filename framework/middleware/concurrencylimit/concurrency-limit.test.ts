import { describe, it, expect } from 'vitest';
import { BufferedResponseWriter, createRequest, writeResponse, type Handler, type Request } from 'plumego/contract';
import { concurrencyLimit } from './concurrency-limit.ts';

function gated() {
  const gates: Array<() => void> = [];
  let running = 0;
  let peak = 0;
  const handler: Handler = async (w, r) => {
    running++;
    peak = Math.max(peak, running);
    await new Promise<void>((resolve) => gates.push(resolve));
    running--;
    writeResponse(w, r, 200, { ok: true });
  };
  return { handler, open: () => gates.shift()?.(), peak: () => peak, waiting: () => gates.length };
}

async function start(handler: Handler, r: Request = createRequest({ url: '/' })) {
  const w = new BufferedResponseWriter();
  const done = Promise.resolve(handler(w, r)).then(() => ({
    status: w.status,
    body: w.getBody().toString(),
    retry: w.getHeader('retry-after'),
  }));
  await new Promise((resolve) => setImmediate(resolve));
  return done;
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('concurrencyLimit', () => {
  it('runs up to the limit, queues the next ones and answers 503 when the queue is full', async () => {
    const g = gated();
    const handler = concurrencyLimit({ maxConcurrent: 2, queueDepth: 1, queueTimeoutMs: 10_000 })(g.handler);
    const a = start(handler);
    const b = start(handler);
    const c = start(handler);
    await tick();
    const d = await start(handler);
    expect(d.status).toBe(503);
    expect(d.retry).toBe('1');
    expect(JSON.parse(d.body).error.code).toBe('CONCURRENCY_LIMIT_BUSY');
    expect(g.waiting()).toBe(2);
    g.open();
    await tick();
    expect(g.waiting()).toBe(2); // the queued request took the freed slot
    g.open();
    g.open();
    expect((await Promise.all([a, b, c])).map((x) => x.status)).toEqual([200, 200, 200]);
    expect(g.peak()).toBe(2);
  });

  it('answers 503 with queue details when the wait times out', async () => {
    const g = gated();
    const handler = concurrencyLimit({ maxConcurrent: 1, queueDepth: 2, queueTimeoutMs: 20 })(g.handler);
    const first = start(handler);
    const second = await start(handler);
    expect(second.status).toBe(503);
    expect(JSON.parse(second.body).error).toMatchObject({
      code: 'CONCURRENCY_LIMIT_QUEUE_TIMEOUT',
      details: { queue_occupancy: 0, queue_capacity: 2 },
    });
    g.open();
    expect((await first).status).toBe(200);
  });

  it('drops a waiter whose client went away, silently', async () => {
    const g = gated();
    const handler = concurrencyLimit({ maxConcurrent: 1, queueDepth: 1, queueTimeoutMs: 10_000 })(g.handler);
    const first = start(handler);
    const r = createRequest({ url: '/' });
    const gone = start(handler, r);
    await tick();
    r.state.abort(new Error('client went away'));
    expect((await gone).status).toBe(0);
    const third = start(handler);
    await tick();
    g.open();
    await tick();
    g.open();
    expect((await first).status).toBe(200);
    expect((await third).status).toBe(200);
  });

  it('releases the slot when the handler throws', async () => {
    let calls = 0;
    const handler = concurrencyLimit({ maxConcurrent: 1 })(async () => {
      calls++;
      throw new Error('boom');
    });
    for (let i = 0; i < 3; i++)
      await expect(handler(new BufferedResponseWriter(), createRequest({ url: '/' }))).rejects.toThrow('boom');
    expect(calls).toBe(3);
  });

  it('refuses bad options at construction', () => {
    expect(() => concurrencyLimit({ maxConcurrent: 0 })).toThrow(TypeError);
    expect(() => concurrencyLimit({ maxConcurrent: 1, queueDepth: -1 })).toThrow(TypeError);
    expect(() => concurrencyLimit({ maxConcurrent: 1, queueTimeoutMs: 0 })).toThrow(TypeError);
  });
});
