import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { RoomBus } from './bus.ts';
import { WebSocketError, assertOption } from './errors.ts';

export interface NatsRoomBusOptions {
  /** NATS server URL(s). Required unless `connection`. */
  servers?: string | readonly string[];
  /** An existing connection; not closed by the bus. */
  connection?: NatsConnection;
  /** Core NATS subject every instance of one deployment shares. Default 'plumego.ws.broadcast'. */
  subject?: string;
}

const SUBJECT = /^[^\s*>]+$/;

/**
 * A `RoomBus` over core NATS publish/subscribe (not JetStream): at-most-once fan-out, nothing stored.
 * The client reconnects and re-subscribes by itself; messages published while an instance is
 * disconnected are lost for that instance.
 */
export function createNatsRoomBus(options: NatsRoomBusOptions): RoomBus {
  assertOption(options.connection !== undefined || options.servers !== undefined, 'servers');
  const subject = options.subject ?? 'plumego.ws.broadcast';
  assertOption(SUBJECT.test(subject), 'subject');
  let nc: Promise<NatsConnection> | undefined =
    options.connection === undefined ? undefined : Promise.resolve(options.connection);
  const owns = options.connection === undefined;
  let closed = false;
  let subscription: { unsubscribe(): void } | undefined;
  const open = (): Promise<NatsConnection> =>
    (nc ??= connect({
      servers: typeof options.servers === 'string' ? options.servers : [...(options.servers ?? [])],
    }).catch((cause: unknown) => {
      nc = undefined;
      throw new WebSocketError('WEBSOCKET_BUS_FAILED', { cause });
    }));
  return {
    async publish(payload) {
      const c = await open();
      try {
        c.publish(subject, payload);
      } catch (cause) {
        throw new WebSocketError('WEBSOCKET_BUS_FAILED', { cause });
      }
    },
    async subscribe(onPayload) {
      const c = await open();
      subscription = c.subscribe(subject, {
        callback: (err, msg) => {
          if (err === null && !closed)
            onPayload(Buffer.from(msg.data.buffer, msg.data.byteOffset, msg.data.byteLength));
        },
      });
      // The subscription is registered on the server once a round trip has completed.
      await c.flush();
    },
    async close() {
      closed = true;
      subscription?.unsubscribe();
      if (nc === undefined || !owns) return;
      const c = await nc.catch(() => undefined);
      await c?.close();
    },
  };
}
