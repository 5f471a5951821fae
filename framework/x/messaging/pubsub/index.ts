export { AmqpBroker } from './amqp.ts';
export type { AmqpBrokerOptions } from './amqp.ts';
export { DEAD_LETTER_HEADERS } from './dispatch.ts';
export { PUBSUB_ERROR_CODES, PubSubError, isPubSubError } from './errors.ts';
export type { PubSubErrorCode } from './errors.ts';
export { InProcessBroker } from './in-process.ts';
export type { InProcessBrokerOptions } from './in-process.ts';
export { createSubscriptionCounters } from './metrics.ts';
export type { BrokerMetrics, SubscriptionCounters, SubscriptionMetrics } from './metrics.ts';
export { MqttBroker } from './mqtt.ts';
export type { MqttBrokerOptions } from './mqtt.ts';
export { NatsBroker } from './nats.ts';
export type { NatsBrokerOptions } from './nats.ts';
export { DEFAULT_SUBSCRIBE_OPTIONS, resolveSubscribeOptions } from './options.ts';
export type { ResolvedSubscribeOptions } from './options.ts';
export { registerBrokerMetrics } from './prometheus.ts';
export type { BrokerMetricsExport, BrokerMetricsExportOptions, MetricsSource } from './prometheus.ts';
export { RedisStreamsBroker } from './redis-streams.ts';
export type { RedisStreamsBrokerOptions } from './redis-streams.ts';
export type { RemoteBrokerOptions } from './remote-base.ts';
export { assertPattern, assertSubject, compilePattern } from './subject.ts';
export type {
  Broker,
  BrokerCapabilities,
  BrokerOptions,
  Delivery,
  Headers,
  Message,
  MessageHandler,
  OverflowPolicy,
  PublishOptions,
  PublishReceipt,
  ReplayFrom,
  SubscribeOptions,
  Subscription,
} from './types.ts';
