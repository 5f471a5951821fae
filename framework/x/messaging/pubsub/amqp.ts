import { createHash, randomBytes } from 'node:crypto';
import {
  connect,
  type Channel,
  type ChannelModel,
  type ConfirmChannel,
  type ConsumeMessage,
  type RecoveringChannelModel,
} from 'amqplib';
import { createGate, DEAD_LETTER_HEADERS, plainMessage, type Gate, type RawDelivery } from './dispatch.ts';
import { DeadlineList, type DeadlineEntry } from './deadline-list.ts';
import { assertOption, PUBSUB_ERROR_CODES, PubSubError } from './errors.ts';
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
import { compilePattern } from './subject.ts';
import type { BrokerCapabilities, Headers, Message } from './types.ts';

export interface AmqpBrokerOptions extends RemoteBrokerOptions {
  /**
   * Keeps the namespace's history in a RabbitMQ stream (`x-queue-type: stream`, RabbitMQ 3.9+), so
   * subscribers can replay from the start or a time. Every publish is then also written to the
   * stream. Default: off (no replay).
   */
  readonly history?: {
    /** How long the stream keeps messages (`x-max-age`). Default 86 400 s. */
    readonly maxAgeSeconds?: number;
    /** Most bytes the stream keeps (`x-max-length-bytes`). Default 1 GiB. */
    readonly maxBytes?: number;
  };
}

const BASE_CAPABILITIES = {
  wildcards: true,
  queueGroups: true,
  brokerRedelivery: true,
  overflowPolicies: Object.freeze(['block'] as const),
  // Publisher confirms: a publish resolves once the broker has routed (and, for durable queues,
  // persisted) it. An unacked delivery goes back to the queue when its channel or connection closes.
  delivery: 'at-least-once',
  durable: true,
} as const;
// Classic queues forget a message once it is acked: replay needs the history stream.
const CAPABILITIES: BrokerCapabilities = Object.freeze({ ...BASE_CAPABILITIES, replay: false });
const CAPABILITIES_WITH_HISTORY: BrokerCapabilities = Object.freeze({ ...BASE_CAPABILITIES, replay: true });

const ATTEMPT = 'plumego-attempt';
// A retry goes through the default exchange, whose routing key is the queue name: the subject travels in a header.
const SUBJECT = 'plumego-subject';
// Streams keep segments on disk; small ones let retention drop old messages in small steps.
const SEGMENT_BYTES = 8 * 1024 * 1024;

interface ResolvedHistory {
  readonly maxAgeSeconds: number;
  readonly maxBytes: number;
}

/** One subscription, re-attached to every new connection until it is unsubscribed. */
interface Attachment {
  readonly pattern: string;
  readonly o: ResolvedSubscribeOptions;
  readonly deliver: (raw: RawDelivery) => Promise<void> | void;
  readonly gate: Gate;
  readonly matches: (subject: string) => boolean;
  /** The channel of the current connection, undefined while detached. */
  ch: Channel | undefined;
  /** The classic queue consumed on the current connection (undefined for a replay stream). */
  queue: string | undefined;
  consumerTag: string | undefined;
  stopped: boolean;
  /** Replay subscriptions: the last stream offset seen, so a re-attach resumes after it. */
  streamOffset: number | undefined;
  failures: number;
}

interface Waiter {
  resolve(pub: ConfirmChannel): void;
  reject(error: unknown): void;
  timer: ReturnType<typeof setTimeout>;
}

/**
 * RabbitMQ: a durable topic exchange `<namespace>`; a subscription is a queue bound with the
 * pattern (`>` becomes `#`) — a durable queue `<namespace>.<group>.<hash>` shared by a queue group,
 * or a server-named exclusive one. A retry republishes to the same queue with the attempt count in a
 * header, then acks; the final failure is rejected into the queue's dead-letter exchange (DLX), which
 * routes it to `deadLetterSubject` on the same exchange.
 *
 * A lost connection is re-dialled with exponential backoff (amqplib's recovery); each new connection
 * re-declares the exchange, the history stream and every subscription's queue, binding and consumer
 * before publishing resumes. Publishes whose confirm was outstanding at the cut are rejected
 * PUBSUB_PUBLISH_FAILED — they may or may not have been stored, and are not retried here, since a
 * blind retry could duplicate them; publishes made while re-dialling wait for the new connection up
 * to `publishTimeoutMs`. Deliveries unacked at the cut go back to their queue and come again. A
 * queue group's durable queue keeps what is published during the outage; a plain subscriber's
 * exclusive queue dies with its connection, so it misses that window.
 */
