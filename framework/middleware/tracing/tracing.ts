import {
  asAPIError,
  TRACEPARENT_HEADER,
  TRACESTATE_HEADER,
  formatTraceparent,
  parseTraceparent,
  type Middleware,
  type Request,
  type ResponseWriter,
  type TraceContext,
} from 'plumego/contract';
import { runToCompletion } from '../completion.ts';
import { newSpanId, newTraceId } from './ids.ts';

/** A span opened for one request by a `Tracer`. */
export interface TraceSpan {
  /** Called once after the response (status 500 when the handler threw). */
  end(status: number, bytes: number, requestId: string): void;
}

/** Hook for exporting spans (e.g. an OpenTelemetry adapter in x/observability). */
export interface Tracer {
  /** Called with the request's trace context; return a span to be ended, or undefined. */
  startSpan(r: Request, trace: TraceContext): TraceSpan | undefined;
}

export interface TracingOptions {
  /** Span exporter. Default none: ids are still created and propagated. */
  tracer?: Tracer;
  /** Sampled flag for traces this service starts. Default true. */
  sampleNewTraces?: boolean;
  /** Also send `X-Span-ID`. Default true. */
  spanIdHeader?: boolean;
}

/**
 * W3C trace context in and out: continues a valid incoming `traceparent` (keeping its trace id,
 * flags and `tracestate`, with a new span id whose parent is the caller's span) or starts a new
 * trace; stores it in the context and answers with `traceparent` (and `X-Span-ID`). A throwing
 * tracer disables span export for that request, never the request.
 */
export function tracing(options: TracingOptions = {}): Middleware {
  const tracer = options.tracer;
  const newFlags = (options.sampleNewTraces ?? true) ? 1 : 0;
  const spanHeader = options.spanIdHeader ?? true;

  const end = (w: ResponseWriter, r: Request, span: TraceSpan, error: unknown): void => {
    try {
      span.end(w.status || (error === undefined ? 200 : (asAPIError(error)?.status ?? 500)), w.bytesWritten, r.ctx.requestId);
    } catch {
      // Tracing problems are not request problems.
    }
  };

  return (next) => (w, r) => {
    const raw = r.headers[TRACEPARENT_HEADER];
    const incoming = parseTraceparent(Array.isArray(raw) ? raw[0] : raw);
    const spanId = newSpanId();
    let tc: TraceContext;
    if (incoming !== undefined) {
      const state = r.headers[TRACESTATE_HEADER];
      tc = { traceId: incoming.traceId, spanId, parentSpanId: incoming.parentId, flags: incoming.flags, traceState: typeof state === 'string' ? state : '' };
    } else {
      tc = { traceId: newTraceId(), spanId, parentSpanId: '', flags: newFlags, traceState: '' };
    }
    r = r.withContext(r.ctx.withTrace(tc));
    w.setHeader(TRACEPARENT_HEADER, formatTraceparent(tc));
    if (tc.traceState !== '') w.setHeader(TRACESTATE_HEADER, tc.traceState);
    if (spanHeader) w.setHeader('x-span-id', spanId);
    let span: TraceSpan | undefined;
    if (tracer !== undefined) {
      try {
        span = tracer.startSpan(r, tc);
      } catch {
        span = undefined;
      }
    }
    if (span === undefined) return next(w, r);
    return runToCompletion(next, w, r, span, end);
  };
}
