import {
  SpanKind,
  SpanStatusCode,
  createTraceState,
  type Attributes,
  type AttributeValue,
  type HrTime,
  type Link,
  type SpanContext,
  type SpanStatus,
} from '@opentelemetry/api';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan, SpanProcessor, TimedEvent } from '@opentelemetry/sdk-trace-base';
import { isAPIError, type Request, type TraceContext } from 'plumego/contract';
import type { TraceSpan } from 'plumego/middleware';

/**
 * The SDK's span limits as the SDK reads them from the environment (`OTEL_SPAN_*` first, then the
 * general `OTEL_ATTRIBUTE_*`), so the server span is cut exactly like the SDK's own child spans.
 */
export interface ServerSpanLimits {
  readonly attributeCountLimit: number;
  readonly attributeValueLengthLimit: number;
  readonly eventCountLimit: number;
  readonly attributePerEventCountLimit: number;
}

function envNumber(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  const n = Number(raw);
  return Number.isNaN(n) ? undefined : n;
}

export function readSpanLimitsFromEnv(): ServerSpanLimits {
  return {
    attributeCountLimit: envNumber('OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT') ?? envNumber('OTEL_ATTRIBUTE_COUNT_LIMIT') ?? 128,
    attributeValueLengthLimit:
      envNumber('OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT') ?? envNumber('OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT') ?? Infinity,
    eventCountLimit: envNumber('OTEL_SPAN_EVENT_COUNT_LIMIT') ?? 128,
    attributePerEventCountLimit: envNumber('OTEL_SPAN_ATTRIBUTE_PER_EVENT_COUNT_LIMIT') ?? 128,
  };
}

/**
 * What every server span of one tracer shares: where it goes, what it describes, its limits, and
 * the wall-clock anchor for its monotonic timestamps.
 */
export class SpanSink {
  /** Whether `limits` can change anything a server span records (at most 7 attributes, 1 event). */
  readonly limited: boolean;
  #offsetMs = 0;
  #anchoredAt = Number.NEGATIVE_INFINITY;

  constructor(
    readonly processor: SpanProcessor,
    readonly resource: Resource,
    readonly scope: ReadableSpan['instrumentationScope'],
    readonly limits: ServerSpanLimits,
  ) {
    const valueLimit = limits.attributeValueLengthLimit;
    this.limited =
      limits.attributeCountLimit < 8 ||
      (valueLimit > 0 && valueLimit !== Infinity) ||
      limits.eventCountLimit < 1 ||
      limits.attributePerEventCountLimit < 3;
  }

  /**
   * Epoch ms minus `performance.now()`: spans are timed on the monotonic clock and placed on the
   * wall clock like the SDK's (`Date.now()` at start). Re-read at most once a second, so a stepped
   * or slewed system clock is followed within a second without two clock reads per span.
   */
  offsetAt(perf: number): number {
    if (perf - this.#anchoredAt > 1000 || perf < this.#anchoredAt) {
      this.#offsetMs = Date.now() - performance.now();
      this.#anchoredAt = perf;
    }
    return this.#offsetMs;
  }
}

const UNSET_STATUS: SpanStatus = Object.freeze({ code: SpanStatusCode.UNSET });
const ERROR_STATUS: SpanStatus = Object.freeze({ code: SpanStatusCode.ERROR });
// Shared and frozen: a server span never has links, has events only after an exception, and
// attributes once it ended.
const NO_LINKS = Object.freeze([]) as unknown as Link[];
const NO_EVENTS = Object.freeze([]) as unknown as TimedEvent[];
const NO_ATTRIBUTES: Attributes = Object.freeze({});

function toHrTime(ms: number): HrTime {
  const seconds = Math.trunc(ms / 1000);
  let nanos = Math.round((ms - seconds * 1000) * 1e6);
  if (nanos >= 1e9) return [seconds + 1, nanos - 1e9];
  if (nanos < 0) nanos = 0;
  return [seconds, nanos];
}