export class AmqpBroker extends RemoteBroker {
  readonly backend = 'amqp';
  readonly capabilities: BrokerCapabilities;
  // RabbitMQ only takes a delivery back when its channel closes (or after the server-wide
  // consumer_timeout), so ackWaitMs is enforced here.
  protected override readonly localAckWait = true;
  protected override readonly sendTimesOut: boolean = true;
  private conn: RecoveringChannelModel | undefined;
  /** The live connection and its confirm channel; undefined while re-dialling. */
  private model: ChannelModel | undefined;
  private pub: ConfirmChannel | undefined;
  private readonly attachments = new Set<Attachment>();
  private waiters: Waiter[] = [];

  private constructor(
    options: ResolvedRemoteOptions,
    private readonly history: ResolvedHistory | undefined,
  ) {
    super(options);
    this.capabilities = history === undefined ? CAPABILITIES : CAPABILITIES_WITH_HISTORY;
  }

  static async connect(options: AmqpBrokerOptions): Promise<AmqpBroker> {
    const o = resolveRemoteOptions(options);
    const broker = new AmqpBroker(o, resolveHistory(options.history));
    const conn = await connect(o.url, {
      // amqplib leaves Nagle on: a publish's frames then waited for the broker's delayed ACK (40 ms on
      // Linux) before the rest went out, so each confirmed publish and each delivery took ~44 ms on
      // loopback (23 msg/s one at a time); with it off, ~0.3 ms.
      noDelay: true,
      recovery: {
        initialDelay: o.reconnect.minDelayMs,
        maxDelay: o.reconnect.maxDelayMs,
        factor: 2,
        jitter: 0.2,
        // The first connect fails at once (a wrong URL is a wiring bug); later cuts are re-dialled forever.
        initialMaxRetries: 0,
        waitForConnect: false,
        setup: (model: ChannelModel) => broker.setup(model),
      },
    });
    conn.on('error', () => {
      /* a lost connection is re-dialled; publishes fail typed meanwhile */
    });
    broker.conn = conn;
    try {
      await conn.waitForConnect();
    } catch (error) {
      await conn.close().catch(() => {});
      throw error;
    }
    return broker;
  }

  /** Deletes the namespace's exchange, history stream and group queues (exclusive queues go with their connections). */
  static async destroyNamespace(url: string, namespace: string, groupQueues: readonly string[] = []): Promise<void> {
    const conn = await connect(url);
    try {
      const ch = await conn.createChannel();
      for (const q of [...groupQueues, AmqpBroker.historyQueueName(namespace)]) await ch.deleteQueue(q);
      await ch.deleteExchange(namespace);
    } finally {
      await conn.close().catch(() => {});
    }
  }

  /** The queue a queue group uses for a pattern (for cleanup and operations). */
  static groupQueueName(namespace: string, group: string, pattern: string): string {
    return `${namespace}.${group}.${createHash('sha256').update(pattern).digest('hex').slice(0, 10)}`;
  }

  /** The stream holding the namespace's history when `history` is on. */
  static historyQueueName(namespace: string): string {
    return `${namespace}.history`;
  }

  /** Runs on every (re)connection before it is used: declares the topology and re-attaches subscriptions. */
  private async setup(model: ChannelModel): Promise<void> {
    model.on('error', () => {});
    const pub = await model.createConfirmChannel();
    pub.on('error', () => {});
    const ns = this.options.namespace;
    await pub.assertExchange(ns, 'topic', { durable: true });
    if (this.history !== undefined) {
      const stream = AmqpBroker.historyQueueName(ns);
      await pub.assertQueue(stream, {
        durable: true,
        arguments: {
          'x-queue-type': 'stream',
          'x-max-age': `${this.history.maxAgeSeconds}s`,
          'x-max-length-bytes': this.history.maxBytes,
          'x-stream-max-segment-size-bytes': SEGMENT_BYTES,
        },
      });
      await pub.bindQueue(stream, ns, '#');
    }
    // A Set visits members added while it is being iterated, so a subscribe racing this loop is attached too.
    for (const a of this.attachments) if (!a.stopped) await this.attach(model, a);
    model.once('close', () => {
      if (this.model !== model) return;
      this.model = undefined;
      this.pub = undefined;
    });
    this.model = model;
    this.usePublisher(model, pub);
  }

