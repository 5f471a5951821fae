import { ROOT_CONTEXT, TraceFlags, trace, createTraceState, type Context as OtelContext } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOnSampler,
  BasicTracerProvider,
  BatchSpanProcessor,
  ParentBasedSampler,
  SimpleSpanProcessor,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';
import type { Request, TraceContext } from 'plumego/contract';
import type { TraceSpan, Tracer } from 'plumego/middleware';
import { assertOption } from './errors.ts';
import { ServerSpan, SpanSink, readSpanLimitsFromEnv } from './server-span.ts';

export interface OtelTracerOptions {
  /** Where finished spans go (OTLP, in-memory, console…). Required. */
  exporter: SpanExporter;
  /** `service.name` of the resource. Default 'plumego-service'. */
  serviceName?: string;
  /** More resource attributes (`service.version`, `deployment.environment.name`…). */
  resourceAttributes?: Readonly<Record<string, string>>;
  /** Batch spans before export (production); false exports each span as it ends (tests). Default true. */
  batch?: boolean;
}

/**
 * The middleware `Tracer` contract on the OpenTelemetry SDK: one SERVER span per sampled request,
 * with the trace id, span id, parent and tracestate of the request's W3C trace context, named
 * `METHOD /route/:pattern` once routing is done, HTTP attributes, and ERROR status for 5xx; a
 * thrown error (other than a 4xx APIError) is recorded as an `exception` event with ERROR status.
 * Unsampled requests (flag bit 0 clear) cost no span at all.
 *
 * The request span is a lean `ReadableSpan` handed straight to the SDK span processor (batch or
 * simple) that feeds the exporter, with the resource, scope and span limits an SDK span would
 * have; child spans (`provider.getTracer(…)` with `getRequestSpanContext`) go through the SDK and
 * the same processor.
 */
export class OtelTracer implements Tracer {
  readonly provider: BasicTracerProvider;
  readonly #sink: SpanSink;

  constructor(options: OtelTracerOptions) {
    assertOption(typeof options?.exporter?.export === 'function', 'exporter');
    const serviceName = options.serviceName ?? 'plumego-service';
    assertOption(serviceName !== '', 'serviceName');
    const processor =
      (options.batch ?? true) ? new BatchSpanProcessor(options.exporter) : new SimpleSpanProcessor(options.exporter);
    const resource = resourceFromAttributes({ ...options.resourceAttributes, 'service.name': serviceName });
    this.provider = new BasicTracerProvider({
      resource,
      // Only child spans go through the SDK's sampler: they follow the request span's decision
      // (made by the tracing middleware); a span without a parent is sampled.
      sampler: new ParentBasedSampler({ root: new AlwaysOnSampler() }),
      spanProcessors: [processor],
    });
    this.#sink = new SpanSink(processor, resource, { name: 'plumego' }, readSpanLimitsFromEnv());
  }

  startSpan(r: Request, tc: TraceContext): TraceSpan | undefined {
    if ((tc.flags & TraceFlags.SAMPLED) === 0) return undefined;
    return new ServerSpan(this.#sink, r, tc);
  }

  /** Exports every finished span now (before a test asserts, or before exit). */
  forceFlush(): Promise<void> {
    return this.provider.forceFlush();
  }

  /** Flushes and stops the exporter; spans ending later are dropped. */
  shutdown(): Promise<void> {
    return this.provider.shutdown();
  }
}

/** Creates a tracer for `tracing({ tracer })`; bad options throw here. */
export function createOtelTracer(options: OtelTracerOptions): OtelTracer {
  return new OtelTracer(options);
}

/**
 * An OpenTelemetry context whose parent is the request's span, for child spans:
 * `tracer.startActiveSpan('db.query', {}, getRequestSpanContext(r), fn)`. Built from the request's
 * W3C trace context (ids, flags, tracestate), so it needs no per-request bookkeeping and works for
 * unsampled requests too (children then inherit "not sampled"). ROOT when the request has no trace
 * context (no tracing middleware).
 */
export function getRequestSpanContext(r: Request): OtelContext {
  const tc = r.ctx.trace;
  if (tc === undefined) return ROOT_CONTEXT;
  return trace.setSpanContext(ROOT_CONTEXT, {
    traceId: tc.traceId,
    spanId: tc.spanId,
    traceFlags: tc.flags & 0xff,
    ...(tc.traceState === '' ? {} : { traceState: createTraceState(tc.traceState) }),
  });
}
