import { describe, expect, inject, it, vi } from 'vitest';
import { ackFields, lastAck, NatsBroker } from './nats.ts';
import { describeBrokerConformance, uniqueName } from './__tests__/broker-conformance.ts';
import { addressOf, startTcpProxy } from './__tests__/tcp-proxy.ts';

const url = inject('services').nats;

describeBrokerConformance({
  name: 'NATS JetStream',
  capabilities: {
    wildcards: true,
    queueGroups: true,
    brokerRedelivery: true,
    replay: true,
    overflowPolicies: ['block'],
    delivery: 'at-least-once',
    durable: true,
  },
  unavailable: url === null ? 'NATS is not reachable' : false,
  create: (namespace, via) =>
    NatsBroker.connect({
      url: via ?? url!,
      namespace,
      maxPayloadBytes: 1024,
      publishTimeoutMs: 1000,
      reconnect: { minDelayMs: 50, maxDelayMs: 400 },
    }),
  cleanup: (namespace) => NatsBroker.destroyNamespace(url!, namespace),
  serviceUrl: url ?? undefined,
  ackWaitMs: 300,
});

describe.skipIf(url === null)('NatsBroker publish timeout', () => {
  it('fails a publish the server cannot acknowledge with PUBSUB_PUBLISH_FAILED after publishTimeoutMs', async () => {
    const namespace = uniqueName();
    const proxy = await startTcpProxy(addressOf(url!));
    const broker = await NatsBroker.connect({
      url: proxy.url(url!),
      namespace,
      publishTimeoutMs: 200,
      reconnect: { minDelayMs: 50, maxDelayMs: 100 },
    });
    try {
      await expect(broker.publish('t.q', 'ok')).resolves.toMatchObject({ id: '1' });
      proxy.cut();
      const started = performance.now();
      const error = await broker.publish('t.q', 'lost').catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'PUBSUB_PUBLISH_FAILED' });
      expect((error as Error).cause).toBeInstanceOf(Error);
      expect(performance.now() - started).toBeGreaterThanOrEqual(150);
      proxy.resume();
      await vi.waitFor(() => broker.publish('t.q', 'again'), { timeout: 8_000, interval: 50 });
    } finally {
      await broker.close();
      await proxy.close();
      await NatsBroker.destroyNamespace(url!, namespace);
    }
  });
});

describe('JetStream ack subject reading', () => {
  const read = (reply: string): { count: number; seq: string } | false =>
    ackFields(reply) && { count: lastAck.count, seq: reply.slice(lastAck.seqStart, lastAck.seqEnd) };

  it('reads the delivery count and stream sequence from both subject layouts', () => {
    expect(ackFields('$JS.ACK.orders.c1.3.1207.41.1733580000000000000.0')).toBe(true);
    expect(read('$JS.ACK.orders.c1.3.1207.41.1733580000000000000.0')).toEqual({ count: 3, seq: '1207' });
    expect(read('$JS.ACK._.ACCHASH.orders.grp-ab12.1.9.9.1733580000000000000.5.Xy7')).toEqual({ count: 1, seq: '9' });
    expect(read('$JS.ACK.hub.ACCHASH.orders.c.12.345678901234.7.1733580000000000000.0')).toEqual({
      count: 12,
      seq: '345678901234',
    });
  });

  it('leaves anything it does not recognise to nats.js', () => {
    for (const bad of [
      '',
      '_INBOX.abc.def',
      '$JS.ACK.orders.c1.3.1207.41.1733580000000000000',
      '$JS.ACK.orders.c1.x.1207.41.1733580000000000000.0',
      '$JS.ACK.orders.c1.0.1207.41.1733580000000000000.0',
      '$JS.ACK.orders.c1.3..41.1733580000000000000.0',
      '$JS.ACK.orders.c1.3.12a7.41.1733580000000000000.0',
      '$JS.ACK._.H.orders.c1.1234567890123456.9.9.1733580000000000000.5',
      '$JS.NAK.orders.c1.3.1207.41.1733580000000000000.0',
    ])
      expect(ackFields(bad), bad).toBe(false);
  });
});
