import { InProcessBroker, NatsBroker, type Broker } from 'plumego/x/messaging/pubsub';
import { BullMqTaskQueue, SqliteTaskQueue, type TaskQueue } from 'plumego/x/messaging/mq';
import type { ServiceConfig } from '../config.ts';

/**
 * The only place that knows which engine runs the events and jobs: the in-process defaults need no
 * server; `EVENTS_BROKER=nats` and `EVENTS_QUEUE=redis` move them to NATS JetStream and BullMQ.
 */
export async function openBroker(config: ServiceConfig): Promise<Broker> {
  return config.broker === 'nats'
    ? NatsBroker.connect({ url: config.natsUrl, namespace: config.namespace })
    : new InProcessBroker();
}

export function openQueue(config: ServiceConfig): TaskQueue {
  return config.queue === 'redis'
    ? new BullMqTaskQueue({ url: config.redisUrl, queue: `${config.namespace}-jobs`, prefix: 'plumego-events' })
    : new SqliteTaskQueue({ path: config.queuePath, queue: `${config.namespace}.jobs`, pollMs: 50 });
}
