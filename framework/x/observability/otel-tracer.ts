import { ROOT_CONTEXT, SpanKind, SpanStatusCode, TraceFlags, trace, createTraceState, type Context as OtelContext, type Span, type Tracer as ApiTracer } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AlwaysOnSampler, BasicTracerProvider, BatchSpanProcessor, RandomIdGenerator, SimpleSpanProcessor, type IdGenerator, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { isAPIError, type Request, type TraceContext } from 'plumego/contract';
import type { TraceSpan, Tracer } from 'plumego/middleware';
import { assertOption } from './errors.ts';

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
 * Lets the SDK's span carry the ids the tracing middleware already chose and sent back in
 * `traceparent`/`X-Span-ID`: set before `startSpan` (synchronous), consumed by it.
 */
class PinnedIdGenerator implements IdGenerator {
  traceId = '';
  spanId = '';
  readonly #random = new RandomIdGenerator();
  generateTraceId(): string {
    const id = this.traceId || this.#random.generateTraceId();
    this.traceId = '';
    return id;
  }
  generateSpanId(): string {
    const id = this.spanId || this.#random.generateSpanId();
    this.spanId = '';
    return id;
  }
}

// Shared, never mutated by the SDK: all attributes are set once, when the span ends.
const SERVER_SPAN = Object.freeze({ kind: SpanKind.SERVER });

/**
 * The middleware's handle on one request's SDK span. A class rather than an object of closures:
 * two closures per request cost allocations, and under tsx/esbuild's keepNames each one also pays
 * a `__name` defineProperty call (measured at about a microsecond per request).
 */
class RequestSpan implements TraceSpan {
  #error: unknown = undefined;
  constructor(
    private readonly span: Span,
    private readonly r: Request,
  ) {}

  recordError(error: unknown): void {
    this.#error = error;
  }

  end(status: number, bytes: number, requestId: string): void {
    const { span, r } = this;
    const route = r.state.routePattern;
    span.updateName(route === '' ? r.method : `${r.method} ${route}`);
    // setAttribute per attribute: setAttributes would only loop over an object built for it.
    span.setAttribute('http.request.method', r.method);
    span.setAttribute('url.path', r.path);
    span.setAttribute('http.response.status_code', status);
    span.setAttribute('http.response.body.size', bytes);
    if (route !== '') span.setAttribute('http.route', route);
    if (requestId !== '') span.setAttribute('plumego.request_id', requestId);
    const error = this.#error;
    // A thrown 4xx APIError is the handler's answer, not a failure (OTel HTTP server spans leave
    // 4xx unset); anything else thrown is, even after the response started.
    if (error !== undefined && !(isAPIError(error) && error.status < 500)) {
      span.recordException(toException(error));
      span.setAttribute('error.type', error instanceof Error ? error.name : String(status));
      span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : 'non-error thrown' });
    } else if (status >= 500) {
      span.setAttribute('error.type', String(status));
      span.setStatus({ code: SpanStatusCode.ERROR });
    }
    span.end();
  }
}

/**
 * The middleware `Tracer` contract on the OpenTelemetry SDK: one SERVER span per sampled request,
 * with the trace id, span id, parent and tracestate of the request's W3C trace context, named
 * `METHOD /route/:pattern` once routing is done, HTTP attributes, and ERROR status for 5xx; a
 * thrown error (other than a 4xx APIError) is recorded as an `exception` event with ERROR status.
 * Unsampled requests (flag bit 0 clear) cost no span at all.
 */
export class OtelTracer implements Tracer {
  readonly provider: BasicTracerProvider;
  readonly #tracer: ApiTracer;
  readonly #ids = new PinnedIdGenerator();

  constructor(options: OtelTracerOptions) {
    assertOption(typeof options?.exporter?.export === 'function', 'exporter');
    const serviceName = options.serviceName ?? 'plumego-service';
    assertOption(serviceName !== '', 'serviceName');
    const processor = (options.batch ?? true) ? new BatchSpanProcessor(options.exporter) : new SimpleSpanProcessor(options.exporter);
    this.provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ ...options.resourceAttributes, 'service.name': serviceName }),
      idGenerator: this.#ids,
      // The tracing middleware already decided: startSpan only runs for sampled requests.
      sampler: new AlwaysOnSampler(),
      spanProcessors: [processor],
    });
    this.#tracer = this.provider.getTracer('plumego');
  }

  startSpan(r: Request, tc: TraceContext): TraceSpan | undefined {
    if ((tc.flags & TraceFlags.SAMPLED) === 0) return undefined;
    let parent: OtelContext = ROOT_CONTEXT;
    if (tc.parentSpanId !== '') {
      parent = trace.setSpanContext(ROOT_CONTEXT, {
        traceId: tc.traceId,
        spanId: tc.parentSpanId,
        traceFlags: tc.flags & 0xff,
        isRemote: true,
        ...(tc.traceState === '' ? {} : { traceState: createTraceState(tc.traceState) }),
      });
    } else this.#ids.traceId = tc.traceId;
    this.#ids.spanId = tc.spanId;
    const span = this.#tracer.startSpan(r.method, SERVER_SPAN, parent);
    this.#ids.traceId = '';
    this.#ids.spanId = '';
    return new RequestSpan(span, r);
  }

  /** Exports every finished span now (before a test asserts, or before exit). */
  forceFlush(): Promise<void> {
    return this.provider.forceFlush();
  }

  /** Flushes and stops the exporter. */
  shutdown(): Promise<void> {
    return this.provider.shutdown();
  }
}

// recordException reads name/message/stack; a thrown non-Error becomes a message, never String()
// of an object that could throw or leak a large value.
function toException(error: unknown): Error | string {
  if (error instanceof Error) return error;
  if (error === null) return 'null thrown';
  const t = typeof error;
  return t === 'string' || t === 'number' || t === 'boolean' ? `${t} thrown: ${String(error).slice(0, 200)}` : `${t} thrown`;
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