  private usePublisher(model: ChannelModel, pub: ConfirmChannel): void {
    this.pub = pub;
    pub.once('close', () => {
      if (this.pub === pub) this.pub = undefined;
      // The channel alone was closed by the server (e.g. the exchange was deleted): open another on the same connection.
      if (this.model === model && !this.isClosed) void this.reopenPublisher(model, 1);
    });
    for (const w of this.waiters.splice(0)) {
      clearTimeout(w.timer);
      w.resolve(pub);
    }
  }

  private async reopenPublisher(model: ChannelModel, attempt: number): Promise<void> {
    await new Promise((r) => setTimeout(r, backoffDelay(this.options.reconnect, attempt)));
    if (this.model !== model || this.isClosed) return;
    try {
      const pub = await model.createConfirmChannel();
      pub.on('error', () => {});
      await pub.assertExchange(this.options.namespace, 'topic', { durable: true });
      if (this.model === model) this.usePublisher(model, pub);
      else await pub.close().catch(() => {});
    } catch {
      void this.reopenPublisher(model, attempt + 1);
    }
  }

  /** The confirm channel, waiting up to `timeoutMs` for a re-dial to finish. */
  private publisher(timeoutMs: number): Promise<ConfirmChannel> {
    if (this.pub !== undefined) return Promise.resolve(this.pub);
    return new Promise((resolve, reject) => {
      const w: Waiter = {
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters = this.waiters.filter((x) => x !== w);
          reject(new Error('not connected to RabbitMQ'));
        }, timeoutMs),
      };
      this.waiters.push(w);
    });
  }

  protected send(m: OutgoingMessage): Promise<string> {
    const pub = this.pub;
    if (pub !== undefined) return this.publishOn(pub, m, performance.now() + this.options.publishTimeoutMs);
    const deadline = performance.now() + this.options.publishTimeoutMs;
    return this.publisher(this.options.publishTimeoutMs).then((p) => this.publishOn(p, m, deadline));
  }

  // Message ids: a random prefix per broker and a counter (randomBytes per publish: ~4% of the busy samples of a
  // publish-ack loop profile); unique across processes by the prefix, 24 hex characters as before.
  private readonly idPrefix = randomBytes(8).toString('hex');
  private nextId = 0;
  // The confirm deadline is kept here (sendTimesOut), not by the base class: its bound on a publish cost a second
  // promise, a record, and three closures per message on top of this one's.
  private readonly confirms = new DeadlineList<PendingConfirm>(
    () =>
      new PubSubError(
        PUBSUB_ERROR_CODES.publishFailed,
        `amqp: no acknowledgement within ${this.options.publishTimeoutMs} ms; the message may or may not have been stored`,
        { backend: 'amqp' },
      ),
  );

  private publishOn(pub: ConfirmChannel, m: OutgoingMessage, deadline: number): Promise<string> {
    const id = this.idPrefix + (this.nextId++).toString(16).padStart(8, '0');
    const confirm = new PendingConfirm(id, deadline);
    const promise = new Promise<string>(capture);
    confirm.resolve = captured.resolve;
    confirm.reject = captured.reject;
    const data = m.data;
    // A confirm outstanding when the channel closes is called back with an error: the publish rejects, it never hangs.
    pub.publish(
      this.options.namespace,
      m.subject,
      Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength),
      { headers: m.headers, persistent: true, messageId: id, timestamp: Date.now() },
      confirm.done,
    );
    // amqplib calls back synchronously when the channel is already closed: nothing left to time.
    if (confirm.open) {
      confirm.list = this.confirms;
      this.confirms.add(confirm);
    }
    return promise;
  }

  protected async listen(
    pattern: string,
    o: ResolvedSubscribeOptions,
    deliver: (raw: RawDelivery) => Promise<void> | void,
  ): Promise<Listening> {
    if (o.from.kind !== 'new' && o.group !== undefined) {
      // A stream has no competing consumers: every reader gets everything.
      throw new PubSubError(PUBSUB_ERROR_CODES.unsupported, 'this broker does not support replay with a queue group', {
        feature: 'replay with a queue group',
      });
    }
    const a: Attachment = {
      pattern,
      o,
      deliver,
      gate: createGate(o.concurrency),
      matches: compilePattern(pattern),
      ch: undefined,
      queue: undefined,
      consumerTag: undefined,
      stopped: false,
      streamOffset: undefined,
      failures: 0,
    };
    // While re-dialling, the subscription is attached by the next connection's setup.
    const model = this.model;
    if (model !== undefined) await this.attach(model, a);
    this.attachments.add(a);
    // The connection was replaced while attaching and the new one's setup has already run: attach to it too.
    if (this.model !== undefined && this.model !== model && a.ch === undefined) void this.reattach(this.model, a);
    return {
      stop: async () => {
        a.stopped = true;
        this.attachments.delete(a);
        const ch = a.ch;
        a.ch = undefined;
        if (ch === undefined) return;
        if (a.consumerTag !== undefined) await ch.cancel(a.consumerTag).catch(() => {});
        // Closing the channel hands every unacked delivery back to the queue.
        await ch.close().catch(() => {});
      },
      // Ready messages in the queue (not those delivered and awaiting an ack); unknown while detached.
      depth: async () =>
        a.ch === undefined || a.queue === undefined ? undefined : (await a.ch.checkQueue(a.queue)).messageCount,
    };
  }

  private async attach(model: ChannelModel, a: Attachment): Promise<void> {
    const ns = this.options.namespace;
    const { o } = a;
    const ch = await model.createChannel();
    ch.on('error', () => {});
    try {
      await ch.prefetch(Math.max(o.bufferSize, o.concurrency));
      const replay = o.from.kind !== 'new';
      let queue: string;
      let args: Record<string, unknown> | undefined;
      if (replay) {
        queue = AmqpBroker.historyQueueName(ns);
        args = { 'x-stream-offset': streamOffset(a) };
      } else {
        const qargs: Record<string, string> = {};
        if (o.deadLetterSubject !== undefined) {
          qargs['x-dead-letter-exchange'] = ns;
          qargs['x-dead-letter-routing-key'] = o.deadLetterSubject;
        }
        ({ queue } =
          o.group === undefined
            ? await ch.assertQueue('', { exclusive: true, autoDelete: true, arguments: qargs })
            : await ch.assertQueue(AmqpBroker.groupQueueName(ns, o.group, a.pattern), {
                durable: true,
                arguments: qargs,
              }));
        await ch.bindQueue(queue, ns, a.pattern.replace(/>$/, '#'));
      }
      const since = o.from.kind === 'time' ? o.from.at.getTime() : undefined;
      const consuming: Consuming = { ch, queue, republish: this.republish };
      const { consumerTag } = await ch.consume(
        queue,
        (msg) => {
          // The server cancelled the consumer (its queue was deleted): closing the channel re-attaches it.
          if (msg === null) {
            void ch.close().catch(() => {});
            return;
          }
          if (replay) {
            const offset = Number(msg.properties.headers?.['x-stream-offset']);
            if (Number.isInteger(offset)) a.streamOffset = offset;
            // The stream starts a time replay at a chunk boundary (second resolution); earlier messages are skipped here.
            const ts = Number(msg.properties.timestamp);
            if (!a.matches(msg.fields.routingKey) || (since !== undefined && Number.isFinite(ts) && ts < since)) {
              ch.ack(msg);
              return;
            }
            void a.gate.run(() => a.deliver(this.toStreamRaw(ch, msg, a, 1)));
            return;
          }
          const retried =
            msg.properties.headers?.[SUBJECT] !== undefined || msg.properties.headers?.['x-death'] !== undefined;
          // `#` also matches zero words; `>` needs at least one, so the exact rule is applied here.
          if (!retried && !a.matches(msg.fields.routingKey)) {
            ch.ack(msg);
            return;
          }
          const d = new AmqpDelivery(consuming, msg);
          void a.gate.run(a.deliver, d);
        },
        { noAck: false, ...(args === undefined ? {} : { arguments: args }) },
      );
      if (a.stopped) {
        await ch.close().catch(() => {});
        return;
      }
      a.ch = ch;
      a.queue = replay ? undefined : queue;
      a.consumerTag = consumerTag;
      a.failures = 0;
      ch.once('close', () => {
        if (a.ch !== ch) return;
        a.ch = undefined;
        // The channel alone was closed while the connection lives: re-attach on it. A lost connection
        // is the next connection's setup's job.
        if (!a.stopped && this.model === model && !this.isClosed) void this.reattach(model, a);
      });
    } catch (error) {
      await ch.close().catch(() => {});
      throw error;
    }
  }

  private async reattach(model: ChannelModel, a: Attachment): Promise<void> {
    await new Promise((r) => setTimeout(r, backoffDelay(this.options.reconnect, ++a.failures)));
    if (a.stopped || this.model !== model || this.isClosed || a.ch !== undefined) return;
    try {
      await this.attach(model, a);
    } catch {
      void this.reattach(model, a);
    }
  }

  /** Puts a failed delivery back at the end of its queue with its next attempt number and its subject. */
  private readonly republish = async (
    queue: string,
    msg: ConsumeMessage,
    headers: Record<string, unknown>,
  ): Promise<void> => {
    const pub = await this.publisher(this.options.publishTimeoutMs);
    await new Promise<void>((resolve, reject) => {
      pub.sendToQueue(queue, msg.content, { ...msg.properties, headers }, (error: unknown) =>
        error ? reject(error) : resolve(),
      );
    });
  };

  /** A replayed message: the stream cannot requeue, so a retry runs the handler again in this process. */
  private toStreamRaw(ch: Channel, msg: ConsumeMessage, a: Attachment, deliveryCount: number): RawDelivery {
    const { headers, subject } = readHeaders(msg);
    let credited = false;
    // Acking a stream message only returns prefetch credit; it is done once per message.
    const credit = (): void => {
      if (!credited) {
        credited = true;
        ch.ack(msg);
      }
    };
    return {
      message: {
        id: String(msg.properties.headers?.['x-stream-offset'] ?? msg.properties.messageId),
        subject,
        data: new Uint8Array(msg.content),
        headers,
        deliveryCount,
      },
      ack: credit,
      retry: () => {
        void a.gate.run(() => a.deliver(this.toStreamRaw(ch, msg, a, deliveryCount + 1)));
      },
    };
  }

  protected async disconnect(): Promise<void> {
    for (const w of this.waiters.splice(0)) {
      clearTimeout(w.timer);
      w.reject(new PubSubError(PUBSUB_ERROR_CODES.closed, 'the broker is closed'));
    }
    this.model = undefined;
    this.pub = undefined;
    await this.conn?.close().catch(() => {});
    this.confirms.failAll(() => new PubSubError(PUBSUB_ERROR_CODES.closed, 'the broker is closed'));
  }
}

