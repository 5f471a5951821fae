import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import { assertOption } from './errors.ts';

export interface OtlpHttpExporterOptions {
  /** Collector endpoint, e.g. `http://127.0.0.1:4318/v1/traces`. Required. */
  url: string;
  /** Extra request headers (an API key for a hosted backend). Default none. */
  headers?: Readonly<Record<string, string>>;
  /** Per-export timeout. Default 10,000 ms. */
  timeoutMs?: number;
}

/** OTLP/HTTP (JSON) span export to a collector; bad options throw here. */
export function createOtlpHttpExporter(options: OtlpHttpExporterOptions): SpanExporter {
  let ok = false;
  try {
    ok = ['http:', 'https:'].includes(new URL(options.url).protocol);
  } catch {
    ok = false;
  }
  assertOption(ok, 'url');
  const timeoutMillis = options.timeoutMs ?? 10_000;
  assertOption(Number.isInteger(timeoutMillis) && timeoutMillis > 0, 'timeoutMs');
  return new OTLPTraceExporter({ url: options.url, headers: { ...options.headers }, timeoutMillis });
}
