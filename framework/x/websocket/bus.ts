/**
 * Moves hub broadcasts between processes. An adapter publishes opaque payloads on one channel and
 * hands every payload it receives (its own included) to the subscriber; the hub drops its own by
 * instance id. Delivery is at-most-once, like the WebSocket sends it feeds: a message published while
 * a peer is disconnected from the broker is lost for that peer's clients.
 *
 * (x/messaging/pubsub has no committed contract yet; this is the minimal interface the hub needs,
 * and an adapter over that broker can implement it later.)
 */
export interface RoomBus {
  publish(payload: Buffer): Promise<void>;
  /** Starts delivery; called once by the hub. Resolves when the subscription is active. */
  subscribe(onPayload: (payload: Buffer) => void): Promise<void>;
  close(): Promise<void>;
}

/** One broadcast as it travels between instances. */
export interface BusEnvelope {
  readonly origin: string;
  /** Target room, or '' for every connection. */
  readonly room: string;
  readonly binary: boolean;
  readonly data: Buffer;
}

const MAX_HEADER = 1024;

/** Frame: 2-byte header length, JSON header `{o, r, b}`, then the message bytes. */
export function encodeEnvelope(e: BusEnvelope): Buffer {
  const header = Buffer.from(JSON.stringify({ o: e.origin, r: e.room, b: e.binary }));
  const len = Buffer.allocUnsafe(2);
  len.writeUInt16BE(header.byteLength);
  return Buffer.concat([len, header, e.data]);
}

/** Parses a frame; undefined for anything malformed (a foreign publisher on the channel). */
export function decodeEnvelope(payload: Buffer): BusEnvelope | undefined {
  if (payload.byteLength < 2) return undefined;
  const n = payload.readUInt16BE(0);
  if (n > MAX_HEADER || payload.byteLength < 2 + n) return undefined;
  try {
    const h = JSON.parse(payload.subarray(2, 2 + n).toString('utf8')) as { o?: unknown; r?: unknown; b?: unknown };
    if (typeof h.o !== 'string' || typeof h.r !== 'string' || typeof h.b !== 'boolean') return undefined;
    return { origin: h.o, room: h.r, binary: h.b, data: payload.subarray(2 + n) };
  } catch {
    return undefined;
  }
}

/** An in-process bus: every bus created from one `createMemoryBusNetwork()` sees the others' payloads. */
export function createMemoryBusNetwork(): { createBus(): RoomBus } {
  const subscribers = new Set<(p: Buffer) => void>();
  return {
    createBus(): RoomBus {
      let mine: ((p: Buffer) => void) | undefined;
      return {
        publish: async (payload) => {
          for (const s of subscribers) queueMicrotask(() => s(payload));
        },
        subscribe: async (onPayload) => {
          mine = onPayload;
          subscribers.add(onPayload);
        },
        close: async () => {
          if (mine !== undefined) subscribers.delete(mine);
        },
      };
    },
  };
}