// The promise executor, shared: it runs synchronously inside `new Promise`, so its result is read right after.
const captured: { resolve: (id: string) => void; reject: (error: unknown) => void } = { resolve: noop, reject: noop };
function capture(resolve: (id: string) => void, reject: (error: unknown) => void): void {
  captured.resolve = resolve;
  captured.reject = reject;
}
function noop(): void {}

/**
 * One publish waiting for its confirm: settled once, by amqplib's callback (`done`, the only closure per publish)
 * or by its deadline, whichever comes first; a late confirm after the deadline is ignored. Its own class rather than
 * a subclass of one waiter shared with remote-base.ts's PendingPublish: that was tried on 2026-12-07 at 22:08, and
 * five quiet runs of bench/messaging gave RabbitMQ 0.90-0.97x against 0.91-1.03x in ten runs before. Not shown to be
 * slower (its shared settle code sees both shapes in a process using two backends, as the bench's does), but not
 * landed on a margin that thin (bench/messaging/README.md).
 */
class PendingConfirm implements DeadlineEntry<PendingConfirm> {
  prev: PendingConfirm | undefined = undefined;
  next: PendingConfirm | undefined = undefined;
  list: DeadlineList<PendingConfirm> | undefined = undefined;
  resolve: (id: string) => void = noop;
  reject: (error: unknown) => void = noop;
  readonly done: (error: unknown) => void;
  constructor(
    readonly id: string,
    readonly deadline: number,
  ) {
    this.done = (error) => {
      if (!this.settle()) return;
      if (error) this.reject(error);
      else this.resolve(this.id);
    };
  }
  open = true;
  /** Unlinks it from its deadline list; false when it was already settled. */
  settle(): boolean {
    if (!this.open) return false;
    this.open = false;
    this.list?.remove(this);
    return true;
  }
}

