import { createDispatcher, DEAD_LETTER_HEADERS, type RawDelivery } from './dispatch.ts';
import { DeadlineList, type DeadlineEntry } from './deadline-list.ts';
import { assertOption, PUBSUB_ERROR_CODES, PubSubError, toPublishFailed } from './errors.ts';
import {
  createSubscriptionCounters,
  snapshotSubscriptions,
  type BrokerMetrics,
  type MeteredSubscription,
} from './metrics.ts';
import {
  resolveMaxPayload,
  resolveSubscribeOptions,
  toHeaders,
  toPayload,
  type ResolvedSubscribeOptions,
} from './options.ts';
import { assertSubject } from './subject.ts';
import type {
  Broker,
  BrokerCapabilities,
  BrokerOptions,
  Message,
  MessageHandler,
  PublishOptions,
  PublishReceipt,
  SubscribeOptions,
  Subscription,
} from './types.ts';

export interface RemoteBrokerOptions extends BrokerOptions {
  /** Server URL, e.g. `nats://127.0.0.1:4222`. */
  readonly url: string;
  /** Prefix of every server-side name (stream, exchange, key, topic), so apps can share a server. Default `plumego`. */
  readonly namespace?: string;
  /** How long a publish waits for the server's acknowledgement before it fails PUBSUB_PUBLISH_FAILED. Default 5000 ms. */
  readonly publishTimeoutMs?: number;
  /**
   * Re-dialling after a lost connection (never on the first connect, which fails at once): the delay
   * starts at `minDelayMs` and doubles up to `maxDelayMs` where the client allows it. Default 100 / 5000 ms.
   */
  readonly reconnect?: { readonly minDelayMs?: number; readonly maxDelayMs?: number };
}

export interface ResolvedRemoteOptions {
  readonly url: string;
  readonly namespace: string;
  readonly publishTimeoutMs: number;
  readonly maxPayloadBytes: number;
  readonly reconnect: { readonly minDelayMs: number; readonly maxDelayMs: number };
}

const NAMESPACE = /^[A-Za-z0-9_-]{1,64}$/;

export function resolveRemoteOptions(options: RemoteBrokerOptions): ResolvedRemoteOptions {
  assertOption(typeof options.url === 'string' && options.url.length > 0, 'url', 'must be a server URL');
  const namespace = options.namespace ?? 'plumego';
  assertOption(NAMESPACE.test(namespace), 'namespace', 'must be 1-64 characters of [A-Za-z0-9_-]');
  const publishTimeoutMs = options.publishTimeoutMs ?? 5000;
  assertOption(
    Number.isInteger(publishTimeoutMs) && publishTimeoutMs >= 1,
    'publishTimeoutMs',
    'must be a positive integer',
  );
  const minDelayMs = options.reconnect?.minDelayMs ?? 100;
  const maxDelayMs = options.reconnect?.maxDelayMs ?? Math.max(5000, minDelayMs);
  assertOption(Number.isInteger(minDelayMs) && minDelayMs >= 1, 'reconnect.minDelayMs', 'must be a positive integer');
  assertOption(
    Number.isInteger(maxDelayMs) && maxDelayMs >= minDelayMs,
    'reconnect.maxDelayMs',
    'must be an integer >= reconnect.minDelayMs',
  );
  return {
    url: options.url,
    namespace,
    publishTimeoutMs,
    maxPayloadBytes: resolveMaxPayload(options),
    reconnect: { minDelayMs, maxDelayMs },
  };
}

/** The delay before re-dial attempt `attempt` (1-based): doubling from min to max, never above max. */
export function backoffDelay(reconnect: ResolvedRemoteOptions['reconnect'], attempt: number): number {
  return Math.min(reconnect.maxDelayMs, reconnect.minDelayMs * 2 ** Math.min(30, Math.max(0, attempt - 1)));
}

/** A live server-side subscription as a backend reports it. */
export interface Listening {
  stop(): Promise<void>;
  /** The backlog waiting for this subscription, where the backend can tell. */
  depth?(): Promise<number | undefined> | number | undefined;
}

