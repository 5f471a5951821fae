import type { Context } from './context.ts';

/** W3C trace context of the current request (https://www.w3.org/TR/trace-context/). */
export interface TraceContext {
  /** 32 lowercase hex digits, not all zero. */
  readonly traceId: string;
  /** 16 lowercase hex digits, not all zero: this request's span. */
  readonly spanId: string;
  /** The caller's span id from the incoming `traceparent`, or ''. */
  readonly parentSpanId: string;
  /** Trace flags; bit 0 means sampled. */
  readonly flags: number;
  /** Raw `tracestate` to propagate, or ''. */
  readonly traceState: string;
  /** Baggage entries, when any. */
  readonly baggage?: Readonly<Record<string, string>>;
}

/** The incoming/outgoing header names. */
export const TRACEPARENT_HEADER = 'traceparent';
export const TRACESTATE_HEADER = 'tracestate';

const HEX32 = /^[0-9a-f]{32}$/;
const HEX16 = /^[0-9a-f]{16}$/;
const ZERO32 = '0'.repeat(32);
const ZERO16 = '0'.repeat(16);

/** True for a 32-hex, lowercase, non-zero trace id. */
export function isValidTraceId(id: string): boolean {
  return HEX32.test(id) && id !== ZERO32;
}

/** True for a 16-hex, lowercase, non-zero span id. */
export function isValidSpanId(id: string): boolean {
  return HEX16.test(id) && id !== ZERO16;
}

/** True when the sampled flag is set. */
export function isSampled(tc: TraceContext): boolean {
  return (tc.flags & 0x01) === 0x01;
}

/** Parsed `traceparent` fields (version 00 layout; future versions read the first four fields). */
export interface Traceparent {
  readonly traceId: string;
  readonly parentId: string;
  readonly flags: number;
}

/** Parses a `traceparent` header; returns `undefined` for anything malformed. */
export function parseTraceparent(header: string | undefined): Traceparent | undefined {
  if (header === undefined) return undefined;
  const v = header.trim();
  if (v.length < 55) return undefined;
  const parts = v.split('-');
  const [version, traceId, parentId, flags] = parts;
  if (version === undefined || traceId === undefined || parentId === undefined || flags === undefined) return undefined;
  if (!/^[0-9a-f]{2}$/.test(version) || version === 'ff') return undefined;
  if (version === '00' && (parts.length !== 4 || v.length !== 55)) return undefined;
  if (!isValidTraceId(traceId) || !isValidSpanId(parentId) || !/^[0-9a-f]{2}$/.test(flags)) return undefined;
  return { traceId, parentId, flags: Number.parseInt(flags, 16) };
}

/** Formats the outgoing `traceparent` for `tc` (version 00). */
export function formatTraceparent(tc: TraceContext): string {
  return `00-${tc.traceId}-${tc.spanId}-${(tc.flags & 0xff).toString(16).padStart(2, '0')}`;
}

/** Returns a copy of `ctx` carrying `tc`. */
export function withTraceContext(ctx: Context, tc: TraceContext): Context {
  return ctx.withTrace(tc);
}

/** The trace context in `ctx`, if any. */
export function traceContextFromContext(ctx: Context): TraceContext | undefined {
  return ctx.trace;
}
