import { createHash } from 'node:crypto';
import { connect, headers as createHeaders, nanos, type MsgHdrs, type NatsConnection } from '@nats-io/transport-node';
import {
  AckPolicy,
  DeliverPolicy,
  jetstream,
  jetstreamManager,
  type ConsumerConfig,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
  type PubAck,
} from '@nats-io/jetstream';
import { createGate, plainMessage, type RawDelivery } from './dispatch.ts';
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

export interface NatsBrokerOptions extends RemoteBrokerOptions {
  /** How long the namespace's stream keeps messages (replay window). Default 24 h. */
  readonly maxAgeMs?: number;
}

const CAPABILITIES: BrokerCapabilities = Object.freeze({
  wildcards: true,
  queueGroups: true,
  brokerRedelivery: true,
  replay: true,
  overflowPolicies: Object.freeze(['block'] as const),
  // A publish resolves on the stream's PubAck; a delivery stays pending until acked and comes back
  // after ack_wait, so a consumer crash redelivers.
  delivery: 'at-least-once',
  durable: true,
});

/**
 * NATS JetStream: one stream `<namespace>` holding `<namespace>.>`; each subscription is a pull
 * consumer (durable `<group>-<pattern hash>` for a queue group, so members compete and a restart
 * resumes; a private one otherwise, deleted on unsubscribe). A lost connection is re-dialled with
 * backoff; the consumers live on the server, so nothing published meanwhile is missed (a private
 * consumer is kept 60 s without a client).
 */
export class NatsBroker extends RemoteBroker<PubAck> {
  readonly backend = 'nats';
  readonly capabilities = CAPABILITIES;
  // js.publish runs nats.js's request timer with publishTimeoutMs; a second timer of ours was redundant.
  protected override readonly sendTimesOut: boolean = true;
  private readonly publishOptions: { readonly timeout: number };
  private constructor(
    options: ResolvedRemoteOptions,
    private readonly nc: NatsConnection,
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
  ) {
    super(options);
    // nats.js copies the options it is given, so one object serves every publish without headers.
    this.publishOptions = { timeout: options.publishTimeoutMs };
  }

  static async connect(options: NatsBrokerOptions): Promise<NatsBroker> {
    const o = resolveRemoteOptions(options);
    const u = new URL(o.url);
    let attempt = 0;
    // nats.js re-dials forever here, buffering publishes meanwhile (each still bounded by publishTimeoutMs);
    // pull consumers re-issue their pulls on reconnect, so subscriptions resume by themselves.
    const nc = await connect({
      servers: `${u.hostname}:${u.port || 4222}`,
      name: `plumego-${o.namespace}`,
      maxReconnectAttempts: -1,
      // An async trace is an Error (a captured stack) made per request and per request timer, two per
      // publish; a failed publish surfaces as PubSubError with its own stack and the client error as cause.
      noAsyncTraces: true,
      reconnectDelayHandler: () => backoffDelay(o.reconnect, ++attempt),
    });
    void (async () => {
      for await (const s of nc.status()) if (s.type === 'reconnect') attempt = 0;
    })().catch(() => {});
    const jsm = await jetstreamManager(nc);
    const config = {
      name: o.namespace,
      subjects: [`${o.namespace}.>`],
      max_age: nanos(options.maxAgeMs ?? 86_400_000),
    };
    try {
      await jsm.streams.info(o.namespace);
    } catch {
      await jsm.streams.add(config);
    }
    return new NatsBroker(o, nc, jetstream(nc), jsm);
  }

  /** Deletes the namespace's stream with its messages and consumers. */
  static async destroyNamespace(url: string, namespace: string): Promise<void> {
    const u = new URL(url);
    const nc = await connect({ servers: `${u.hostname}:${u.port || 4222}` });
    try {
      await (await jetstreamManager(nc)).streams.delete(namespace);
    } catch {
      /* already gone */
    } finally {
      await nc.close();
    }
  }