export interface OutgoingMessage {
  readonly subject: string;
  readonly data: Uint8Array;
  readonly headers: Record<string, string>;
}

/**
 * What each remote backend supplies; the base class does validation, timeouts, dead-letter
 * republishing, the closed state and subscription bookkeeping identically for all of them.
 */
export abstract class RemoteBroker<Sent = string> implements Broker {
  abstract readonly backend: string;
  abstract readonly capabilities: BrokerCapabilities;
  /** Whether an unacknowledged manual delivery is retried by a local timer (the server has no ack deadline). */
  protected readonly localAckWait: boolean = false;
  /**
   * Whether `send` itself fails after `publishTimeoutMs` (the client enforces the timeout it was
   * given); then no timer of ours runs beside it, one timer and one promise less per publish.
   */
  protected readonly sendTimesOut: boolean = false;
  private closed = false;
  private readonly subscriptions = new Map<Subscription, MeteredSubscription>();
  private published = 0;
  // Subjects already validated: the grammar check is a regex per publish otherwise.
  private readonly knownSubjects = new Set<string>();
  // Publishes waiting for the server under one timer: a timer per publish cost a Timeout, a timer
  // list created and dropped (the only 5 s timer of the process) and three native calls each time.
  private readonly deadlines = new DeadlineList<PendingPublish>(
    () =>
      new PubSubError(
        PUBSUB_ERROR_CODES.publishFailed,
        `${this.backend}: no acknowledgement within ${this.options.publishTimeoutMs} ms; the message may or may not have been stored`,
        { backend: this.backend },
      ),
  );

  constructor(protected readonly options: ResolvedRemoteOptions) {}

  /** Hands the message to the server; resolves with what the server acknowledged (see `receiptId`). */
  protected abstract send(message: OutgoingMessage): Promise<Sent>;
  /**
   * The stored message's id from what `send` resolved to. Mapped inside the one callback that
   * settles the publish rather than in a `then` of the backend's own: each extra promise hop moved
   * the next publish past the client's flush of the consumer's ack (one socket write more per message
   * on NATS).
   */
  protected receiptId(sent: Sent): string {
    return String(sent);
  }
  /** Starts delivering matching messages to `deliver`; resolves once the server-side subscription exists. */
  protected abstract listen(
    pattern: string,
    o: ResolvedSubscribeOptions,
    deliver: (raw: RawDelivery) => Promise<void> | void,
  ): Promise<Listening>;
  protected abstract disconnect(): Promise<void>;

  // Not async, and one promise from send to caller: every extra promise hop delays the next write to
  // the socket past the client's flush (nats.js coalesces what is queued in one microtask), which
  // measurably cut a publish-ack loop's throughput.
  publish(subject: string, data: Uint8Array | string, options?: PublishOptions): Promise<PublishReceipt> {
    let message: OutgoingMessage;
    try {
      if (this.closed) throw closedError();
      if (!this.knownSubjects.has(subject)) {
        assertSubject(subject);
        if (this.knownSubjects.size > 10_000) this.knownSubjects.clear();
        this.knownSubjects.add(subject);
      }
      message = {
        subject,
        data: toPayload(data, this.options.maxPayloadBytes),
        headers: options?.headers === undefined ? NO_HEADERS : toHeaders(options.headers),
      };
    } catch (error) {
      return Promise.reject(error);
    }
    return this.bounded(message, this.toReceipt);
  }

  private sendWithin(message: OutgoingMessage): Promise<string> {
    return this.bounded(message, this.toId);
  }

  // Made once per broker, not per publish: what the server's acknowledgement becomes, and the rethrow.
  private readonly toReceipt = (sent: Sent): PublishReceipt => {
    this.published++;
    return { id: this.receiptId(sent) };
  };
  private readonly toId = (sent: Sent): string => this.receiptId(sent);
  private readonly rethrow = (error: unknown): never => {
    throw this.publishFailure(error);
  };

