export { OBSERVABILITY_ERRORS, ObservabilityError, isObservabilityError } from './errors.ts';
export type { ObservabilityErrorCode } from './errors.ts';
export { metricsHandler } from './metrics-handler.ts';
export type { MetricsHandlerOptions } from './metrics-handler.ts';
export {
  DEFAULT_PROMETHEUS_OPTIONS,
  OVERFLOW_ROUTE,
  PrometheusCollector,
  UNMATCHED_ROUTE,
  createPrometheusCollector,
  resolvePrometheusCollectorOptions,
} from './prometheus-collector.ts';
export type { PrometheusCollectorOptions, ResolvedPrometheusCollectorOptions } from './prometheus-collector.ts';
export { OtelTracer, createOtelTracer, getRequestSpanContext } from './otel-tracer.ts';
export type { OtelTracerOptions } from './otel-tracer.ts';
export { createOtlpHttpExporter } from './otlp.ts';
export type { OtlpHttpExporterOptions } from './otlp.ts';
export { TestLogger, TestMetrics, createTestTracer } from './testing.ts';
export type { LogEntry, ObservedRequest, TestTracer } from './testing.ts';
