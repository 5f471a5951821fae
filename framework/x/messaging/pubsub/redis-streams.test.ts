import { inject } from 'vitest';
import { RedisStreamsBroker } from './redis-streams.ts';
import { describeBrokerConformance } from './__tests__/broker-conformance.ts';

const url = inject('services').redis;

describeBrokerConformance({
  name: 'Redis Streams',
  capabilities: {
    wildcards: false,
    queueGroups: true,
    brokerRedelivery: true,
    replay: true,
    overflowPolicies: ['block'],
    delivery: 'at-least-once',
    durable: true,
  },
  unavailable: url === null ? 'Redis is not reachable' : false,
  create: (namespace, via) =>
    RedisStreamsBroker.connect({
      url: via ?? url!,
      namespace,
      maxPayloadBytes: 1024,
      publishTimeoutMs: 1000,
      reconnect: { minDelayMs: 50, maxDelayMs: 400 },
    }),
  cleanup: (namespace) => RedisStreamsBroker.destroyNamespace(url!, namespace),
  serviceUrl: url ?? undefined,
  ackWaitMs: 300,
});
