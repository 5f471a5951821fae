import { Redis } from 'ioredis';
import type { RoomBus } from './bus.ts';
import { WebSocketError, assertOption } from './errors.ts';

export interface RedisRoomBusOptions {
  /** Redis URL; a publisher and a subscriber connection are opened from it. Required unless `client`. */
  url?: string;
  /** An existing client used to publish; the subscriber is its `duplicate()`. Not closed by the bus. */
  client?: Redis;
  /** Pub/sub channel every instance of one deployment shares. Default 'plumego:ws:broadcast'. */
  channel?: string;
}

/**
 * A `RoomBus` over Redis PUBLISH/SUBSCRIBE: fire-and-forget fan-out to every subscribed instance,
 * nothing stored (an instance that is disconnected misses what is published meanwhile; ioredis
 * reconnects and re-subscribes by itself).
 */
export function createRedisRoomBus(options: RedisRoomBusOptions): RoomBus {
  assertOption(options.client !== undefined || (typeof options.url === 'string' && options.url !== ''), 'url');
  const channel = options.channel ?? 'plumego:ws:broadcast';
  assertOption(channel !== '', 'channel');
  const ownsPublisher = options.client === undefined;
  const pub = options.client ?? new Redis(options.url!, { lazyConnect: true, maxRetriesPerRequest: 2 });
  const sub = pub.duplicate({ lazyConnect: true });
  // Errors surface through rejected publishes; the event only keeps ioredis from logging them.
  pub.on('error', () => undefined);
  sub.on('error', () => undefined);
  const channelBytes = Buffer.from(channel);
  let closed = false;
  return {
    async publish(payload) {
      try {
        await pub.publish(channel, payload);
      } catch (cause) {
        throw new WebSocketError('WEBSOCKET_BUS_FAILED', { cause });
      }
    },
    async subscribe(onPayload) {
      sub.on('messageBuffer', (ch: Buffer, message: Buffer) => {
        // A message already on the wire when close() ran is not delivered.
        if (!closed && ch.equals(channelBytes)) onPayload(message);
      });
      try {
        if (sub.status === 'wait') await sub.connect();
        await sub.subscribe(channel);
      } catch (cause) {
        throw new WebSocketError('WEBSOCKET_BUS_FAILED', { cause });
      }
    },
    async close() {
      closed = true;
      sub.disconnect();
      if (ownsPublisher) pub.disconnect();
    },
  };
}
