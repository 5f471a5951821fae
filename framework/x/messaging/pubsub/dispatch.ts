import { createSubscriptionCounters, type SubscriptionCounters } from './metrics.ts';
import type { ResolvedSubscribeOptions } from './options.ts';
import type { Delivery, Message, MessageHandler } from './types.ts';

/**
 * How a backend settles a delivered message. Each call gets the message, so one object can serve
 * every delivery of a subscription (the in-process broker allocates nothing per delivery for it).
 */
export interface DeliveryOps {
  /** Removes the message from the broker. */
  ack(message: Message): Promise<void> | void;
  /** Hands the message back for another delivery (broker redelivery, or an in-process retry). */
  retry(message: Message): Promise<void> | void;
  /** Backend-native dead-lettering (RabbitMQ DLX); otherwise the dispatcher republishes and acks. */
  deadLetter?(message: Message): Promise<void> | void;
}

/** What a remote backend hands the dispatcher for each delivery: the message and its settle functions. */
export interface RawDelivery extends DeliveryOps {
  readonly message: Message;
}

export type Dispatch = (message: Message, ops: DeliveryOps) => Promise<void> | void;

export type DeadLetterPublish = (subject: string, message: Message, reason: string) => Promise<unknown>;

export const DEAD_LETTER_HEADERS = {
  subject: 'plumego-dl-subject',
  deliveries: 'plumego-dl-deliveries',
  reason: 'plumego-dl-reason',
} as const;

/** What settling a delivery needs from its subscription; built once per subscription. */
export interface DispatchContext {
  readonly handler: MessageHandler;
  readonly o: ResolvedSubscribeOptions;
  readonly publishDeadLetter: DeadLetterPublish;
  readonly localAckWait: boolean;
  readonly counters: SubscriptionCounters;
}

/** Tells the subscription's onError hook; a throwing hook is swallowed. */
export function report(ctx: DispatchContext, error: unknown, message: Message): void {
  try {
    ctx.o.onError(error, message);
  } catch {
    /* a reporting hook must not break delivery */
  }
}

async function fail(ctx: DispatchContext, m: Message, ops: DeliveryOps, reason: unknown): Promise<void> {
  if (m.deliveryCount < ctx.o.maxDeliver) return void (await ops.retry(m));
  if (ctx.o.deadLetterSubject === undefined) return void (await ops.ack(m));
  if (ops.deadLetter) await ops.deadLetter(m);
  else {
    await ctx.publishDeadLetter(ctx.o.deadLetterSubject, m, describe(reason));
    await ops.ack(m);
  }
  ctx.counters.deadLettered++;
}

/**
 * A failed delivery (throw, rejection, nack): retry, dead-letter or drop, never rejecting — a
 * backend failure while settling is reported and leaves the message with the broker.
 */
export function settleFailure(ctx: DispatchContext, m: Message, ops: DeliveryOps, reason: unknown): Promise<void> {
  ctx.counters.nacked++;
  return fail(ctx, m, ops, reason).catch((error: unknown) => report(ctx, error, m));
}

type Timer = ReturnType<typeof setTimeout>;
const OPEN = 0;
const SETTLED = 1;

/**
 * One delivery as the handler sees it: created per message per subscriber, so it is kept small —
 * four slots, the message's fields read through getters, the settle logic on the prototype.
 * Internals are private so that spreading or logging a delivery shows the message, not the broker.
 */
class DispatchedDelivery implements Delivery {
  readonly #ctx: DispatchContext;
  readonly #message: Message;
  readonly #ops: DeliveryOps;
  // OPEN, SETTLED, or the ackWaitMs timer of an open manual delivery.
  #state: typeof OPEN | typeof SETTLED | Timer = OPEN;

  constructor(ctx: DispatchContext, message: Message, ops: DeliveryOps) {
    this.#ctx = ctx;
    this.#message = message;
    this.#ops = ops;
  }

  get id(): string {
    return this.#message.id;
  }
  get subject(): string {
    return this.#message.subject;
  }
  get data(): Uint8Array {
    return this.#message.data;
  }
  get headers(): Message['headers'] {
    return this.#message.headers;
  }
  get deliveryCount(): number {
    return this.#message.deliveryCount;
  }

  toJSON(): Message {
    return plainMessage(this.#message);
  }

  watch(ms: number): void {
    this.#state = setTimeout(() => void this.settleFail(new Error('not acknowledged within ackWaitMs')), ms);
  }

  /** Marks the delivery settled; false when it already was (a second settle is ignored). */
  #close(): boolean {
    const state = this.#state;
    if (state === SETTLED) return false;
    if (state !== OPEN) clearTimeout(state);
    this.#state = SETTLED;
    return true;
  }

