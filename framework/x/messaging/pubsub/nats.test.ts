import { inject } from 'vitest';
import { NatsBroker } from './nats.ts';
import { describeBrokerConformance } from './__tests__/broker-conformance.ts';

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
