import { ProxyTracerProvider, propagation, trace } from '@opentelemetry/api';

// What a ProxyTracerProvider of this copy of the API delegates to while no provider is registered (a singleton).
const NOOP_TRACER_PROVIDER = new ProxyTracerProvider().getDelegate();

/**
 * True when no OpenTelemetry tracer provider and no propagator is registered. A traced Anthropic SDK call then
 * starts a span that neither records nor propagates anything: the SDK computes its attributes, finds it inert and
 * drops it — about 0.15M instructions per call (bench/ai/README.md) — so the adapter sends through its untraced
 * client instead, with the same request on the wire. Asked per call, because an application may register a
 * provider at any time. A provider registered through another copy of the API is not this copy's
 * ProxyTracerProvider and counts as registered: when unsure, the traced client is used.
 */
export function tracingIdle(): boolean {
  const provider = trace.getTracerProvider();
  return (
    provider instanceof ProxyTracerProvider &&
    provider.getDelegate() === NOOP_TRACER_PROVIDER &&
    propagation.fields().length === 0
  );
}