function addHrTimes(a: HrTime, b: HrTime): HrTime {
  const nanos = a[1] + b[1];
  return nanos >= 1e9 ? [a[0] + b[0] + 1, nanos - 1e9] : [a[0] + b[0], nanos];
}

/**
 * One request's SERVER span: the middleware's `TraceSpan` and the SDK's `ReadableSpan` in one
 * object, handed to the tracer's span processor on start and end like an SDK span. It replaces
 * `Tracer.startSpan` + `SpanImpl` on the request path (sampler, id generator, attribute
 * sanitising, per-call limit checks, context plumbing and three time conversions per span cost
 * about 2 µs a request); timestamps are kept as monotonic milliseconds and turned into `HrTime`
 * only when an exporter reads them.
 */
// `parentSpanContext` is left out of the checked shape only because exactOptionalPropertyTypes
// reads `?:` as "absent", while the SDK's own spans (and this one) hold undefined there.
export class ServerSpan implements TraceSpan, Omit<ReadableSpan, 'parentSpanContext'> {
  readonly kind = SpanKind.SERVER;
  name: string;
  attributes: Attributes = NO_ATTRIBUTES;
  status: SpanStatus = UNSET_STATUS;
  events: TimedEvent[] = NO_EVENTS;
  readonly links: Link[] = NO_LINKS;
  ended = false;
  droppedAttributesCount = 0;
  droppedEventsCount = 0;
  readonly droppedLinksCount = 0;
  readonly #sink: SpanSink;
  // Released at the end: the batch processor keeps ended spans for a while, and the request
  // (with its Node objects) must not live as long.
  #r: Request | undefined;
  readonly #tc: TraceContext;
  readonly #startPerf: number;
  readonly #startEpochMs: number;
  #endPerf = -1;
  #error: unknown = undefined;
  #context: SpanContext | undefined = undefined;
  #parent: SpanContext | undefined = undefined;
  #startTime: HrTime | undefined = undefined;
  #endTime: HrTime | undefined = undefined;
  #duration: HrTime | undefined = undefined;

  constructor(sink: SpanSink, r: Request, tc: TraceContext) {
    this.#sink = sink;
    this.#r = r;
    this.#tc = tc;
    this.name = r.method;
    const perf = performance.now();
    this.#startPerf = perf;
    this.#startEpochMs = perf + sink.offsetAt(perf);
    // No processor.onStart: it takes the SDK's mutable Span, which this is not, and the only
    // processors an OtelTracer wires (batch, simple) do nothing on start.
  }

  get resource(): Resource {
    return this.#sink.resource;
  }

  get instrumentationScope(): ReadableSpan['instrumentationScope'] {
    return this.#sink.scope;
  }

  spanContext(): SpanContext {
    if (this.#context === undefined) {
      const tc = this.#tc;
      this.#context =
        tc.traceState === ''
          ? { traceId: tc.traceId, spanId: tc.spanId, traceFlags: tc.flags & 0xff }
          : {
              traceId: tc.traceId,
              spanId: tc.spanId,
              traceFlags: tc.flags & 0xff,
              traceState: createTraceState(tc.traceState),
            };
    }
    return this.#context;
  }

  /** The caller's span from an incoming `traceparent` (remote), or undefined for a new trace. */
  get parentSpanContext(): SpanContext | undefined {
    const tc = this.#tc;
    if (tc.parentSpanId === '') return undefined;
    if (this.#parent === undefined) {
      const base = { traceId: tc.traceId, spanId: tc.parentSpanId, traceFlags: tc.flags & 0xff, isRemote: true };
      this.#parent = tc.traceState === '' ? base : { ...base, traceState: createTraceState(tc.traceState) };
    }
    return this.#parent;
  }

