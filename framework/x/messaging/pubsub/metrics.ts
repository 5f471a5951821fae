/** Counters of one subscription, monotonic from its start. Plain fields: the delivery path bumps them. */
export interface SubscriptionCounters {
  /** Handler invocations, first deliveries and redeliveries alike. */
  delivered: number;
  acked: number;
  /** Failed deliveries: the handler threw, nacked, or did not ack within `ackWaitMs`. */
  nacked: number;
  /** Deliveries with `deliveryCount` above 1. */
  redelivered: number;
  /** Messages sent to the dead-letter subject after `maxDeliver` failures. */
  deadLettered: number;
}

export interface SubscriptionMetrics extends Readonly<SubscriptionCounters> {
  readonly pattern: string;
  readonly group: string | undefined;
  /**
   * Messages waiting for this subscription: its local buffer (in-process, MQTT) or the server's
   * backlog (RabbitMQ queue, Redis group lag, JetStream consumer pending); undefined where the
   * backend cannot tell (a replay stream) or the query failed.
   */
  readonly depth: number | undefined;
}

/** A snapshot for exporters: read it on scrape, never on the message path. */
export interface BrokerMetrics {
  readonly backend: string;
  /** Publishes the broker acknowledged. */
  readonly published: number;
  readonly subscriptions: readonly SubscriptionMetrics[];
}

export function createSubscriptionCounters(): SubscriptionCounters {
  return { delivered: 0, acked: 0, nacked: 0, redelivered: 0, deadLettered: 0 };
}

/** A subscription as the broker keeps it for `metrics()`. */
export interface MeteredSubscription {
  readonly pattern: string;
  readonly group: string | undefined;
  readonly counters: SubscriptionCounters;
  depth(): Promise<number | undefined> | number | undefined;
}

export async function snapshotSubscriptions(subs: Iterable<MeteredSubscription>): Promise<SubscriptionMetrics[]> {
  return Promise.all(
    [...subs].map(async (s) => {
      let depth: number | undefined;
      try {
        const d = await s.depth();
        depth = d !== undefined && Number.isFinite(d) && d >= 0 ? d : undefined;
      } catch {
        // A scrape must not fail because one backlog query did (e.g. during a re-dial).
        depth = undefined;
      }
      return { pattern: s.pattern, group: s.group, ...s.counters, depth };
    }),
  );
}
