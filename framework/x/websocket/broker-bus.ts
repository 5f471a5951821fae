import { assertSubject, type Broker, type Subscription } from 'plumego/x/messaging/pubsub';
import type { RoomBus } from './bus.ts';
import { WebSocketError, assertOption } from './errors.ts';

export interface BrokerRoomBusOptions {
  /** Subject every instance of one deployment shares. Default 'plumego.ws.broadcast'. */
  subject?: string;
  /** Close the broker with the bus. Default false (the app owns it). */
  closeBroker?: boolean;
}

/**
 * A `RoomBus` over an x/messaging/pubsub `Broker` (in-process, NATS JetStream, Redis Streams, AMQP,
 * MQTT), for apps that already run one. Delivery follows the broker's own guarantee; a subscriber
 * that is gone misses messages unless the backend replays them. Subscribes without a queue group,
 * so every instance receives every broadcast.
 */
export function createBrokerRoomBus(broker: Broker, options: BrokerRoomBusOptions = {}): RoomBus {
  assertOption(typeof broker?.publish === 'function' && typeof broker.subscribe === 'function', 'broker');
  const subject = options.subject ?? 'plumego.ws.broadcast';
  let valid = true;
  try {
    assertSubject(subject);
  } catch {
    valid = false;
  }
  assertOption(valid, 'subject');
  let sub: Subscription | undefined;
  let closed = false;
  return {
    async publish(payload) {
      try {
        await broker.publish(subject, payload);
      } catch (cause) {
        throw new WebSocketError('WEBSOCKET_BUS_FAILED', { cause });
      }
    },
    async subscribe(onPayload) {
      try {
        sub = await broker.subscribe(subject, (m) => {
          if (!closed) onPayload(Buffer.from(m.data.buffer, m.data.byteOffset, m.data.byteLength));
        });
      } catch (cause) {
        throw new WebSocketError('WEBSOCKET_BUS_FAILED', { cause });
      }
    },
    async close() {
      closed = true;
      await sub?.unsubscribe();
      if (options.closeBroker) await broker.close();
    },
  };
}