  get startTime(): HrTime {
    return (this.#startTime ??= toHrTime(this.#startEpochMs));
  }

  /** [0, 0] until the span ends, as the SDK's. */
  get endTime(): HrTime {
    if (this.#endPerf < 0) return [0, 0];
    return (this.#endTime ??= addHrTimes(this.startTime, this.duration));
  }

  /** [-1, -1] until the span ends, as the SDK's. */
  get duration(): HrTime {
    if (this.#endPerf < 0) return [-1, -1];
    return (this.#duration ??= toHrTime(this.#endPerf - this.#startPerf));
  }

  recordError(error: unknown): void {
    if (this.ended) return;
    this.#error = error;
  }

  end(status: number, bytes: number, requestId: string): void {
    const r = this.#r;
    if (this.ended || r === undefined) return;
    this.#r = undefined;
    this.#endPerf = performance.now();
    const route = r.state.routePattern;
    const method = r.method;
    if (route !== '') this.name = `${method} ${route}`;
    // One literal in the order the SDK version set them, so every span has the same shape.
    const attributes: Record<string, AttributeValue> = {
      'http.request.method': method,
      'url.path': r.path,
      'http.response.status_code': status,
      'http.response.body.size': bytes,
    };
    if (route !== '') attributes['http.route'] = route;
    if (requestId !== '') attributes['plumego.request_id'] = requestId;
    const error = this.#error;
    this.#error = undefined;
    // A thrown 4xx APIError is the handler's answer, not a failure (OTel HTTP server spans leave
    // 4xx unset); anything else thrown is, even after the response started.
    if (error !== undefined && !(isAPIError(error) && error.status < 500)) {
      this.#addException(error);
      attributes['error.type'] = error instanceof Error ? error.name : String(status);
      this.status = {
        code: SpanStatusCode.ERROR,
        message: error instanceof Error ? error.message : 'non-error thrown',
      };
    } else if (status >= 500) {
      attributes['error.type'] = String(status);
      this.status = ERROR_STATUS;
    }
    this.attributes = this.#sink.limited ? this.#limitAttributes(attributes) : attributes;
    this.ended = true;
    this.#sink.processor.onEnd(this as unknown as ReadableSpan);
  }

  // The SDK's recordException: type from `code` (else `name`), message, stack; a string is the message.
  #addException(error: unknown): void {
    const limits = this.#sink.limits;
    if (limits.eventCountLimit <= 0) {
      this.droppedEventsCount++;
      return;
    }
    const attributes: Record<string, AttributeValue> = {};
    if (error instanceof Error) {
      const code = (error as { code?: unknown }).code;
      if (code) attributes['exception.type'] = String(code);
      else if (error.name) attributes['exception.type'] = error.name;
      if (error.message) attributes['exception.message'] = error.message;
      if (error.stack) attributes['exception.stacktrace'] = error.stack;
    } else attributes['exception.message'] = describeThrown(error);
    let dropped = 0;
    const kept: Record<string, AttributeValue> = {};
    let n = 0;
    for (const key in attributes) {
      if (n >= limits.attributePerEventCountLimit) dropped++;
      else kept[key] = this.#truncate(attributes[key]!);
      n++;
    }
    const time = this.endTime;
    this.events = [{ name: 'exception', attributes: kept, time, droppedAttributesCount: dropped }];
  }

  #limitAttributes(attributes: Record<string, AttributeValue>): Attributes {
    const countLimit = this.#sink.limits.attributeCountLimit;
    const out: Record<string, AttributeValue> = {};
    let n = 0;
    for (const key in attributes) {
      if (n >= countLimit) this.droppedAttributesCount++;
      else out[key] = this.#truncate(attributes[key]!);
      n++;
    }
    return out;
  }

  #truncate(value: AttributeValue): AttributeValue {
    const limit = this.#sink.limits.attributeValueLengthLimit;
    // As the SDK: a limit ≤ 0 is invalid and ignored.
    return typeof value === 'string' && limit > 0 && value.length > limit ? value.slice(0, limit) : value;
  }
}

// A thrown non-Error becomes a message, never String() of an object that could throw or leak a
// large value.
function describeThrown(error: unknown): string {
  if (error === null) return 'null thrown';
  const t = typeof error;
  return t === 'string' || t === 'number' || t === 'boolean'
    ? `${t} thrown: ${String(error).slice(0, 200)}`
    : `${t} thrown`;
}
