import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  BufferedResponseWriter,
  composeMiddleware,
  createRequest,
  writeResponse,
  type Handler,
  type Request,
} from 'plumego/contract';
import type { Fields, StructuredLogger } from 'plumego/log';
import { DeadlineEntry, DeadlineQueue } from './deadline-queue.ts';
import { RequestTimeoutError, timeout } from './timeout.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function run(h: Handler, timeoutMs = 30, maxBufferBytes?: number) {
  const w = new BufferedResponseWriter();
  const r = createRequest({ url: '/' });
  const mw = timeout({ timeoutMs, ...(maxBufferBytes ? { maxBufferBytes } : {}) });
  await composeMiddleware([mw], h)(w, r);
  return { w, r, body: w.getBody().toString() };
}

describe('timeout', () => {
  it('passes a fast synchronous response through the buffer', async () => {
    const { w, body } = await run((w, r) => {
      w.setHeader('x-a', '1');
      writeResponse(w, r, 201, { ok: true });
    });
    expect([w.status, w.getHeader('x-a'), body]).toEqual([201, '1', '{"data":{"ok":true}}\n']);
  });

  it('passes a fast async response through', async () => {
    const { w } = await run(async (w) => {
      await sleep(1);
      w.end('done');
    });
    expect([w.status, w.getBody().toString()]).toEqual([200, 'done']);
  });

  it('answers 504, aborts the signal and drops late writes', async () => {
    let req: Request | undefined;
    let lateWrite: boolean | undefined;
    const { w, body } = await run(async (w, r) => {
      req = r;
      await sleep(80);
      lateWrite = w.write('late');
      w.end('late');
    }, 20);
    expect(w.status).toBe(504);
    expect(JSON.parse(body).error).toEqual({
      code: 'GATEWAY_TIMEOUT',
      message: 'request timed out',
      category: 'timeout_error',
      type: 'gateway_timeout',
    });
    expect(req!.signal.aborted).toBe(true);
    expect(req!.signal.reason).toBeInstanceOf(RequestTimeoutError);
    await sleep(100);
    expect(lateWrite).toBe(false);
    expect(w.getBody().toString()).toBe(body);
  });

  it('never leaves an unhandled rejection when the handler fails after the deadline', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => unhandled.push(e);
    process.on('unhandledRejection', onUnhandled);
    try {
      const { w } = await run(async () => {
        await sleep(40);
        throw new Error('too late');
      }, 10);
      expect(w.status).toBe(504);
      await sleep(80);
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('re-throws an in-time failure for recovery, with nothing written', async () => {
    const w = new BufferedResponseWriter();
    const p = composeMiddleware([timeout({ timeoutMs: 100 })], async (w2) => {
      w2.write('half');
      throw new Error('boom');
    })(w, createRequest({ url: '/' }));
    await expect(p).rejects.toThrow('boom');
    expect(w.headersSent).toBe(false);
  });

  it('propagates a synchronous throw as is', () => {
    const h = composeMiddleware([timeout({ timeoutMs: 100 })], () => {
      throw new Error('sync');
    });
    expect(() => h(new BufferedResponseWriter(), createRequest({ url: '/' }))).toThrow('sync');
  });

  it('replaces a response larger than the buffer with a 500', async () => {
    const { w } = await run((w) => w.end('x'.repeat(100)), 100, 10);
    expect(w.status).toBe(500);
  });

  it('waits for a handler that ends the response after returning', async () => {
    const { w } = await run((w) => {
      setTimeout(() => w.end('later'), 5);
    }, 100);
    expect(w.getBody().toString()).toBe('later');
  });

  it('is a no-op for a non-positive budget and rejects a non-number', async () => {
    const h: Handler = (w) => w.end();
    expect(timeout({ timeoutMs: 0 })(h)).toBe(h);
    expect(() => timeout({ timeoutMs: Number.NaN })).toThrow(TypeError);
  });
});

function memoryLogger(lines: { level: string; fields: Fields }[]): StructuredLogger {
  const push =
    (level: string) =>
    (_msg: string, ...f: Fields[]) =>
      lines.push({ level, fields: Object.assign({}, ...f) });
  const logger: StructuredLogger = {
    withFields: () => logger,
    debug: push('debug'),
    info: push('info'),
    warn: push('warn'),
    error: push('error'),
    isEnabled: () => true,
  };
  return logger;
}

describe('timeout edge cases', () => {
  it('logs a failure that arrives after the 504, once, at error level', async () => {
    const lines: { level: string; fields: Fields }[] = [];
    let fail: (e: unknown) => void = () => {};
    const w = new BufferedResponseWriter();
    const r = createRequest({ method: 'PATCH', url: '/slow' });
    const h = composeMiddleware(
      [timeout({ timeoutMs: 10, logger: memoryLogger(lines) })],
      () => new Promise<void>((_, reject) => (fail = reject)),
    );
    await h(w, r);
    expect(w.status).toBe(504);
    expect(lines).toEqual([]);
    fail(new RangeError('late'));
    await sleep(0);
    expect(lines).toHaveLength(1);
    expect(lines[0]!.level).toBe('error');
    expect(lines[0]!.fields).toMatchObject({ method: 'PATCH', error_type: 'RangeError' });
    expect(w.status).toBe(504);
  });

  it('logs nothing for an in-time failure (recovery answers it)', async () => {
    const lines: { level: string; fields: Fields }[] = [];
    const h = composeMiddleware([timeout({ timeoutMs: 1000, logger: memoryLogger(lines) })], async () => {
      throw new Error('early');
    });
    await expect(h(new BufferedResponseWriter(), createRequest({ url: '/' }))).rejects.toThrow();
    expect(lines).toEqual([]);
  });

  it('refuses a timeoutMs that is not a number', () => {
    expect(() => timeout({ timeoutMs: '50' as unknown as number })).toThrow(TypeError);
    expect(() => timeout({ timeoutMs: undefined as unknown as number })).toThrow(TypeError);
    expect(() => timeout({ timeoutMs: -5 })).not.toThrow();
  });

  it('answers a synchronous handler synchronously, without a promise or a timer', () => {
    const w = new BufferedResponseWriter();
    const h = composeMiddleware([timeout({ timeoutMs: 1000 })], (w2) => w2.end('now'));
    const out = h(w, createRequest({ url: '/' }));
    expect(out).toBeUndefined();
    expect([w.status, w.finished, w.getBody().toString()]).toEqual([200, true, 'now']);
  });

  it('replaces an oversized response with a typed internal error', async () => {
    const { w, body } = await run((w) => w.end('x'.repeat(100)), 100, 10);
    expect(w.status).toBe(500);
    expect(JSON.parse(body).error).toMatchObject({
      code: 'INTERNAL_ERROR',
      type: 'internal_error',
      category: 'server_error',
    });
  });

  it('sends a response that fits the buffer exactly', async () => {
    const { w, body } = await run((w) => w.end('x'.repeat(10)), 100, 10);
    expect([w.status, body]).toEqual([200, 'x'.repeat(10)]);
  });
});

describe('DeadlineQueue', () => {
  class Entry extends DeadlineEntry {
    fired = false;
    fire(): void {
      this.fired = true;
    }
  }

  it('fires expired entries in order, skips cancelled ones, and shares one timer', async () => {
    const q = new DeadlineQueue(15);
    const a = new Entry();
    const b = new Entry();
    const c = new Entry();
    q.add(a);
    q.add(b);
    q.add(c);
    q.cancel(b);
    expect(q.size).toBe(2);
    await sleep(40);
    expect([a.fired, b.fired, c.fired]).toEqual([true, false, true]);
    expect(q.size).toBe(0);
  });

  describe('with fake timers', () => {
    afterEach(() => {
      vi.useRealTimers();
    });

    it('fires each entry at its own deadline, not before, and re-arms for the rest', () => {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
      const q = new DeadlineQueue(20);
      const a = new Entry();
      const b = new Entry();
      q.add(a);
      vi.advanceTimersByTime(10);
      q.add(b);
      vi.advanceTimersByTime(9);
      expect([a.fired, b.fired]).toEqual([false, false]);
      vi.advanceTimersByTime(1);
      expect([a.fired, b.fired]).toEqual([true, false]);
      vi.advanceTimersByTime(9);
      expect(b.fired).toBe(false);
      vi.advanceTimersByTime(1);
      expect(b.fired).toBe(true);
      expect(q.size).toBe(0);
    });

    it('arms one timer for many entries and does not poll before the deadline', () => {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
      const spy = vi.spyOn(globalThis, 'setTimeout');
      const q = new DeadlineQueue(1000);
      const entries = [new Entry(), new Entry(), new Entry()];
      for (const e of entries) q.add(e);
      vi.advanceTimersByTime(999);
      expect(spy).toHaveBeenCalledTimes(1);
      vi.advanceTimersByTime(1);
      expect(entries.every((e) => e.fired)).toBe(true);
      spy.mockRestore();
    });

    it('keeps firing the others when one entry throws', () => {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
      const q = new DeadlineQueue(5);
      class Throwing extends DeadlineEntry {
        fire(): void {
          throw new Error('entry failed');
        }
      }
      const b = new Entry();
      q.add(new Throwing());
      q.add(b);
      vi.advanceTimersByTime(5);
      expect(b.fired).toBe(true);
    });
  });

  it('ignores cancelling an entry that was never added', () => {
    const q = new DeadlineQueue(1000);
    const a = new Entry();
    q.add(a);
    q.cancel(new Entry());
    expect(q.size).toBe(1);
    q.cancel(a);
    expect(q.size).toBe(0);
  });

  it('cancels the head and tail without losing the middle', () => {
    const q = new DeadlineQueue(1000);
    const [a, b, c] = [new Entry(), new Entry(), new Entry()];
    q.add(a);
    q.add(b);
    q.add(c);
    q.cancel(a);
    q.cancel(c);
    q.cancel(c);
    expect(q.size).toBe(1);
    q.cancel(b);
    expect(q.size).toBe(0);
  });
});
