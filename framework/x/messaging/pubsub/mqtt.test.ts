import { inject } from 'vitest';
import { MqttBroker } from './mqtt.ts';
import { describeBrokerConformance } from './__tests__/broker-conformance.ts';

const url = inject('services').mqtt;

describeBrokerConformance({
  name: 'MQTT',
  capabilities: {
    wildcards: true,
    queueGroups: true,
    brokerRedelivery: false,
    replay: false,
    overflowPolicies: ['drop-oldest'],
    delivery: 'at-most-once',
    durable: false,
  },
  unavailable: url === null ? 'Mosquitto is not reachable' : false,
  create: (namespace, via) =>
    MqttBroker.connect({
      url: via ?? url!,
      namespace,
      maxPayloadBytes: 1024,
      publishTimeoutMs: 1000,
      reconnect: { minDelayMs: 50, maxDelayMs: 400 },
    }),
  // Clean sessions and no retained messages: nothing stays on the server.
  serviceUrl: url ?? undefined,
  ackWaitMs: 300,
});
