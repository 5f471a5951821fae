import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { createGate, type RawDelivery } from './dispatch.ts';
import { assertOption } from './errors.ts';
import type { ResolvedSubscribeOptions } from './options.ts';
import {
  backoffDelay,
  RemoteBroker,
  resolveRemoteOptions,
  type Listening,
  type OutgoingMessage,
  type RemoteBrokerOptions,
  type ResolvedRemoteOptions,
} from './remote-base.ts';
import type { BrokerCapabilities, Message } from './types.ts';

export interface RedisStreamsBrokerOptions extends RemoteBrokerOptions {
  /** Approximate entries kept per subject stream (`XADD MAXLEN ~`), the replay window. Default 100 000. */
  readonly maxLen?: number;
  /** Entries read per `XREADGROUP`. Default 64. */
  readonly readCount?: number;
}

const CAPABILITIES: BrokerCapabilities = Object.freeze({
  // One stream per subject: Redis has no subject routing, and scanning every stream for a pattern
  // would make each publish cost O(subscriptions). Wildcards are refused, not emulated.
  wildcards: false,
  queueGroups: true,
  brokerRedelivery: true,
  replay: true,
  overflowPolicies: Object.freeze(['block'] as const),
  // XADD's reply means the entry is in the stream; a delivery stays in the group's pending list until
  // XACK and is taken over by XAUTOCLAIM after ackWaitMs (a crashed consumer's messages come back).
  // Durable only as far as the server persists (AOF/RDB); the test server keeps nothing on disk.
  delivery: 'at-least-once',
  durable: true,
});

type Entry = [Buffer, Buffer[]];

/**
 * Redis Streams: stream `<namespace>:s:<subject>`, a consumer group per subscription (the queue
 * group's name, or a private one destroyed on unsubscribe), a blocking reader connection per
 * subscription, nack as an immediate `XCLAIM` back to itself, and `XAUTOCLAIM` for stuck messages.
 * ioredis re-dials a lost connection with backoff; the group and its pending list live on the server,
 * so a subscriber misses nothing published meanwhile. Publishes fail at once while disconnected.
 */
export class RedisStreamsBroker extends RemoteBroker<unknown> {
  readonly backend = 'redis-streams';
  readonly capabilities = CAPABILITIES;
  private constructor(
    options: ResolvedRemoteOptions,
    private readonly redis: Redis,
    private readonly maxLen: number,
    private readonly readCount: number,
  ) {
    super(options);
  }

  static async connect(options: RedisStreamsBrokerOptions): Promise<RedisStreamsBroker> {
    const o = resolveRemoteOptions(options);
    const maxLen = options.maxLen ?? 100_000;
    const readCount = options.readCount ?? 64;
    assertOption(Number.isInteger(maxLen) && maxLen >= 1, 'maxLen', 'must be a positive integer');
    assertOption(Number.isInteger(readCount) && readCount >= 1, 'readCount', 'must be a positive integer');
    // No offline queue: a publish while disconnected fails at once instead of waiting, unacknowledged, in memory.
    const redis = new Redis(o.url, {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      retryStrategy: (times) => backoffDelay(o.reconnect, times),
    });
    redis.on('error', () => {
      /* reconnects on its own; publishes fail typed meanwhile */
    });
    await redis.connect();
    return new RedisStreamsBroker(o, redis, maxLen, readCount);
  }

