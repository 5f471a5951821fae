import { createHash, randomBytes } from 'node:crypto';
import { connect, type Channel, type ChannelModel, type ConfirmChannel, type ConsumeMessage } from 'amqplib';
import { createGate, DEAD_LETTER_HEADERS, type RawDelivery } from './dispatch.ts';
import type { ResolvedSubscribeOptions } from './options.ts';
import { RemoteBroker, resolveRemoteOptions, type OutgoingMessage, type RemoteBrokerOptions, type ResolvedRemoteOptions } from './remote-base.ts';
import { compilePattern } from './subject.ts';
import type { BrokerCapabilities } from './types.ts';

export type AmqpBrokerOptions = RemoteBrokerOptions;

const CAPABILITIES: BrokerCapabilities = Object.freeze({
  wildcards: true,
  queueGroups: true,
  brokerRedelivery: true,
  // Classic queues forget a message once it is acked; there is no position to replay from.
  replay: false,
  overflowPolicies: Object.freeze(['block'] as const),
  // Publisher confirms: a publish resolves once the broker has routed (and, for durable queues,
  // persisted) it. An unacked delivery goes back to the queue when its channel or connection closes.
  delivery: 'at-least-once',
  durable: true,
});

const ATTEMPT = 'plumego-attempt';
// A retry goes through the default exchange, whose routing key is the queue name: the subject travels in a header.
const SUBJECT = 'plumego-subject';

/**
 * RabbitMQ: a durable topic exchange `<namespace>`; a subscription is a queue bound with the
 * pattern (`>` becomes `#`) — a durable queue `<namespace>.<group>.<hash>` shared by a queue group,
 * or a server-named exclusive one. A retry republishes to the same queue with the attempt count in a
 * header, then acks; the final failure is rejected into the queue's dead-letter exchange (DLX), which
 * routes it to `deadLetterSubject` on the same exchange. The connection is not re-established: after
 * it drops, publishes fail PUBSUB_PUBLISH_FAILED and the app creates a new broker.
 */
export class AmqpBroker extends RemoteBroker {
  readonly backend = 'amqp';
  readonly capabilities = CAPABILITIES;
  // RabbitMQ only takes a delivery back when its channel closes (or after the server-wide
  // consumer_timeout), so ackWaitMs is enforced here.
  protected override readonly localAckWait = true;
  private constructor(options: ResolvedRemoteOptions, private readonly conn: ChannelModel, private readonly pub: ConfirmChannel) {
    super(options);
  }

  static async connect(options: AmqpBrokerOptions): Promise<AmqpBroker> {
    const o = resolveRemoteOptions(options);
    const conn = await connect(o.url);
    conn.on('error', () => { /* surfaced as failed publishes; a closed connection is not reopened */ });
    const pub = await conn.createConfirmChannel();
    pub.on('error', () => {});
    await pub.assertExchange(o.namespace, 'topic', { durable: true });
    return new AmqpBroker(o, conn, pub);
  }

  /** Deletes the namespace's exchange and its group queues (exclusive queues go with their connections). */
  static async destroyNamespace(url: string, namespace: string, groupQueues: readonly string[] = []): Promise<void> {
    const conn = await connect(url);
    try {
      const ch = await conn.createChannel();
      for (const q of groupQueues) await ch.deleteQueue(q);
      await ch.deleteExchange(namespace);
    } finally { await conn.close().catch(() => {}); }
  }

  /** The queue a queue group uses for a pattern (for cleanup and operations). */
  static groupQueueName(namespace: string, group: string, pattern: string): string {
    return `${namespace}.${group}.${createHash('sha256').update(pattern).digest('hex').slice(0, 10)}`;
  }

  protected send(m: OutgoingMessage): Promise<string> {
    const id = randomBytes(12).toString('hex');
    return new Promise((resolve, reject) => {
      this.pub.publish(this.options.namespace, m.subject, Buffer.from(m.data.buffer, m.data.byteOffset, m.data.byteLength),
        { headers: m.headers, persistent: true, messageId: id, timestamp: Date.now() },
        (error: unknown) => (error ? reject(error) : resolve(id)));
    });
  }

