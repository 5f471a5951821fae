import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { mergeFields, type Fields, type LogLevel, type StructuredLogger } from 'plumego/log';
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

/** One entry a `TestLogger` recorded, with its fields merged as a real logger would. */
export interface LogEntry {
  readonly level: LogLevel;
  readonly msg: string;
  readonly fields: Readonly<Record<string, unknown>>;
}

/**
 * A `StructuredLogger` that keeps every entry in memory (all levels enabled), for asserting what a
 * handler or middleware logged — and what it did not (a token, a password). Loggers made with
 * `withFields` share the parent's entries.
 */
export class TestLogger implements StructuredLogger {
  readonly entries: LogEntry[];
  readonly #base: Fields;

  constructor(base: Fields = {}, entries: LogEntry[] = []) {
    this.#base = base;
    this.entries = entries;
  }

  withFields(fields: Fields): StructuredLogger {
    return new TestLogger(mergeFields(this.#base, [fields]), this.entries);
  }
  debug(msg: string, ...fields: Fields[]): void {
    this.#push('debug', msg, fields);
  }
  info(msg: string, ...fields: Fields[]): void {
    this.#push('info', msg, fields);
  }
  warn(msg: string, ...fields: Fields[]): void {
    this.#push('warn', msg, fields);
  }
  error(msg: string, ...fields: Fields[]): void {
    this.#push('error', msg, fields);
  }
  isEnabled(): boolean {
    return true;
  }

  /** Entries with this message (and level, when given). */
  find(msg: string, level?: LogLevel): LogEntry[] {
    return this.entries.filter((e) => e.msg === msg && (level === undefined || e.level === level));
  }

  /** Every entry as one JSON text, for "never logged X" assertions. */
  toText(): string {
    return this.entries.map((e) => JSON.stringify(e)).join('\n');
  }

  reset(): void {
    this.entries.length = 0;
  }

  #push(level: LogLevel, msg: string, fields: readonly Fields[]): void {
    this.entries.push({ level, msg, fields: mergeFields(this.#base, fields) });
  }
}