  /** Deletes every key of the namespace. */
  static async destroyNamespace(url: string, namespace: string): Promise<void> {
    const redis = new Redis(url);
    try {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${namespace}:*`, 'COUNT', 500);
        if (keys.length > 0) await redis.del(...keys);
        cursor = next;
      } while (cursor !== '0');
    } finally {
      redis.disconnect();
    }
  }

  private key(subject: string): string {
    return `${this.options.namespace}:s:${subject}`;
  }

  protected send(m: OutgoingMessage): Promise<unknown> {
    const fields: Array<string | Buffer> = ['d', Buffer.from(m.data.buffer, m.data.byteOffset, m.data.byteLength)];
    if (Object.keys(m.headers).length > 0) fields.push('h', JSON.stringify(m.headers));
    return this.redis.call('XADD', this.key(m.subject), 'MAXLEN', '~', this.maxLen, '*', ...fields);
  }

  protected async listen(
    pattern: string,
    o: ResolvedSubscribeOptions,
    deliver: (raw: RawDelivery) => Promise<void> | void,
  ): Promise<Listening> {
    const key = this.key(pattern);
    const group = o.group ?? `s-${randomBytes(6).toString('hex')}`;
    const consumer = `c-${randomBytes(6).toString('hex')}`;
    try {
      await this.redis.call('XGROUP', 'CREATE', key, group, startId(o), 'MKSTREAM');
    } catch (error) {
      if (!String(error).includes('BUSYGROUP')) throw error;
    }
    const reader = this.redis.duplicate({ enableOfflineQueue: true, maxRetriesPerRequest: null });
    reader.on('error', () => {});
    const gate = createGate(o.concurrency);
    let stopped = false;

    const toRaw = ([id, fields]: Entry, deliveryCount: number): RawDelivery => {
      const message = decodeEntry(pattern, id.toString(), fields, deliveryCount);
      return {
        message,
        ack: async () => {
          await this.redis.call('XACK', key, group, message.id);
        },
        retry: async () => {
          const claimed = (await this.redis.callBuffer(
            'XCLAIM',
            key,
            group,
            consumer,
            0,
            message.id,
          )) as Array<Entry | null>;
          const entry = claimed[0];
          // Not awaited: this runs inside the failed delivery's gate slot, which must be released first.
          if (entry) {
            const count = await this.countOf(key, group, message.id);
            void gate.run(() => deliver(toRaw(entry, count)));
          }
        },
      };
    };

    const readLoop = async (): Promise<void> => {
      let failures = 0;
      while (!stopped) {
        let reply: Array<[Buffer, Entry[]]> | null;
        try {
          reply = (await reader.callBuffer(
            'XREADGROUP',
            'GROUP',
            group,
            consumer,
            'COUNT',
            Math.min(this.readCount, o.bufferSize),
            'BLOCK',
            1000,
            'STREAMS',
            key,
            '>',
          )) as Array<[Buffer, Entry[]]> | null;
          failures = 0;
        } catch (error) {
          // A lost connection (ioredis re-dials it) or a server that lost its data: the loop keeps reading,
          // so the subscription outlives the outage; what was read but not acked comes back via XAUTOCLAIM.
          if (stopped) return;
          await new Promise((r) => setTimeout(r, backoffDelay(this.options.reconnect, ++failures)));
          if (String(error).includes('NOGROUP'))
            await this.redis.call('XGROUP', 'CREATE', key, group, '$', 'MKSTREAM').catch(() => {});
          continue;
        }
        for (const entry of reply?.[0]?.[1] ?? []) {
          const wait = gate.run(() => deliver(toRaw(entry, 1)));
          if (wait !== undefined) await wait;
        }
      }
    };
    void readLoop();

    // Entries a crashed (or too slow) consumer left pending come back after ackWaitMs.
    const sweep = setInterval(
      () => {
        void (async () => {
          const [, entries] = (await this.redis.callBuffer(
            'XAUTOCLAIM',
            key,
            group,
            consumer,
            o.ackWaitMs,
            '0-0',
            'COUNT',
            64,
          )) as [Buffer, Array<Entry | null>];
          for (const entry of entries) {
            if (entry)
              await gate.run(async () => deliver(toRaw(entry, await this.countOf(key, group, entry[0].toString()))));
          }
        })().catch(() => {});
      },
      Math.max(20, Math.floor(o.ackWaitMs / 2)),
    );
    sweep.unref();

    return {
      stop: async () => {
        stopped = true;
        clearInterval(sweep);
        reader.disconnect();
        if (o.group === undefined && !this.isClosed)
          await this.redis.call('XGROUP', 'DESTROY', key, group).catch(() => {});
      },
      // The group's lag: entries in the stream not yet handed to any of its consumers (Redis 7).
      depth: async () => {
        const groups = (await this.redis.call('XINFO', 'GROUPS', key)) as unknown[][];
        for (const g of groups) {
          const info = new Map<unknown, unknown>();
          for (let i = 0; i + 1 < g.length; i += 2) info.set(String(g[i]), g[i + 1]);
          if (info.get('name') === group) return info.get('lag') === null ? undefined : Number(info.get('lag'));
        }
        return undefined;
      },
    };
  }

  private async countOf(key: string, group: string, id: string): Promise<number> {
    const rows = (await this.redis.call('XPENDING', key, group, id, id, 1)) as Array<[string, string, number, number]>;
    return Number(rows[0]?.[3] ?? 1);
  }

  protected async disconnect(): Promise<void> {
    this.redis.disconnect();
  }
}

function startId(o: ResolvedSubscribeOptions): string {
  if (o.from.kind === 'all') return '0';
  // The group's "last delivered" id: everything published at or after the time comes next.
  if (o.from.kind === 'time') return `${Math.max(0, o.from.at.getTime() - 1)}-18446744073709551615`;
  return '$';
}

function decodeEntry(subject: string, id: string, fields: Buffer[], deliveryCount: number): Message {
  let data: Uint8Array = new Uint8Array(0);
  let headers: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const name = fields[i]!.toString();
    if (name === 'd') data = new Uint8Array(fields[i + 1]!);
    else if (name === 'h') headers = parseHeaders(fields[i + 1]!.toString());
  }
  return { id, subject, data, headers, deliveryCount };
}

function parseHeaders(json: string): Record<string, string> {
  try {
    const value: unknown = JSON.parse(json);
    if (typeof value !== 'object' || value === null) return {};
    return Object.fromEntries(Object.entries(value).filter(([, v]) => typeof v === 'string')) as Record<string, string>;
  } catch {
    // A foreign writer's malformed entry is delivered without headers rather than crashing the loop.
    return {};
  }
}
