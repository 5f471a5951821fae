export { newSpanId, newTraceId } from './ids.ts';
export { tracing } from './tracing.ts';
export type { TraceSpan, Tracer, TracingOptions } from './tracing.ts';