function resolveHistory(h: AmqpBrokerOptions['history']): ResolvedHistory | undefined {
  if (h === undefined) return undefined;
  const maxAgeSeconds = h.maxAgeSeconds ?? 86_400;
  const maxBytes = h.maxBytes ?? 1024 ** 3;
  assertOption(
    Number.isInteger(maxAgeSeconds) && maxAgeSeconds >= 1,
    'history.maxAgeSeconds',
    'must be a positive integer',
  );
  assertOption(
    Number.isInteger(maxBytes) && maxBytes >= SEGMENT_BYTES,
    'history.maxBytes',
    `must be an integer >= ${SEGMENT_BYTES}`,
  );
  return { maxAgeSeconds, maxBytes };
}

function streamOffset(a: Attachment): unknown {
  if (a.streamOffset !== undefined) return a.streamOffset + 1;
  if (a.o.from.kind === 'time') return { '!': 'timestamp', value: Math.floor(a.o.from.at.getTime() / 1000) };
  return 'first';
}

/** What every delivery of one consumer channel shares. */
interface Consuming {
  readonly ch: Channel;
  readonly queue: string;
  readonly republish: (queue: string, msg: ConsumeMessage, headers: Record<string, unknown>) => Promise<void>;
}

/**
 * One delivery from a classic queue as the dispatcher sees it: the message and its settle operations in one
 * object (methods on the prototype; per delivery it replaced a message, a settle object, three closures and
 * the parsed-headers result). A message without headers (amqplib decodes an empty table) shares one frozen
 * empty object. The payload is copied on first read, as before: amqplib's content is a view of a frame buffer.
 */
