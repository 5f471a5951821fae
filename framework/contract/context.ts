import type { TraceContext } from './trace.ts';

/**
 * A typed key for a request-scoped value. Create one per concept at module load time
 * (`const principalKey = createContextKey<Principal>('principal')`) and keep it private to the
 * module that owns the concept; export `withX`/`xFromContext` accessors instead of the key.
 */
export interface ContextKey<T> {
  readonly name: string;
  /** Phantom field so keys of different `T` are not assignable to each other. */
  readonly __type?: T;
}

/** Creates a unique context key; two keys with the same name are still different keys. */
export function createContextKey<T>(name: string): ContextKey<T> {
  return Object.freeze({ name }) as ContextKey<T>;
}

class ValueNode {
  constructor(
    readonly key: ContextKey<unknown>,
    readonly value: unknown,
    readonly next: ValueNode | undefined,
  ) {}
}

/**
 * Immutable request-scoped values, the `context.Context` of the reference minus cancellation (the
 * request's `signal` carries that). Every `with*` returns a new context; the original is untouched.
 * The request id and trace context are fixed fields because every request reads them; everything
 * else lives in a short linked list, searched newest first.
 */
export class Context {
  static readonly empty: Context = new Context('', undefined, undefined);

  private constructor(
    /** The request id, or '' when none was assigned. */
    readonly requestId: string,
    /** The W3C trace context, when tracing is active. */
    readonly trace: TraceContext | undefined,
    private readonly values: ValueNode | undefined,
  ) {}

  withRequestId(id: string): Context {
    return new Context(id, this.trace, this.values);
  }

  withTrace(trace: TraceContext | undefined): Context {
    return new Context(this.requestId, trace, this.values);
  }

  withValue<T>(key: ContextKey<T>, value: T): Context {
    return new Context(this.requestId, this.trace, new ValueNode(key as ContextKey<unknown>, value, this.values));
  }

  value<T>(key: ContextKey<T>): T | undefined {
    for (let n = this.values; n !== undefined; n = n.next) {
      if (n.key === key) return n.value as T;
    }
    return undefined;
  }
}

/** Returns a copy of `ctx` holding `value` under `key`. */
export function withValue<T>(ctx: Context, key: ContextKey<T>, value: T): Context {
  return ctx.withValue(key, value);
}

/** The value under `key`, or `undefined`. */
export function valueFromContext<T>(ctx: Context, key: ContextKey<T>): T | undefined {
  return ctx.value(key);
}
