import { performance } from 'node:perf_hooks';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  BufferedResponseWriter,
  composeMiddleware,
  createRequest,
  type Handler,
  type Middleware,
} from 'plumego/contract';
import { onRequestComplete } from './completion.ts';

// A clock that moves by 10 ms per read, so each duration says which reads it spans.
let reads = 0;
beforeEach(() => {
  reads = 0;
  vi.spyOn(performance, 'now').mockImplementation(() => ++reads * 10);
});
afterEach(() => {
  vi.restoreAllMocks();
});

function timer(name: string, seen: Record<string, number>): Middleware {
  return onRequestComplete((_w, _r, durationMs, error) => {
    seen[name] = durationMs;
    if (error !== undefined) seen[`${name} error`] = 1;
  });
}

async function serve(stack: Middleware[], h: Handler) {
  const w = new BufferedResponseWriter();
  await composeMiddleware(stack, h)(w, createRequest({ url: '/' }));
  return w;
}

describe('onRequestComplete clock sharing', () => {
  it('reads the clock twice for two nested timers around a synchronous handler', async () => {
    const seen: Record<string, number> = {};
    const passThrough: Middleware = (next) => next;
    await serve([timer('outer', seen), passThrough, timer('inner', seen)], (w) => w.end('x'));
    expect(reads).toBe(2);
    expect(seen).toEqual({ outer: 10, inner: 10 });
  });

  it('shares the start but reads each end after an asynchronous handler', async () => {
    const seen: Record<string, number> = {};
    await serve([timer('outer', seen), timer('inner', seen)], async (w) => {
      await Promise.resolve();
      w.end();
    });
    expect(reads).toBe(3);
    // start at read 1; inner ends at read 2, outer at read 3.
    expect(seen).toEqual({ outer: 20, inner: 10 });
  });

  it('reads a fresh start for an inner timer entered after an await', async () => {
    const seen: Record<string, number> = {};
    const later: Middleware = (next) => async (w, r) => {
      await Promise.resolve();
      await next(w, r);
    };
    await serve([timer('outer', seen), later, timer('inner', seen)], (w) => w.end());
    // outer start 1, inner start 2, inner end 3, outer end 4.
    expect(reads).toBe(4);
    expect(seen).toEqual({ outer: 30, inner: 10 });
  });

  it('times a second synchronous attempt on its own', async () => {
    const durations: number[] = [];
    const inner = onRequestComplete((_w, _r, ms) => void durations.push(ms));
    const twice: Middleware = (next) => (w, r) => {
      void next(w, r);
      return next(w, r);
    };
    const seen: Record<string, number> = {};
    await serve([timer('outer', seen), twice, inner], (w) => w.end());
    // outer start 1 (shared by attempt 1), attempt 1 end 2, attempt 2 start 3 and end 4, outer reuses 4.
    expect(durations).toEqual([10, 10]);
    expect(seen['outer']).toBe(30);
    expect(reads).toBe(4);
  });

  it('keeps the enclosing request window across a request dispatched from a handler', async () => {
    const seen: Record<string, number> = {};
    const nested: Record<string, number> = {};
    await serve([timer('outer', seen), timer('inner', seen)], (w) => {
      // Another request, served synchronously to completion inside this handler.
      const w2 = new BufferedResponseWriter();
      void composeMiddleware([timer('other', nested)], (x) => x.end())(w2, createRequest({ url: '/b' }));
      w.end();
    });
    // outer start 1; other start 2, end 3; inner end 4; outer reuses 4.
    expect(nested).toEqual({ other: 10 });
    expect(seen).toEqual({ outer: 30, inner: 30 });
    expect(reads).toBe(4);
  });

  it('reports a synchronous throw to both timers with one end read, and re-throws it', async () => {
    const seen: Record<string, number> = {};
    const boom = new Error('boom');
    await expect(
      serve([timer('outer', seen), timer('inner', seen)], () => {
        throw boom;
      }),
    ).rejects.toBe(boom);
    expect(seen).toEqual({ outer: 10, inner: 10, 'outer error': 1, 'inner error': 1 });
    expect(reads).toBe(2);
  });

  it('reports a rejection to both timers with their own end reads', async () => {
    const seen: Record<string, number> = {};
    const boom = new Error('boom');
    await expect(serve([timer('outer', seen), timer('inner', seen)], () => Promise.reject(boom))).rejects.toBe(boom);
    expect(seen).toEqual({ outer: 20, inner: 10, 'outer error': 1, 'inner error': 1 });
    expect(reads).toBe(3);
  });
});
