import { inject } from 'vitest';
import { AmqpBroker } from './amqp.ts';
import { describeBrokerConformance } from './__tests__/broker-conformance.ts';

const url = inject('services').amqp;

describeBrokerConformance({
  name: 'RabbitMQ',
  capabilities: { wildcards: true, queueGroups: true, brokerRedelivery: true, replay: false, overflowPolicies: ['block'], delivery: 'at-least-once', durable: true },
  unavailable: url === null ? 'RabbitMQ is not reachable' : false,
  create: (namespace, via) => AmqpBroker.connect({ url: via ?? url!, namespace, maxPayloadBytes: 1024, publishTimeoutMs: 1000 }),
  // The suite's queue groups: workers on work.items, crashers on crash.q.
  cleanup: (namespace) => AmqpBroker.destroyNamespace(url!, namespace, [
    AmqpBroker.groupQueueName(namespace, 'workers', 'work.items'),
    AmqpBroker.groupQueueName(namespace, 'crashers', 'crash.q'),
  ]),
  serviceUrl: url ?? undefined,
  ackWaitMs: 300,
});
