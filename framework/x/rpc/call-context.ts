import { randomBytes } from 'node:crypto';
import type { Metadata } from '@grpc/grpc-js';
import { Context, createContextKey, parseTraceparent, type TraceContext } from 'plumego/contract';

const DEADLINE = createContextKey<number>('x/rpc.deadline');

/** Returns a copy of `ctx` whose outgoing calls must finish by `deadline` (epoch ms). Keeps an earlier deadline. */
export function withDeadline(ctx: Context, deadline: number): Context {
  const current = ctx.value(DEADLINE);
  return ctx.withValue(DEADLINE, current === undefined ? deadline : Math.min(current, deadline));
}

/** The deadline (epoch ms) carried by `ctx`, if any. */
export function deadlineFromContext(ctx: Context): number | undefined {
  return ctx.value(DEADLINE);
}

export function newSpanId(): string {
  let id = randomBytes(8).toString('hex');
  while (id === '0000000000000000') id = randomBytes(8).toString('hex');
  return id;
}

/** What a server handler knows about its call: `ServerUnaryCall` and the streams all have these. */
export interface IncomingCall {
  readonly metadata: Metadata;
  getDeadline(): Date | number;
}

/**
 * The context for work done inside a gRPC handler: the caller's trace continued with a new span, and
 * the call's deadline, so calls made from the handler inherit both (deadline propagation).
 */
export function getIncomingContext(call: IncomingCall, base: Context = Context.empty): Context {
  let ctx = base;
  const header = call.metadata.get('traceparent')[0];
  const parent = parseTraceparent(typeof header === 'string' ? header : undefined);
  if (parent !== undefined) {
    const state = call.metadata.get('tracestate')[0];
    const tc: TraceContext = {
      traceId: parent.traceId,
      spanId: newSpanId(),
      parentSpanId: parent.parentId,
      flags: parent.flags,
      traceState: typeof state === 'string' ? state : '',
    };
    ctx = ctx.withTrace(tc);
  }
  const d = call.getDeadline();
  const ms = d instanceof Date ? d.getTime() : d;
  if (Number.isFinite(ms)) ctx = withDeadline(ctx, ms);
  return ctx;
}