  protected async listen(pattern: string, o: ResolvedSubscribeOptions, deliver: (raw: RawDelivery) => Promise<void> | void): Promise<() => Promise<void>> {
    const ns = this.options.namespace;
    const ch = await this.conn.createChannel();
    ch.on('error', () => {});
    await ch.prefetch(Math.max(o.bufferSize, o.concurrency));
    const args: Record<string, string> = {};
    if (o.deadLetterSubject !== undefined) {
      args['x-dead-letter-exchange'] = ns;
      args['x-dead-letter-routing-key'] = o.deadLetterSubject;
    }
    const { queue } = o.group === undefined
      ? await ch.assertQueue('', { exclusive: true, autoDelete: true, arguments: args })
      : await ch.assertQueue(AmqpBroker.groupQueueName(ns, o.group, pattern), { durable: true, arguments: args });
    await ch.bindQueue(queue, ns, pattern.replace(/>$/, '#'));
    // `#` also matches zero words; `>` needs at least one, so the exact rule is applied here.
    const matches = compilePattern(pattern);
    const gate = createGate(o.concurrency);
    const { consumerTag } = await ch.consume(queue, (msg) => {
      if (msg === null) return;
      const retried = msg.properties.headers?.[SUBJECT] !== undefined || msg.properties.headers?.['x-death'] !== undefined;
      if (!retried && !matches(msg.fields.routingKey)) { ch.ack(msg); return; }
      void gate.run(async () => deliver(this.toRaw(ch, queue, msg)));
    }, { noAck: false });
    return async () => {
      await ch.cancel(consumerTag).catch(() => {});
      // Closing the channel hands every unacked delivery back to the queue.
      await ch.close().catch(() => {});
    };
  }

  private toRaw(ch: Channel, queue: string, msg: ConsumeMessage): RawDelivery {
    const { headers, attempt, subject } = readHeaders(msg);
    const deliveryCount = attempt + (msg.fields.redelivered ? 1 : 0);
    return {
      message: { id: String(msg.properties.messageId ?? msg.fields.deliveryTag), subject, data: new Uint8Array(msg.content), headers, deliveryCount },
      ack: () => ch.ack(msg),
      retry: async () => {
        // Republish-then-ack: a crash between the two duplicates the message, never loses it.
        await new Promise<void>((resolve, reject) => {
          this.pub.sendToQueue(queue, msg.content, { ...msg.properties, headers: { ...msg.properties.headers, [ATTEMPT]: deliveryCount + 1, [SUBJECT]: subject } },
            (error: unknown) => (error ? reject(error) : resolve()));
        });
        ch.ack(msg);
      },
      deadLetter: () => ch.nack(msg, false, false),
    };
  }

  protected async disconnect(): Promise<void> {
    await this.conn.close().catch(() => {});
  }
}

function readHeaders(msg: ConsumeMessage): { headers: Record<string, string>; attempt: number; subject: string } {
  const raw = msg.properties.headers ?? {};
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) if (typeof v === 'string' && !k.startsWith('x-') && !k.startsWith('plumego-')) headers[k] = v;
  const attempt = Number(raw[ATTEMPT] ?? 1) || 1;
  const original = typeof raw[SUBJECT] === 'string' ? raw[SUBJECT] : undefined;
  const death = Array.isArray(raw['x-death']) ? (raw['x-death'][0] as { 'routing-keys'?: unknown[]; reason?: unknown } | undefined) : undefined;
  if (death !== undefined) {
    // Dead-lettered through the DLX: the same headers the other backends set, from RabbitMQ's x-death.
    headers[DEAD_LETTER_HEADERS.subject] = original ?? String(death['routing-keys']?.[0] ?? '');
    headers[DEAD_LETTER_HEADERS.deliveries] = String(attempt);
    headers[DEAD_LETTER_HEADERS.reason] = String(death.reason ?? 'rejected');
    return { headers, attempt: 1, subject: msg.fields.routingKey };
  }
  return { headers, attempt, subject: original ?? msg.fields.routingKey };
}
