import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { createGate, plainMessage, type Gate, type RawDelivery } from './dispatch.ts';
import { assertOption } from './errors.ts';
import type { ResolvedSubscribeOptions } from './options.ts';
import {
  backoffDelay,
  NO_HEADERS,
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
    this.maxLenArg = String(maxLen);
  }
  private readonly maxLenArg: string;

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

  // Per publish otherwise: a template string to flatten, the number turned into a string by ioredis.
  private readonly streamKeys = new Map<string, string>();

  protected send(m: OutgoingMessage): Promise<unknown> {
    let key = this.streamKeys.get(m.subject);
    if (key === undefined) {
      if (this.streamKeys.size > 10_000) this.streamKeys.clear();
      key = this.key(m.subject);
      this.streamKeys.set(m.subject, key);
    }
    const d = m.data;
    const data = Buffer.isBuffer(d) ? d : Buffer.from(d.buffer, d.byteOffset, d.byteLength);
    if (m.headers === NO_HEADERS || isEmpty(m.headers))
      return this.redis.call('XADD', key, 'MAXLEN', '~', this.maxLenArg, '*', 'd', data);
    return this.redis.call('XADD', key, 'MAXLEN', '~', this.maxLenArg, '*', 'd', data, 'h', JSON.stringify(m.headers));
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

    const sub: RedisSubscription = {
      redis: this.redis,
      key,
      group,
      consumer,
      subject: pattern,
      gate,
      deliver,
      countOf: (id) => this.countOf(key, group, id),
    };
    // With one handler at a time the loop waits for the delivery itself: the gate is free again once
    // it settled (the gate's own release runs first), so no waiter promise per message.
    const sequential = o.concurrency === 1;
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
        const entries = reply?.[0]?.[1];
        if (entries === undefined) continue;
        for (let i = 0; i < entries.length; i++) {
          const d = new RedisDelivery(sub, entries[i]!, 1);
          let running: Promise<void> | void = undefined;
          const wait = gate.run(() => (running = deliver(d)));
          if (wait !== undefined) await wait;
          else if (sequential && running !== undefined) await running;
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
            if (entry) {
              const count = await this.countOf(key, group, entry[0].toString('latin1'));
              await gate.run(() => deliver(new RedisDelivery(sub, entry, count)));
            }
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

function isEmpty(headers: Record<string, string>): boolean {
  for (const _ in headers) return false;
  return true;
}

/** What every delivery of one subscription shares. */
interface RedisSubscription {
  readonly redis: Redis;
  readonly key: string;
  readonly group: string;
  readonly consumer: string;
  readonly subject: string;
  readonly gate: Gate;
  readonly deliver: (raw: RawDelivery) => Promise<void> | void;
  countOf(id: string): Promise<number>;
}

const D = 0x64; // 'd'
const H = 0x68; // 'h'
const EMPTY = new Uint8Array(0);

/**
 * One stream entry as the dispatcher sees it, both the message and its settle operations (one object
 * per delivery, methods on the prototype). The id, payload and headers are decoded on first read.
 * The payload is copied out of the reply: ioredis hands out views of the socket's read buffer, which
 * a kept message would otherwise hold on to whole.
 */
class RedisDelivery implements RawDelivery, Message {
  readonly #sub: RedisSubscription;
  readonly #entry: Entry;
  #id: string | undefined = undefined;
  #data: Uint8Array | undefined = undefined;
  #headers: Record<string, string> | undefined = undefined;
  readonly deliveryCount: number;
  constructor(sub: RedisSubscription, entry: Entry, deliveryCount: number) {
    this.#sub = sub;
    this.#entry = entry;
    this.deliveryCount = deliveryCount;
  }
  get message(): Message {
    return this;
  }
  get id(): string {
    return (this.#id ??= this.#entry[0].toString('latin1'));
  }
  get subject(): string {
    return this.#sub.subject;
  }
  get data(): Uint8Array {
    if (this.#data === undefined) {
      const d = this.#field(D);
      this.#data = d === undefined ? EMPTY : new Uint8Array(d);
    }
    return this.#data;
  }
  get headers(): Record<string, string> {
    if (this.#headers === undefined) {
      const h = this.#field(H);
      this.#headers = h === undefined ? {} : parseHeaders(h.toString());
    }
    return this.#headers;
  }
  /** The value of a one-letter field (the last one, as a foreign writer may repeat names). */
  #field(name: number): Buffer | undefined {
    const fields = this.#entry[1];
    let value: Buffer | undefined;
    for (let i = 0; i + 1 < fields.length; i += 2) {
      const f = fields[i]!;
      if (f.length === 1 && f[0] === name) value = fields[i + 1];
    }
    return value;
  }
  toJSON(): Message {
    return plainMessage(this);
  }
  ack(): Promise<void> {
    const s = this.#sub;
    return s.redis.call('XACK', s.key, s.group, this.id) as Promise<unknown> as Promise<void>;
  }
  async retry(): Promise<void> {
    const s = this.#sub;
    const id = this.id;
    const claimed = (await s.redis.callBuffer('XCLAIM', s.key, s.group, s.consumer, 0, id)) as Array<Entry | null>;
    const entry = claimed[0];
    // Not awaited: this runs inside the failed delivery's gate slot, which must be released first.
    if (entry) {
      const count = await s.countOf(id);
      void s.gate.run(() => s.deliver(new RedisDelivery(s, entry, count)));
    }
  }
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