  protected send(m: OutgoingMessage): Promise<PubAck> {
    let h: MsgHdrs | undefined;
    // The shared empty headers of a plain publish need no for-in (an enumeration per publish).
    if (m.headers !== NO_HEADERS) for (const k in m.headers) (h ??= createHeaders()).set(k, m.headers[k]!);
    // No headers block at all when there are none: a smaller frame for the common case.
    return this.js.publish(
      `${this.options.namespace}.${m.subject}`,
      m.data,
      h === undefined ? this.publishOptions : { headers: h, timeout: this.options.publishTimeoutMs },
    );
  }

  protected override receiptId(ack: PubAck): string {
    return String(ack.seq);
  }

  protected async listen(
    pattern: string,
    o: ResolvedSubscribeOptions,
    deliver: (raw: RawDelivery) => Promise<void> | void,
  ): Promise<Listening> {
    const ns = this.options.namespace;
    const hash = createHash('sha256').update(pattern).digest('hex').slice(0, 10);
    const name = o.group === undefined ? `s-${hash}-${Math.random().toString(36).slice(2, 10)}` : `${o.group}-${hash}`;
    const config: Partial<ConsumerConfig> = {
      durable_name: name,
      ack_policy: AckPolicy.Explicit,
      filter_subject: `${ns}.${pattern}`,
      ack_wait: nanos(o.ackWaitMs),
      // Dead-lettering is decided by the shared dispatcher; the server never gives up on its own.
      max_deliver: -1,
      ...deliverPolicy(o),
    };
    // A private consumer outlives a crashed process only briefly.
    if (o.group === undefined) config.inactive_threshold = nanos(60_000);
    try {
      await this.jsm.consumers.info(ns, name);
    } catch {
      await this.jsm.consumers.add(ns, config);
    }
    const consumer = await this.js.consumers.get(ns, name);
    const messages = await consumer.consume({ max_messages: Math.max(o.bufferSize, o.concurrency) });
    const gate = createGate(o.concurrency);
    const prefix = ns.length + 1;
    void (async () => {
      for await (const m of messages) {
        const wait = gate.run(deliver, new NatsDelivery(m, prefix));
        if (wait !== undefined) await wait;
      }
    })().catch(() => {
      /* the iterator ends with the connection; unacked messages stay on the server */
    });
    return {
      stop: async () => {
        await messages.close().catch(() => {});
        if (o.group === undefined && !this.isClosed) await this.jsm.consumers.delete(ns, name).catch(() => {});
      },
      depth: async () => (await this.jsm.consumers.info(ns, name)).num_pending,
    };
  }

  protected async disconnect(): Promise<void> {
    await this.nc.close();
  }
}

function deliverPolicy(o: ResolvedSubscribeOptions): Partial<ConsumerConfig> {
  if (o.from.kind === 'all') return { deliver_policy: DeliverPolicy.All };
  if (o.from.kind === 'time')
    return { deliver_policy: DeliverPolicy.StartTime, opt_start_time: o.from.at.toISOString() };
  return { deliver_policy: DeliverPolicy.New };
}

/**
 * One JetStream message as the dispatcher sees it, both the message and its settle operations (one
 * object per delivery). Fields are read from the client's message on first use: the headers block
 * (nats.js decodes it on access) is only parsed when something asks, and the delivery count and
 * stream sequence come from the ack subject without nats.js's `info` (a split and a ten-field object
 * per message, ~2 µs; the dispatcher reads the count of every delivery).
 */