  settleAck(): Promise<void> | void {
    if (!this.#close()) return;
    const ctx = this.#ctx;
    ctx.counters.acked++;
    try {
      const r = this.#ops.ack(this.#message);
      if (r !== undefined) return r.catch((error: unknown) => report(ctx, error, this.#message));
    } catch (error) {
      report(ctx, error, this.#message);
    }
  }

  settleFail(reason: unknown): Promise<void> | void {
    if (!this.#close()) return;
    return settleFailure(this.#ctx, this.#message, this.#ops, reason);
  }

  onFailure(error: unknown): Promise<void> | void {
    report(this.#ctx, error, this.#message);
    return this.settleFail(error);
  }

  async ack(): Promise<void> {
    await this.settleAck();
  }
  async nack(): Promise<void> {
    await this.settleFail(new Error('nacked by the handler'));
  }
}

/**
 * The one place that decides what a handler's outcome does to a message, so every backend acks,
 * retries and dead-letters the same way. The returned function never rejects: a backend failure
 * while settling leaves the message unacknowledged with the broker (redelivered, never lost).
 * A synchronous handler whose ack is synchronous (the in-process broker) settles without a promise.
 */
export function createDispatcher(
  handler: MessageHandler,
  o: ResolvedSubscribeOptions,
  publishDeadLetter: DeadLetterPublish,
  localAckWait = false,
  counters: SubscriptionCounters = createSubscriptionCounters(),
): Dispatch {
  return dispatcherFor({ handler, o, publishDeadLetter, localAckWait, counters });
}

/** createDispatcher over a context the caller keeps (the in-process broker settles fast deliveries itself). */
export function dispatcherFor(ctx: DispatchContext): Dispatch {
  const { handler, o, localAckWait, counters } = ctx;
  const auto = o.ack === 'auto';
  const watch = localAckWait && !auto;
  return (message, ops) => {
    const d = new DispatchedDelivery(ctx, message, ops);
    counters.delivered++;
    if (message.deliveryCount > 1) counters.redelivered++;
    if (watch) d.watch(o.ackWaitMs);
    let result: void | Promise<void>;
    try {
      result = handler(d);
    } catch (error) {
      return d.onFailure(error);
    }
    const outcome = getOutcome(result);
    if (outcome === undefined) return auto ? d.settleAck() : undefined;
    return outcome.then(
      () => (auto ? d.settleAck() : undefined),
      (error: unknown) => d.onFailure(error),
    );
  };
}

/**
 * A message's fields as a plain object: what `JSON.stringify` writes for a delivery, whose fields are
 * getters (lazily decoded, or private) that it would not see.
 */
export function plainMessage(m: Message): Message {
  return { id: m.id, subject: m.subject, data: m.data, headers: m.headers, deliveryCount: m.deliveryCount };
}

/**
 * A handler's result as the promise of its outcome, or undefined when it settled on return (anything but an
 * object with a callable `then`). A thenable is adopted once through Promise.resolve (the same object for a
 * native promise), whatever its `then` does - throw, call back twice; one whose `then` cannot even be read
 * rejects with that error. Either way the delivery is settled exactly once, as for a throwing handler.
 */
export function getOutcome(value: unknown): Promise<unknown> | undefined {
  if (value === undefined || value === null || (typeof value !== 'object' && typeof value !== 'function'))
    return undefined;
  let then: unknown;
  try {
    then = (value as { then?: unknown }).then;
  } catch (error) {
    return Promise.reject(error);
  }
  return typeof then === 'function' ? Promise.resolve(value) : undefined;
}

function describe(reason: unknown): string {
  const code =
    typeof reason === 'object' && reason !== null && 'code' in reason ? String((reason as { code: unknown }).code) : '';
  return code || (reason instanceof Error ? reason.name : 'handler failed');
}

export interface Gate {
  /**
   * Starts `task` at once when a slot is free and returns undefined (no promise, no microtask hop
   * on the hot path); otherwise returns a promise that resolves once the task has started.
   */
  run(task: () => Promise<void> | void): Promise<void> | undefined;
  /** `run(() => task(arg))` without a closure made per call (a backend's per-delivery path). */
  run<A>(task: (arg: A) => Promise<void> | void, arg: A): Promise<void> | undefined;
  idle(): Promise<void>;
}

/** At most `limit` tasks at once; `run` makes the caller wait for a slot, which is how push backends apply backpressure. */
export function createGate(limit: number): Gate {
  let active = 0;
  const waiters: Array<() => void> = [];
  const idleWaiters: Array<() => void> = [];
  const release = (): void => {
    active--;
    const next = waiters.shift();
    if (next) {
      active++;
      next();
    } else if (active === 0 && idleWaiters.length > 0) idleWaiters.splice(0).forEach((w) => w());
  };
  const start = (task: (arg: unknown) => Promise<void> | void, arg: unknown): void => {
    let result: Promise<void> | void;
    try {
      result = task(arg);
    } catch {
      release();
      return;
    }
    if (result !== undefined && typeof result.then === 'function') result.then(release, release);
    else release();
  };
  return {
    run(task: (arg: unknown) => Promise<void> | void, arg?: unknown) {
      if (active < limit) {
        active++;
        start(task, arg);
        return undefined;
      }
      // A waiter starts on a later microtask, never inside release(): no recursion through a long queue.
      return new Promise<void>((resolve) => waiters.push(resolve)).then(() => start(task, arg));
    },
    idle: () => (active === 0 ? Promise.resolve() : new Promise<void>((resolve) => idleWaiters.push(resolve))),
  };
}
