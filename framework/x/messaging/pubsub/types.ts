import type { BrokerMetrics } from './metrics.ts';

/** What a backend can do; the conformance suite runs a case only where the flag says so. */
export interface BrokerCapabilities {
  /** `*` and `>` patterns. */
  readonly wildcards: boolean;
  /** Competing consumers: subscribers sharing a group each get a share of the messages. */
  readonly queueGroups: boolean;
  /** A nacked or unacknowledged message comes back from the broker (else it is retried in-process). */
  readonly brokerRedelivery: boolean;
  /** Subscribing from the start, a position or a time (the backend keeps history). */
  readonly replay: boolean;
  /** Slow-subscriber policies available; remote brokers only `block` (the broker holds the backlog). */
  readonly overflowPolicies: readonly OverflowPolicy[];
  /** What an acknowledged publish promises to subscribers that exist when it is published. */
  readonly delivery: 'at-most-once' | 'at-least-once';
  /** Messages outlive the publishing process (held by a server). */
  readonly durable: boolean;
}

export type OverflowPolicy = 'block' | 'drop-oldest' | 'error';

export type Headers = Readonly<Record<string, string>>;

export interface PublishOptions {
  /** Message headers (string values); names starting `plumego-` are reserved. */
  readonly headers?: Record<string, string>;
}

export interface PublishReceipt {
  /** Backend id of the stored message (stream sequence, entry id, local counter). */
  readonly id: string;
}

export interface Message {
  readonly id: string;
  readonly subject: string;
  readonly data: Uint8Array;
  readonly headers: Headers;
  /** 1 on the first delivery, counted by the broker where it can. */
  readonly deliveryCount: number;
}

export interface Delivery extends Message {
  /** Settles the message; a second settle is ignored. */
  ack(): Promise<void>;
  /** Asks for redelivery (or dead-lettering once `maxDeliver` is reached). */
  nack(): Promise<void>;
}

export type MessageHandler = (message: Delivery) => void | Promise<void>;

export type ReplayFrom =
  { readonly kind: 'new' } | { readonly kind: 'all' } | { readonly kind: 'time'; readonly at: Date };

export interface SubscribeOptions {
  /** Queue group: one member of the group gets each message. Default: none (every subscriber gets all). */
  readonly group?: string;
  /** `auto` acks when the handler resolves and nacks when it throws; `manual` leaves it to the handler. Default `auto`. */
  readonly ack?: 'auto' | 'manual';
  /** Deliveries before a failing message goes to the dead-letter subject (or is dropped without one). Default 5. */
  readonly maxDeliver?: number;
  /** Where a message goes after `maxDeliver` failed deliveries. Default: none — the message is dropped and reported via `onError`. */
  readonly deadLetterSubject?: string;
  /** Replay position where the backend keeps history. Default `new`. */
  readonly from?: ReplayFrom;
  /** Messages handled at once by this subscriber. Default 1 (in-order). */
  readonly concurrency?: number;
  /** Undelivered messages held per subscriber. Default 1024. */
  readonly bufferSize?: number;
  /** What a full buffer does: `block` the publisher, `drop-oldest`, or fail the publish with `error`. Default `block`, or the backend's only policy (MQTT: `drop-oldest`). */
  readonly overflow?: OverflowPolicy;
  /** How long an unacknowledged delivery waits before the broker redelivers it. Default 30 000 ms. */
  readonly ackWaitMs?: number;
  /** Told about handler failures, dead-lettering and dropped messages; never throws into the broker. */
  readonly onError?: (error: unknown, message: Message) => void;
}

export interface Subscription {
  readonly pattern: string;
  /** Stops delivery; in-flight handlers finish; unacknowledged messages stay with the broker. */
  unsubscribe(): Promise<void>;
}

export interface Broker {
  readonly backend: string;
  readonly capabilities: BrokerCapabilities;
  /**
   * Resolves once the broker holds the message; rejects PUBSUB_PUBLISH_FAILED when that is not known.
   * Use it through `then`/`catch`/`finally`/`await`: a backend may return a promise-compatible object
   * that is not a native Promise (the in-process broker does, to allocate no promise when none is used).
   */
  publish(subject: string, data: Uint8Array | string, options?: PublishOptions): Promise<PublishReceipt>;
  subscribe(pattern: string, handler: MessageHandler, options?: SubscribeOptions): Promise<Subscription>;
  /** Counters and backlog per subscription, for exporters (e.g. `registerBrokerMetrics`); read on scrape. */
  metrics(): Promise<BrokerMetrics>;
  /** Unsubscribes everything and releases the connection. */
  close(): Promise<void>;
}

export interface BrokerOptions {
  /** Largest payload accepted by `publish`, in bytes. Default 1 MiB. */
  readonly maxPayloadBytes?: number;
}
