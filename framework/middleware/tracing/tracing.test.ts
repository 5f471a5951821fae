import { describe, expect, it } from 'vitest';
import { BufferedResponseWriter, composeMiddleware, createRequest, parseTraceparent, type TraceContext } from 'plumego/contract';
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

  it.each(['garbage', '00-00000000000000000000000000000000-00f067aa0ba902b7-01'])('starts a new trace for an invalid traceparent %s', async (tp) => {
    const { seen } = await run({ sampleNewTraces: false }, { traceparent: tp });
    expect(seen.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(seen.parentSpanId).toBe('');
    expect(seen.flags).toBe(0);
  });

  it('ends exported spans with the status and ignores a throwing tracer', async () => {
    const ended: unknown[] = [];
    await run({ tracer: { startSpan: () => ({ end: (...a) => void ended.push(a) }) } });
    expect(ended).toEqual([[200, 0, '']]);
    const { w } = await run({ tracer: { startSpan: () => { throw new Error('exporter down'); } } });
    expect(w.status).toBe(200);
  });

  it('makes distinct non-zero ids', () => {
    const ids = new Set(Array.from({ length: 500 }, () => newSpanId()));
    expect(ids.size).toBe(500);
    expect(newTraceId()).toMatch(/^[0-9a-f]{32}$/);
  });
});
