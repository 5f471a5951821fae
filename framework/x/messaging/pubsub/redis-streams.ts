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
  /**
   * After a read that returned some entries but fewer than `readCount`, the next read waits this long,
   * so that under steady traffic one read (and one XACK) serves several messages instead of each
   * message costing its own wake-up of the reader. Adds at most this much latency, and only while
   * messages keep arriving; a read that found nothing, or a full one, is followed at once. 0 reads
   * again at once. Default 1 ms.
   */
  readonly readLingerMs?: number;
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
    private readonly readLingerMs: number,
  ) {
    super(options);
    this.maxLenArg = String(maxLen);
  }
  private readonly maxLenArg: string;

  static async connect(options: RedisStreamsBrokerOptions): Promise<RedisStreamsBroker> {
    const o = resolveRemoteOptions(options);
    const maxLen = options.maxLen ?? 100_000;
    const readCount = options.readCount ?? 64;
    const readLingerMs = options.readLingerMs ?? 1;
    assertOption(Number.isInteger(maxLen) && maxLen >= 1, 'maxLen', 'must be a positive integer');
    assertOption(Number.isInteger(readCount) && readCount >= 1, 'readCount', 'must be a positive integer');
    assertOption(
      Number.isInteger(readLingerMs) && readLingerMs >= 0 && readLingerMs <= 1000,
      'readLingerMs',
      'must be an integer from 0 to 1000',
    );
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
    return new RedisStreamsBroker(o, redis, maxLen, readCount, readLingerMs);
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

    const readCount = Math.min(this.readCount, o.bufferSize);
    // An ack waits at most a tenth of ackWaitMs (and 10 ms), far inside the time after which XAUTOCLAIM
    // would hand its entry out again; a full read's worth of acks goes at once.
    const acks = createAckBatcher(
      (ids) => this.redis.call('XACK', key, group, ...ids),
      readCount,
      Math.min(10, Math.floor(o.ackWaitMs / 10)),
    );
    const ackOnReader = (ids: Array<Buffer | string>): Promise<unknown> => reader.call('XACK', key, group, ...ids);
    const sub: RedisSubscription = {
      redis: this.redis,
      key,
      group,
      consumer,
      subject: pattern,
      gate,
      deliver,
      acks,
      countOf: (id) => this.countOf(key, group, id),
    };
    // With one handler at a time the loop waits for the delivery itself: the gate is free again once
    // it settled (the gate's own release runs first), so no waiter promise per message.
    const sequential = o.concurrency === 1;
    // A delivery whose handler finished and whose ack is queued frees its slot at once: the ack is in
    // the batch (sent once this turn ends, one XACK for all of them) and its outcome still reaches the
    // dispatcher, which reports a failure; an unconfirmed ack leaves the entry pending (XAUTOCLAIM
    // brings it back), as a lost single XACK did. Waiting for each XACK's reply before the next handler
    // made the consumer one round trip per message and left it tens of entries behind the publisher.
    const run = (d: RedisDelivery): Promise<void> | void => {
      const r = deliver(d);
      if (r === undefined || d.ackQueued) return undefined;
      return d.untilAckQueued(r);
    };
    const readLoop = async (): Promise<void> => {
      let failures = 0;
      while (!stopped) {
        let reply: Array<[Buffer, Entry[]]> | null;
        try {
          // The acks of the reply just handled go in the same socket write as the next read: no XACK
          // round trip of its own, and the publisher's connection carries only publishes.
          const stream = reader.status === 'ready' ? reader.stream : undefined;
          stream?.cork();
          let reading: Promise<unknown>;
          try {
            // Not while re-dialling: there they would wait in the reader's offline queue; the timer
            // sends them on the publishing connection instead, which fails at once if it is down too.
            if (stream !== undefined) acks.flushVia(ackOnReader);
            reading = reader.callBuffer(
              'XREADGROUP',
              'GROUP',
              group,
              consumer,
              'COUNT',
              readCount,
              'BLOCK',
              1000,
              'STREAMS',
              key,
              '>',
            );
          } finally {
            stream?.uncork();
          }
          reply = (await reading) as Array<[Buffer, Entry[]]> | null;
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
          const wait = gate.run(() => (running = run(d)));
          if (wait !== undefined) await wait;
          else if (sequential && running !== undefined) await running;
        }
        if (entries.length > 0 && entries.length < readCount && this.readLingerMs > 0 && !stopped)
          await new Promise((r) => setTimeout(r, this.readLingerMs));
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
              await gate.run(() => run(new RedisDelivery(sub, entry, count)));
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
        // Acks of handlers that already ran are answered before either connection closes (an XACK
        // written ahead of a blocked read is answered at once); bounded, as a dead server never answers.
        let timer: ReturnType<typeof setTimeout> | undefined;
        await Promise.race([
          acks.settled(),
          new Promise((r) => (timer = setTimeout(r, this.options.publishTimeoutMs))),
        ]);
        clearTimeout(timer);
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
  readonly acks: AckBatcher;
  countOf(id: string): Promise<number>;
}

export interface AckBatcher {
  /** Queues an entry id; the promise settles with the XACK that carries it. */
  add(id: Buffer | string): Promise<void>;
  /** Whether a full batch waits: the read loop then sends it with its next read (`flushVia`). */
  readonly full: boolean;
  /** Sends what is queued now through `via`, if anything is. */
  flushVia(via: (ids: Array<Buffer | string>) => Promise<unknown>): void;
  /** Sends what is queued now, then resolves once every XACK sent has its reply (failed ones included). */
  settled(): Promise<void>;
}

/**
 * Acks of one subscription go out together as one `XACK key group id…`, at the latest `maxDelayMs`
 * after the first of them (through `send`), or once `maxIds` are queued: with the read loop's next
 * XREADGROUP in the same socket write when the loop takes them, else on the next microtask. One
 * promise per batch, shared by its deliveries; a failed XACK rejects them all, and their entries stay
 * in the pending list until XAUTOCLAIM redelivers them (an ack is only ever late, never lost).
 */
export function createAckBatcher(
  send: (ids: Array<Buffer | string>) => Promise<unknown>,
  maxIds: number,
  maxDelayMs: number,
): AckBatcher {
  let ids: Array<Buffer | string> = [];
  let settle: ((sent: Promise<void>) => void) | undefined;
  let batch: Promise<void> | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let inFlight = 0;
  const idle: Array<() => void> = [];
  const done = (): void => {
    if (--inFlight === 0 && batch === undefined) for (const w of idle.splice(0)) w();
  };
  const flushVia = (via: (ids: Array<Buffer | string>) => Promise<unknown>): void => {
    if (batch === undefined) return;
    const sending = ids;
    const resolve = settle!;
    clearTimeout(timer);
    ids = [];
    batch = settle = timer = undefined;
    inFlight++;
    let sent: Promise<unknown>;
    try {
      sent = via(sending);
    } catch (error) {
      sent = Promise.reject(error);
    }
    const result = sent.then(noop);
    result.then(done, done);
    resolve(result);
  };
  const flush = (): void => flushVia(send);
  return {
    add(id) {
      if (batch === undefined) {
        batch = new Promise<void>((resolve) => (settle = resolve));
        timer = setTimeout(flush, maxDelayMs);
      }
      // Full: the read loop takes it before its next read; if the loop is not reading (handlers still
      // run), the microtask sends it.
      if (ids.push(id) === maxIds) queueMicrotask(flush);
      return batch;
    },
    get full() {
      return ids.length >= maxIds;
    },
    flushVia,
    settled() {
      flush();
      if (inFlight === 0) return Promise.resolve();
      return new Promise<void>((resolve) => idle.push(resolve));
    },
  };
}

const noop = (): void => {};

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
  #ackQueued = false;
  #onAckQueued: (() => void) | undefined = undefined;
  constructor(sub: RedisSubscription, entry: Entry, deliveryCount: number) {
    this.#sub = sub;
    this.#entry = entry;
    this.deliveryCount = deliveryCount;
  }
  get message(): Message {
    return this;
  }
  /** Whether ack() ran: the handler is done and the ack is in its subscription's batch. */
  get ackQueued(): boolean {
    return this.#ackQueued;
  }
  /** Settles when `settling` does or, earlier, when ack() queues the ack (an async handler finished). */
  untilAckQueued(settling: Promise<void>): Promise<void> {
    return new Promise<void>((resolve) => {
      this.#onAckQueued = resolve;
      settling.then(resolve, resolve);
    });
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
    this.#ackQueued = true;
    this.#onAckQueued?.();
    // The id as the reply carried it: no string made for it unless someone reads m.id.
    return this.#sub.acks.add(this.#id ?? this.#entry[0]);
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