class NatsDelivery implements RawDelivery, Message {
  readonly #m: JsMsg;
  readonly #prefix: number;
  #headers: Record<string, string> | undefined = undefined;
  // 0 until the ack subject was read; the sequence's bounds in it (or, after nats.js's parse, the id itself).
  #count = 0;
  #seqStart = 0;
  #seqEnd = 0;
  #seq: string | undefined = undefined;
  constructor(m: JsMsg, prefix: number) {
    this.#m = m;
    this.#prefix = prefix;
  }
  get message(): Message {
    return this;
  }
  get id(): string {
    if (this.#count === 0) this.#readAckSubject();
    return (this.#seq ??= (this.#m as unknown as { readonly reply: string }).reply.slice(this.#seqStart, this.#seqEnd));
  }
  get subject(): string {
    return this.#m.subject.slice(this.#prefix);
  }
  get data(): Uint8Array {
    return this.#m.data;
  }
  get headers(): Record<string, string> {
    return (this.#headers ??= readHeaders(this.#m.headers));
  }
  get deliveryCount(): number {
    if (this.#count === 0) this.#readAckSubject();
    return this.#count;
  }
  #readAckSubject(): void {
    // `reply` is the client message's getter, not in JsMsg's type: read defensively.
    const reply = (this.#m as { readonly reply?: unknown }).reply;
    if (typeof reply !== 'string' || !ackFields(reply)) {
      // Not a subject this parser knows: nats.js's own parse (which throws on a non-JetStream message).
      this.#count = this.#m.info.deliveryCount;
      this.#seq = String(this.#m.seq);
      return;
    }
    this.#count = lastAck.count;
    this.#seqStart = lastAck.seqStart;
    this.#seqEnd = lastAck.seqEnd;
  }
  toJSON(): Message {
    return plainMessage(this);
  }
  // On a later microtask: the publish that the PubAck in the same read lets through (the usual
  // publish-consume loop) then reaches nats.js's outbound buffer before its flush, and the ack and
  // the next publish leave in one socket write instead of two (strace: 2.2 -> 1.0 writes per message).
  // Acks queued in one turn share one microtask.
  ack(): void {
    if (acks.push(this.#m) === 1) queueMicrotask(flushAcks);
  }
  retry(): void {
    this.#m.nak();
  }
}

const acks: JsMsg[] = [];
function flushAcks(): void {
  // Index loop: an ack that throws (a closed connection) must not keep the rest from their turn.
  for (let i = 0; i < acks.length; i++) {
    try {
      acks[i]!.ack();
    } catch {
      /* not acked: the server redelivers after ack_wait */
    }
  }
  acks.length = 0;
}

/** What the last successful ackFields call read (module state rather than an object per message). */
export const lastAck = { count: 0, seqStart: 0, seqEnd: 0 };

/**
 * Reads the delivery count and the stream sequence's bounds from a JetStream ack subject, either
 * `$JS.ACK.<stream>.<consumer>.<delivered>.<stream seq>.<consumer seq>.<ts>.<pending>` (9 tokens) or
 * `$JS.ACK.<domain>.<account hash>.<stream>.<consumer>.<delivered>.<stream seq>...` (11 or more).
 * False for anything else, which is then left to nats.js.
 */
export function ackFields(reply: string): boolean {
  if (!reply.startsWith('$JS.ACK.')) return false;
  let tokens = 1;
  for (let i = 0; i < reply.length; i++) if (reply.charCodeAt(i) === 46) tokens++;
  const countToken = tokens === 9 ? 4 : tokens >= 11 ? 6 : -1;
  if (countToken < 0) return false;
  let token = 0;
  let start = 0;
  for (let i = 0; i <= reply.length && token <= countToken + 1; i++) {
    if (i < reply.length && reply.charCodeAt(i) !== 46) continue;
    if (token === countToken) {
      const n = digits(reply, start, i);
      if (n < 1) return false;
      lastAck.count = n;
    } else if (token === countToken + 1) {
      if (digits(reply, start, i) < 1) return false;
      lastAck.seqStart = start;
      lastAck.seqEnd = i;
    }
    token++;
    start = i + 1;
  }
  return true;
}

/** The decimal number in s[from, to), or -1 if it is empty, not all digits or too long to be exact. */
function digits(s: string, from: number, to: number): number {
  if (to <= from || to - from > 15) return -1;
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  return n;
}

function readHeaders(h: MsgHdrs | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (h === undefined) return out;
  for (const k of h.keys()) out[k] = h.get(k);
  return out;
}