  /** The backend's send bounded by publishTimeoutMs: one promise (and a place in the deadline list unless the client keeps time). */
  private bounded<T>(message: OutgoingMessage, done: (sent: Sent) => T): Promise<T> {
    let sending: Promise<Sent>;
    if (this.sendTimesOut) {
      try {
        sending = this.send(message);
      } catch (error) {
        return Promise.reject(this.publishFailure(error));
      }
      return sending.then(done, this.rethrow);
    }
    try {
      sending = this.send(message);
    } catch (error) {
      return Promise.reject(this.publishFailure(error));
    }
    const pending = new PendingPublish<T>(this.deadlines, performance.now() + this.options.publishTimeoutMs);
    const result = new Promise<T>(pending.capture);
    sending.then(
      (sent) => {
        if (pending.settle()) pending.resolve(done(sent));
      },
      (error: unknown) => {
        if (pending.settle()) pending.reject(this.publishFailure(error));
      },
    );
    return result;
  }

  private publishFailure(error: unknown): PubSubError {
    return this.closed ? closedError() : toPublishFailed(this.backend, error);
  }

  async subscribe(pattern: string, handler: MessageHandler, options: SubscribeOptions = {}): Promise<Subscription> {
    if (this.closed) throw closedError();
    const o = resolveSubscribeOptions(pattern, options, this.capabilities);
    const counters = createSubscriptionCounters();
    const dispatch = createDispatcher(
      handler,
      o,
      (s, m, r) => this.sendWithin(deadLetterOf(s, m, r)),
      this.localAckWait || !this.capabilities.brokerRedelivery,
      counters,
    );
    const listening = await this.listen(pattern, o, (raw) => dispatch(raw.message, raw));
    let done = false;
    const subscription: Subscription = {
      pattern,
      unsubscribe: async () => {
        if (done) return;
        done = true;
        this.subscriptions.delete(subscription);
        await listening.stop();
      },
    };
    this.subscriptions.set(subscription, { pattern, group: o.group, counters, depth: () => listening.depth?.() });
    return subscription;
  }

  async metrics(): Promise<BrokerMetrics> {
    return {
      backend: this.backend,
      published: this.published,
      subscriptions: await snapshotSubscriptions(this.subscriptions.values()),
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.allSettled([...this.subscriptions.keys()].map((s) => s.unsubscribe()));
    await this.disconnect();
    // Nothing can acknowledge them any more; this also stops the deadline timer, so a closed broker keeps no process alive.
    this.deadlines.failAll(closedError);
  }

  protected get isClosed(): boolean {
    return this.closed;
  }
}

/** The headers of a publish without any (shared, frozen): a backend may test for it by identity. */
export const NO_HEADERS: Record<string, string> = Object.freeze({}) as Record<string, string>;

/**
 * One publish waiting for its acknowledgement, linked into its broker's deadline list. `capture` is
 * the promise executor (a field, not a closure made per call); `settle` unlinks it and says whether
 * it was still open, so the acknowledgement and the deadline can never both settle it.
 */
class PendingPublish<T = unknown> implements DeadlineEntry<PendingPublish> {
  prev: PendingPublish | undefined = undefined;
  next: PendingPublish | undefined = undefined;
  resolve: (value: T) => void = noop;
  reject: (error: unknown) => void = noop;
  open = true;
  readonly capture: (resolve: (value: T) => void, reject: (error: unknown) => void) => void;
  constructor(
    private readonly list: DeadlineList<PendingPublish>,
    readonly deadline: number,
  ) {
    this.capture = (resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
      list.add(this as PendingPublish);
    };
  }
  settle(): boolean {
    if (!this.open) return false;
    this.open = false;
    this.list.remove(this as PendingPublish);
    return true;
  }
}

const noop = (): void => {};

export function deadLetterOf(subject: string, m: Message, reason: string): OutgoingMessage {
  return {
    subject,
    data: m.data,
    headers: {
      ...m.headers,
      [DEAD_LETTER_HEADERS.subject]: m.subject,
      [DEAD_LETTER_HEADERS.deliveries]: String(m.deliveryCount),
      [DEAD_LETTER_HEADERS.reason]: reason,
    },
  };
}

function closedError(): PubSubError {
  return new PubSubError(PUBSUB_ERROR_CODES.closed, 'the broker is closed');
}
