import { describe, expect, it } from 'vitest';
import {
  APIError,
  BufferedResponseWriter,
  ClientDisconnectedError,
  composeMiddleware,
  createRequest,
  formatTraceparent,
  parseTraceparent,
  type Handler,
  type TraceContext,
} from 'plumego/contract';
import { recovery } from '../recovery/index.ts';
import { newSpanId, newTraceId } from './ids.ts';
import { tracing, type TracingOptions } from './tracing.ts';

async function run(options: TracingOptions, headers: Record<string, string> = {}) {
  let seen: TraceContext | undefined;
  const w = new BufferedResponseWriter();
  await composeMiddleware([tracing(options)], (w2, r) => {
    seen = r.ctx.trace;
    w2.end();
  })(w, createRequest({ url: '/', headers }));
  return { w, seen: seen! };
}

const incoming = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

describe('tracing', () => {
  it('continues an incoming trace with a new span and answers traceparent', async () => {
    const { w, seen } = await run({}, { traceparent: incoming, tracestate: 'vendor=1' });
    expect(seen.traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(seen.parentSpanId).toBe('00f067aa0ba902b7');
    expect(seen.spanId).not.toBe('00f067aa0ba902b7');
    const out = parseTraceparent(w.getHeader('traceparent'));
    expect(out).toEqual({ traceId: seen.traceId, parentId: seen.spanId, flags: 1 });
    expect(w.getHeader('tracestate')).toBe('vendor=1');
    expect(w.getHeader('x-span-id')).toBe(seen.spanId);
  });

  it.each(['00', '01', '03', '0a', '80', 'ff'])(
    "answers the caller's flags %s in traceparent, as formatTraceparent writes them",
    async (flags) => {
      const { w, seen } = await run(
        {},
        { traceparent: `00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-${flags}` },
      );
      expect(w.getHeader('traceparent')).toBe(formatTraceparent(seen));
      expect(w.getHeader('traceparent')).toBe(`00-4bf92f3577b34da6a3ce929d0e0e4736-${seen.spanId}-${flags}`);
    },
  );

  it.each(['garbage', '00-00000000000000000000000000000000-00f067aa0ba902b7-01'])(
    'starts a new trace for an invalid traceparent %s',
    async (tp) => {
      const { seen } = await run({ sampleNewTraces: false }, { traceparent: tp });
      expect(seen.traceId).toMatch(/^[0-9a-f]{32}$/);
      expect(seen.parentSpanId).toBe('');
      expect(seen.flags).toBe(0);
    },
  );

  it('ends exported spans with the status and ignores a throwing tracer', async () => {
    const ended: unknown[] = [];
    await run({ tracer: { startSpan: () => ({ end: (...a) => void ended.push(a) }) } });
    expect(ended).toEqual([[200, 0, '']]);
    const { w } = await run({
      tracer: {
        startSpan: () => {
          throw new Error('exporter down');
        },
      },
    });
    expect(w.status).toBe(200);
  });

  it('makes distinct non-zero ids', () => {
    const ids = new Set(Array.from({ length: 500 }, () => newSpanId()));
    expect(ids.size).toBe(500);
    expect(newTraceId()).toMatch(/^[0-9a-f]{32}$/);
  });

  describe('hands the span the error', () => {
    const boom = new Error('db down');
    // As in the canonical stack: recovery inside tracing answers the error before tracing sees it.
    async function traced(handler: Handler, withRecovery = true) {
      const ended: unknown[][] = [];
      const w = new BufferedResponseWriter();
      // end() records [status, bytes, requestId, error-if-recordError-ran-first].
      let recorded: unknown[] = [];
      const tracer = {
        startSpan: () => ({
          recordError: (e: unknown) => void (recorded = [e]),
          end: (...a: unknown[]) => void ended.push([...a, ...recorded]),
        }),
      };
      const stack = withRecovery ? [tracing({ tracer }), recovery()] : [tracing({ tracer })];
      let thrown: unknown;
      try {
        await composeMiddleware(stack, handler)(w, createRequest({ url: '/' }));
      } catch (err) {
        thrown = err;
      }
      expect(ended).toHaveLength(1);
      return { w, end: ended[0]!, thrown };
    }

    it('of a synchronous throw that recovery answered with 500', async () => {
      const { w, end } = await traced(() => {
        throw boom;
      });
      expect(w.status).toBe(500);
      expect(end[0]).toBe(500);
      expect(end[3]).toBe(boom);
    });

    it('of a rejected promise that recovery answered with 500', async () => {
      const { end } = await traced(async () => {
        await Promise.resolve();
        throw boom;
      });
      expect(end[0]).toBe(500);
      expect(end[3]).toBe(boom);
    });

    it('of a rejection that no recovery caught, and re-throws it', async () => {
      const { end, thrown } = await traced(() => Promise.reject(boom), false);
      expect(thrown).toBe(boom);
      expect(end[0]).toBe(500);
      expect(end[3]).toBe(boom);
    });

    it('of a thrown 4xx APIError with its own status', async () => {
      const notFound = new APIError({ type: 'resource_not_found', message: 'no such order' });
      const { end } = await traced(() => {
        throw notFound;
      });
      expect(end[0]).toBe(404);
      expect(end[3]).toBe(notFound);
    });

    it('as null for a falsy throw', async () => {
      const { end } = await traced(() => {
        throw undefined;
      });
      expect(end[0]).toBe(500);
      expect(end[3]).toBeNull();
    });

    it('not for a client disconnect, which ends with 499', async () => {
      const { end } = await traced(async () => {
        throw new ClientDisconnectedError();
      });
      expect(end[0]).toBe(499);
      expect(end[3]).toBeUndefined();
      const bare = await traced(() => Promise.reject(new ClientDisconnectedError()), false);
      expect(bare.end[0]).toBe(499);
      expect(bare.end[3]).toBeUndefined();
    });

    it('of a throw after the response was already sent, with the status the client got', async () => {
      const { end } = await traced((w) => {
        w.writeHead(200);
        w.end('done');
        throw boom;
      });
      expect(end[0]).toBe(200);
      expect(end[3]).toBe(boom);
    });

    it('not for a plain 4xx answer', async () => {
      const { end } = await traced((w) => {
        w.writeHead(422);
        w.end();
      });
      expect(end).toEqual([422, 0, '']);
    });

    it('to tracers without recordError as before: end only', async () => {
      const ended: unknown[] = [];
      const tracer = { startSpan: () => ({ end: (...a: unknown[]) => void ended.push(a) }) };
      const w = new BufferedResponseWriter();
      await composeMiddleware([tracing({ tracer }), recovery()], () => {
        throw boom;
      })(w, createRequest({ url: '/' }));
      expect(ended).toEqual([[500, w.bytesWritten, '']]);
    });

    it('and still ends the span when recordError throws', async () => {
      const ended: unknown[] = [];
      const tracer = {
        startSpan: () => ({
          recordError: () => {
            throw new Error('exporter bug');
          },
          end: (...a: unknown[]) => void ended.push(a),
        }),
      };
      const w = new BufferedResponseWriter();
      await composeMiddleware([tracing({ tracer }), recovery()], () => {
        throw boom;
      })(w, createRequest({ url: '/' }));
      expect(w.status).toBe(500);
      expect(ended).toHaveLength(1);
    });
  });
});
