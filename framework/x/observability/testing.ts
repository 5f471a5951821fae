import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { HTTPObserver } from 'plumego/metrics';
import { OtelTracer } from './otel-tracer.ts';

/** A tracer that keeps finished spans in memory, for users' own tests. */
export interface TestTracer {
  readonly tracer: OtelTracer;
  readonly exporter: InMemorySpanExporter;
  /** Spans ended so far (exported synchronously as they end). */
  getFinishedSpans(): readonly ReadableSpan[];
  reset(): void;
}

export function createTestTracer(serviceName = 'test-service'): TestTracer {
  const exporter = new InMemorySpanExporter();
  const tracer = new OtelTracer({ exporter, serviceName, batch: false });
  return { tracer, exporter, getFinishedSpans: () => exporter.getFinishedSpans(), reset: () => exporter.reset() };
}

/** One `observeHTTP` call, as a `TestMetrics` recorded it. */
export interface ObservedRequest {
  readonly method: string;
  readonly route: string;
  readonly status: number;
  readonly bytes: number;
  readonly durationMs: number;
}

/** An `HTTPObserver` that records every observation, for asserting what metrics middleware reports. */
export class TestMetrics implements HTTPObserver {
  readonly observed: ObservedRequest[] = [];
  observeHTTP(method: string, route: string, status: number, bytes: number, durationMs: number): void {
    this.observed.push({ method, route, status, bytes, durationMs });
  }
  reset(): void {
    this.observed.length = 0;
  }
}
