import {
  TRACEPARENT_HEADER,
  TRACESTATE_HEADER,
  isClientDisconnect,
  parseTraceparent,
  type Middleware,
  type Request,
  type ResponseWriter,
  type TraceContext,
} from 'plumego/contract';
import { getOutcomeStatus, runToCompletion } from '../completion.ts';
import { newSpanId, newTraceId } from './ids.ts';
import { takeRecoveredError } from './span-error.ts';

/** A span opened for one request by a `Tracer`. */
export interface TraceSpan {
  /**
   * Called once after the response. `status` is what the client got: the recovered status when
   * the handler threw (an APIError's own, else 500), 499 when the client went away.
   */
  end(status: number, bytes: number, requestId: string): void;
  /**
   * Optional; called just before `end` when the handler threw or rejected, with that value (null
   * for a falsy throw), also when an inner recovery answered it and also for a thrown 4xx APIError
   * (the tracer decides what counts as a failure). Not called on success, nor when the client
   * disconnected (499 is not a server failure).
   */
  recordError?(error: unknown): void;
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

// `-ff` for every flags byte: the outgoing traceparent (as contract's formatTraceparent writes it)
// without a number-to-hex conversion and padding per request.
const FLAGS_SUFFIX: readonly string[] = Array.from({ length: 256 }, (_, f) => `-${f.toString(16).padStart(2, '0')}`);

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

  const end = (w: ResponseWriter, r: Request, span: TraceSpan, thrown: unknown): void => {
    const error = thrown === undefined ? takeRecoveredError(r) : thrown;
    if (error !== undefined && span.recordError !== undefined && !isClientDisconnect(error)) {
      try {
        span.recordError(error);
      } catch {
        // A failing recordError must not leave the span open.
      }
    }
    try {
      span.end(getOutcomeStatus(w, error, 200), w.bytesWritten, r.ctx.requestId);
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
      tc = {
        traceId: incoming.traceId,
        spanId,
        parentSpanId: incoming.parentId,
        flags: incoming.flags,
        traceState: typeof state === 'string' ? state : '',
      };
    } else {
      tc = { traceId: newTraceId(), spanId, parentSpanId: '', flags: newFlags, traceState: '' };
    }
    r = r.withContext(r.ctx.withTrace(tc));
    w.setHeader(TRACEPARENT_HEADER, `00-${tc.traceId}-${spanId}${FLAGS_SUFFIX[tc.flags & 0xff]!}`);
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
