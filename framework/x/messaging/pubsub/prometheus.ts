import { Counter, Gauge, type Registry } from 'prom-client';
import { assertOption } from './errors.ts';
import type { BrokerMetrics } from './metrics.ts';

/** A broker, or anything reporting in its shape (x/messaging/mq's task queues do). */
export interface MetricsSource {
  metrics(): Promise<BrokerMetrics>;
}

export interface BrokerMetricsExportOptions {
  /** Metric name prefix; match x/observability's collector namespace. Default `plumego`. */
  readonly prefix?: string;
  /** The name segment after the prefix: `pubsub` for brokers (default), `mq` for task queues. */
  readonly family?: 'pubsub' | 'mq';
}

export interface BrokerMetricsExport {
  /** The metric names registered, for dashboards and tests. */
  readonly names: readonly string[];
  /** Removes the metrics from the registry (e.g. when the brokers are closed). */
  unregister(): void;
}

const PREFIX = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const SUBSCRIPTION_COUNTERS = [
  ['delivered', 'Messages handed to a subscription handler, redeliveries included.'],
  ['acked', 'Deliveries acknowledged.'],
  ['nacked', 'Deliveries that failed: the handler threw, nacked, or did not ack in time.'],
  ['redelivered', 'Deliveries of a message delivered before.'],
  ['deadLettered', 'Messages sent to the dead-letter subject after maxDeliver failures.'],
] as const;

/**
 * Registers pubsub metrics in a prom-client registry — pass x/observability's
 * `PrometheusCollector.registry` so they appear on its `/metrics` handler. Values are read from each
 * broker's `metrics()` once per scrape (one backlog query per subscription), never on the message
 * path. Labels: `broker` (the key given here), `backend`, and per subscription `pattern` and `group`
 * (empty for none); patterns come from code, so the series count is bounded by the subscriptions.
 * Task queues export the same way with `family: 'mq'` (`pattern` is then the queue name).
 */
export function registerBrokerMetrics(
  registry: Registry,
  brokers: Readonly<Record<string, MetricsSource>>,
  options: BrokerMetricsExportOptions = {},
): BrokerMetricsExport {
  const prefix = options.prefix ?? 'plumego';
  const family = options.family ?? 'pubsub';
  assertOption(PREFIX.test(prefix), 'prefix', 'must be a Prometheus metric name prefix ([a-zA-Z_:][a-zA-Z0-9_:]*)');
  assertOption(family === 'pubsub' || family === 'mq', 'family', "must be 'pubsub' or 'mq'");
  assertOption(
    typeof brokers === 'object' &&
      brokers !== null &&
      Object.values(brokers).every((b) => typeof b?.metrics === 'function'),
    'brokers',
    'must map names to brokers',
  );
  const names = [
    `${prefix}_${family}_published_total`,
    ...SUBSCRIPTION_COUNTERS.map(([k]) => `${prefix}_${family}_${snake(k)}_total`),
    `${prefix}_${family}_queue_depth`,
  ];
  for (const n of names)
    assertOption(registry.getSingleMetric(n) === undefined, 'registry', `already holds a metric named ${n}`);

  // Every metric's collect runs in the same scrape; they share one read of the brokers.
  let pending: Promise<Array<[string, BrokerMetrics]>> | undefined;
  const read = (): Promise<Array<[string, BrokerMetrics]>> => {
    pending ??= Promise.all(
      Object.entries(brokers).map(async ([name, b]): Promise<[string, BrokerMetrics] | undefined> => {
        try {
          return [name, await b.metrics()];
        } catch {
          return undefined;
        }
      }),
    )
      .then((rows) => rows.filter((r) => r !== undefined))
      .finally(() => {
        pending = undefined;
      });
    return pending;
  };

  const subLabels = ['broker', 'backend', 'pattern', 'group'] as const;
  const metrics: Array<Counter | Gauge> = [];
  metrics.push(
    new Counter({
      name: names[0]!,
      help: 'Publishes the broker acknowledged.',
      labelNames: ['broker', 'backend'],
      registers: [registry],
      async collect() {
        this.reset();
        for (const [broker, m] of await read()) this.inc({ broker, backend: m.backend }, m.published);
      },
    }),
  );
  SUBSCRIPTION_COUNTERS.forEach(([key, help], i) => {
    metrics.push(
      new Counter({
        name: names[i + 1]!,
        help,
        labelNames: subLabels,
        registers: [registry],
        async collect() {
          this.reset();
          for (const [broker, m] of await read()) {
            for (const s of m.subscriptions)
              this.inc({ broker, backend: m.backend, pattern: s.pattern, group: s.group ?? '' }, s[key]);
          }
        },
      }),
    );
  });
  metrics.push(
    new Gauge({
      name: names[names.length - 1]!,
      help: 'Messages waiting for a subscription (local buffer or server backlog); absent where unknown.',
      labelNames: subLabels,
      registers: [registry],
      async collect() {
        this.reset();
        for (const [broker, m] of await read()) {
          for (const s of m.subscriptions)
            if (s.depth !== undefined)
              this.inc({ broker, backend: m.backend, pattern: s.pattern, group: s.group ?? '' }, s.depth);
        }
      },
    }),
  );
  return {
    names,
    unregister: () => {
      for (const n of names) registry.removeSingleMetric(n);
    },
  };
}

function snake(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}
