import type { ResolvedSubscribeOptions } from './options.ts';
import type { Delivery, Message, MessageHandler } from './types.ts';

/** What a backend hands the shared dispatcher for each delivery. */
export interface RawDelivery {
  readonly message: Message;
  /** Removes the message from the broker. */
  ack(): Promise<void> | void;
  /** Hands the message back for another delivery (broker redelivery, or an in-process retry). */
  retry(): Promise<void> | void;
  /** Backend-native dead-lettering (RabbitMQ DLX); otherwise the dispatcher republishes and acks. */
  deadLetter?(): Promise<void> | void;
}

export type DeadLetterPublish = (subject: string, message: Message, reason: string) => Promise<unknown>;

export const DEAD_LETTER_HEADERS = {
  subject: 'plumego-dl-subject',
  deliveries: 'plumego-dl-deliveries',
  reason: 'plumego-dl-reason',
} as const;

/**
 * The one place that decides what a handler's outcome does to a message, so every backend acks,
 * retries and dead-letters the same way. The returned function never rejects: a backend failure
 * while settling leaves the message unacknowledged with the broker (redelivered, never lost).
 * A synchronous handler whose ack is synchronous (the in-process broker) settles without a promise.
 */
export function createDispatcher(handler: MessageHandler, o: ResolvedSubscribeOptions, publishDeadLetter: DeadLetterPublish, localAckWait = false): (raw: RawDelivery) => Promise<void> | void {
  const report = (error: unknown, message: Message): void => {
    try { o.onError(error, message); } catch { /* a reporting hook must not break delivery */ }
  };

  const fail = async (raw: RawDelivery, reason: unknown): Promise<void> => {
    const m = raw.message;
    if (m.deliveryCount < o.maxDeliver) return void (await raw.retry());
    if (o.deadLetterSubject === undefined) return void (await raw.ack());
    if (raw.deadLetter) return void (await raw.deadLetter());
    await publishDeadLetter(o.deadLetterSubject, m, describe(reason));
    await raw.ack();
  };

  return (raw) => {
    let settled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const settle = (action: () => Promise<void> | void): Promise<void> | void => {
      if (settled) return;
      settled = true;
      if (timer !== undefined) clearTimeout(timer);
      try {
        const r = action();
        if (r !== undefined) return r.catch((error: unknown) => report(error, raw.message));
      } catch (error) { report(error, raw.message); }
    };
    const onFailure = (error: unknown): Promise<void> | void => {
      report(error, raw.message);
      return settle(() => fail(raw, error));
    };
    const delivery: Delivery = {
      id: raw.message.id, subject: raw.message.subject, data: raw.message.data, headers: raw.message.headers,
      deliveryCount: raw.message.deliveryCount,
      ack: async () => settle(() => raw.ack()),
      nack: async () => settle(() => fail(raw, new Error('nacked by the handler'))),
    };
    if (localAckWait && o.ack === 'manual') {
      timer = setTimeout(() => void settle(() => fail(raw, new Error('not acknowledged within ackWaitMs'))), o.ackWaitMs);
    }
    let result: void | Promise<void>;
    try {
      result = handler(delivery);
    } catch (error) {
      return onFailure(error);
    }
    if (result === undefined || typeof (result as { then?: unknown }).then !== 'function') {
      return o.ack === 'auto' ? settle(() => raw.ack()) : undefined;
    }
    return (result as Promise<void>).then(
      () => (o.ack === 'auto' ? settle(() => raw.ack()) : undefined),
      onFailure,
    );
  };
}

function describe(reason: unknown): string {
  const code = typeof reason === 'object' && reason !== null && 'code' in reason ? String((reason as { code: unknown }).code) : '';
  return code || (reason instanceof Error ? reason.name : 'handler failed');
}

/** At most `limit` promises at once; `run` waits for a slot, which is how push backends apply backpressure. */
export function createGate(limit: number): { run(task: () => Promise<void>): Promise<void>; idle(): Promise<void> } {
  let active = 0;
  const waiters: Array<() => void> = [];
  const idleWaiters: Array<() => void> = [];
  const release = (): void => {
    active--;
    const next = waiters.shift();
    if (next) { active++; next(); } else if (active === 0) idleWaiters.splice(0).forEach((w) => w());
  };
  return {
    async run(task) {
      if (active < limit) active++;
      else await new Promise<void>((resolve) => waiters.push(resolve));
      void task().finally(release);
    },
    idle: () => (active === 0 ? Promise.resolve() : new Promise<void>((resolve) => idleWaiters.push(resolve))),
  };
}
