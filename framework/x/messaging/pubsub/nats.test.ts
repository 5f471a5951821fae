import { describe, expect, inject, it, vi } from 'vitest';
import { NatsBroker } from './nats.ts';
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
