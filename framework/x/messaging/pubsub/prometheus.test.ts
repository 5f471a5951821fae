import { Registry } from 'prom-client';
import { describe, expect, it, vi } from 'vitest';
import { InProcessBroker } from './in-process.ts';
import { registerBrokerMetrics } from './prometheus.ts';
import type { Broker } from './types.ts';

const line = (text: string, name: string, labels: string): number | undefined => {
  const hit = text.split('\n').find((l) => l.startsWith(`${name}{${labels}}`));
  return hit === undefined ? undefined : Number(hit.slice(hit.lastIndexOf(' ') + 1));
};

describe('registerBrokerMetrics', () => {
  it('exports every counter and the queue depth per broker and subscription in the text exposition', async () => {
    const registry = new Registry();
    const orders = new InProcessBroker();
    const audit = new InProcessBroker();
    const exp = registerBrokerMetrics(registry, { orders, audit }, { prefix: 'app' });
    expect(exp.names).toEqual([
      'app_pubsub_published_total',
      'app_pubsub_delivered_total',
      'app_pubsub_acked_total',
      'app_pubsub_nacked_total',
      'app_pubsub_redelivered_total',
      'app_pubsub_dead_lettered_total',
      'app_pubsub_queue_depth',
    ]);
    let release!: () => void;
    const held = new Promise<void>((r) => {
      release = r;
    });
    await orders.subscribe('orders.>', () => held, { group: 'billing' });
    await orders.subscribe(
      'orders.created',
      () => {
        throw new Error('bad');
      },
      { maxDeliver: 2, deadLetterSubject: 'orders.dead' },
    );
    for (let i = 0; i < 4; i++) await orders.publish('orders.created', `o${i}`);
    await audit.publish('audit.x', 'a');
    await vi.waitFor(async () => {
      const text = await registry.metrics();
      expect(line(text, 'app_pubsub_published_total', 'broker="orders",backend="in-process"')).toBe(4);
      expect(line(text, 'app_pubsub_published_total', 'broker="audit",backend="in-process"')).toBe(1);
      const failing = 'broker="orders",backend="in-process",pattern="orders.created",group=""';
      expect(line(text, 'app_pubsub_delivered_total', failing)).toBe(8);
      expect(line(text, 'app_pubsub_nacked_total', failing)).toBe(8);
      expect(line(text, 'app_pubsub_redelivered_total', failing)).toBe(4);
      expect(line(text, 'app_pubsub_dead_lettered_total', failing)).toBe(4);
      expect(line(text, 'app_pubsub_acked_total', failing)).toBe(0);
      // The billing member holds the first message; the other orders and the 4 dead letters wait behind it.
      const billing = 'broker="orders",backend="in-process",pattern="orders.>",group="billing"';
      expect(line(text, 'app_pubsub_delivered_total', billing)).toBe(1);
      expect(line(text, 'app_pubsub_queue_depth', billing)).toBe(7);
      expect(text).toContain('# TYPE app_pubsub_delivered_total counter');
      expect(text).toContain('# TYPE app_pubsub_queue_depth gauge');
    });
    release();
    await vi.waitFor(async () => {
      const text = await registry.metrics();
      const billing = 'broker="orders",backend="in-process",pattern="orders.>",group="billing"';
      expect(line(text, 'app_pubsub_acked_total', billing)).toBe(8);
      expect(line(text, 'app_pubsub_queue_depth', billing)).toBe(0);
    });
    exp.unregister();
    expect(await registry.metrics()).not.toContain('app_pubsub_');
    await Promise.all([orders.close(), audit.close()]);
  });

  it('reads each broker once per scrape and leaves out one whose metrics fail', async () => {
    const registry = new Registry();
    const real = new InProcessBroker();
    await real.publish('a.b', 'x');
    let calls = 0;
    const counting = {
      metrics: async () => {
        calls++;
        return real.metrics();
      },
    } as unknown as Broker;
    const broken = {
      metrics: async () => {
        throw new Error('down');
      },
    } as unknown as Broker;
    registerBrokerMetrics(registry, { counting, broken });
    const text = await registry.metrics();
    expect(calls).toBe(1);
    expect(line(text, 'plumego_pubsub_published_total', 'broker="counting",backend="in-process"')).toBe(1);
    expect(text).not.toContain('broker="broken"');
    await registry.metrics();
    expect(calls).toBe(2);
    await real.close();
  });

  it("exports task queues under family 'mq' with the queue name as the pattern label", async () => {
    const registry = new Registry();
    const queue = {
      metrics: async () => ({
        backend: 'memory',
        published: 3,
        subscriptions: [
          {
            pattern: 'emails',
            group: undefined,
            delivered: 2,
            acked: 1,
            nacked: 1,
            redelivered: 0,
            deadLettered: 1,
            depth: 1,
          },
        ],
      }),
    };
    const exp = registerBrokerMetrics(registry, { jobs: queue }, { family: 'mq' });
    expect(exp.names[0]).toBe('plumego_mq_published_total');
    const text = await registry.metrics();
    expect(line(text, 'plumego_mq_published_total', 'broker="jobs",backend="memory"')).toBe(3);
    expect(
      line(text, 'plumego_mq_dead_lettered_total', 'broker="jobs",backend="memory",pattern="emails",group=""'),
    ).toBe(1);
    expect(line(text, 'plumego_mq_queue_depth', 'broker="jobs",backend="memory",pattern="emails",group=""')).toBe(1);
    // Both families fit in one registry.
    registerBrokerMetrics(registry, { jobs: queue }).unregister();
    expect(() => registerBrokerMetrics(registry, { jobs: queue }, { family: 'queue' as 'mq' })).toThrow(
      expect.objectContaining({ code: 'PUBSUB_INVALID_OPTIONS' }),
    );
  });

  it('refuses a bad prefix, non-brokers and a second registration in the same registry', () => {
    const registry = new Registry();
    const b = new InProcessBroker();
    for (const prefix of ['', '1abc', 'a-b', 'a b']) {
      expect(() => registerBrokerMetrics(registry, { b }, { prefix })).toThrow(
        expect.objectContaining({ code: 'PUBSUB_INVALID_OPTIONS' }),
      );
    }
    expect(() => registerBrokerMetrics(registry, { b: {} as Broker })).toThrow(
      expect.objectContaining({ code: 'PUBSUB_INVALID_OPTIONS' }),
    );
    expect(() => registerBrokerMetrics(registry, null as unknown as Record<string, Broker>)).toThrow(
      expect.objectContaining({ code: 'PUBSUB_INVALID_OPTIONS' }),
    );
    const first = registerBrokerMetrics(registry, { b });
    expect(() => registerBrokerMetrics(registry, { b })).toThrow(
      expect.objectContaining({ code: 'PUBSUB_INVALID_OPTIONS' }),
    );
    // Another prefix in the same registry is fine, and so is registering again after unregister.
    registerBrokerMetrics(registry, { b }, { prefix: 'other' }).unregister();
    first.unregister();
    registerBrokerMetrics(registry, { b }).unregister();
  });
});