class AmqpDelivery implements RawDelivery, Message {
  readonly subject: string;
  readonly headers: Headers;
  readonly deliveryCount: number;
  readonly #c: Consuming;
  readonly #msg: ConsumeMessage;
  #data: Uint8Array | undefined = undefined;

  constructor(c: Consuming, msg: ConsumeMessage) {
    this.#c = c;
    this.#msg = msg;
    const raw = msg.properties.headers;
    const redelivered = msg.fields.redelivered ? 1 : 0;
    if (raw === undefined || isEmpty(raw)) {
      this.headers = NO_HEADERS;
      this.subject = msg.fields.routingKey;
      this.deliveryCount = 1 + redelivered;
    } else {
      const { headers, attempt, subject } = readHeaders(msg);
      this.headers = headers;
      this.subject = subject;
      this.deliveryCount = attempt + redelivered;
    }
  }

  get message(): Message {
    return this;
  }
  get id(): string {
    return String(this.#msg.properties.messageId ?? this.#msg.fields.deliveryTag);
  }
  get data(): Uint8Array {
    return (this.#data ??= new Uint8Array(this.#msg.content));
  }
  toJSON(): Message {
    return plainMessage(this);
  }

  ack(): void {
    this.#c.ch.ack(this.#msg);
  }

  async retry(): Promise<void> {
    const c = this.#c;
    const msg = this.#msg;
    // Republish-then-ack: a crash between the two duplicates the message, never loses it.
    await c.republish(c.queue, msg, {
      ...msg.properties.headers,
      [ATTEMPT]: this.deliveryCount + 1,
      [SUBJECT]: this.subject,
    });
    c.ch.ack(msg);
  }

  deadLetter(): void {
    this.#c.ch.nack(this.#msg, false, false);
  }
}

function isEmpty(o: object): boolean {
  for (const _ in o) return false;
  return true;
}

function readHeaders(msg: ConsumeMessage): { headers: Record<string, string>; attempt: number; subject: string } {
  const raw = msg.properties.headers ?? {};
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw))
    if (typeof v === 'string' && !k.startsWith('x-') && !k.startsWith('plumego-')) headers[k] = v;
  const attempt = Number(raw[ATTEMPT] ?? 1) || 1;
  const original = typeof raw[SUBJECT] === 'string' ? raw[SUBJECT] : undefined;
  const death = Array.isArray(raw['x-death'])
    ? (raw['x-death'][0] as { 'routing-keys'?: unknown[]; reason?: unknown } | undefined)
    : undefined;
  if (death !== undefined) {
    // Dead-lettered through the DLX: the same headers the other backends set, from RabbitMQ's x-death.
    headers[DEAD_LETTER_HEADERS.subject] = original ?? String(death['routing-keys']?.[0] ?? '');
    headers[DEAD_LETTER_HEADERS.deliveries] = String(attempt);
    headers[DEAD_LETTER_HEADERS.reason] = String(death.reason ?? 'rejected');
    return { headers, attempt: 1, subject: msg.fields.routingKey };
  }
  return { headers, attempt, subject: original ?? msg.fields.routingKey };
}
