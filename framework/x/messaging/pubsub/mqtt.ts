import { randomBytes } from 'node:crypto';
import { connectAsync, type IPublishPacket, type MqttClient } from 'mqtt';
import { BoundedRunner } from './bounded-runner.ts';
import type { RawDelivery } from './dispatch.ts';
import { assertOption } from './errors.ts';
import type { ResolvedSubscribeOptions } from './options.ts';
import {
  RemoteBroker,
  resolveRemoteOptions,
  type Listening,
  type OutgoingMessage,
  type RemoteBrokerOptions,
  type ResolvedRemoteOptions,
} from './remote-base.ts';
import { compilePattern } from './subject.ts';
import type { BrokerCapabilities, Message } from './types.ts';

export interface MqttBrokerOptions extends RemoteBrokerOptions {
  /** Publish QoS: 0 resolves once written to the socket, 1 on the broker's PUBACK. Default 1. */
  readonly qos?: 0 | 1;
}

const CAPABILITIES: BrokerCapabilities = Object.freeze({
  wildcards: true,
  // Shared subscriptions ($share/<group>/<filter>, MQTT 5 and Mosquitto 2).
  queueGroups: true,
  // MQTT has no nack: a failed handler is retried in this process, up to maxDeliver.
  brokerRedelivery: false,
  replay: false,
  // No flow control towards a slow subscriber: a bounded local buffer drops its oldest message.
  overflowPolicies: Object.freeze(['drop-oldest'] as const),
  // The client PUBACKs on receipt, before the handler runs, and sessions are clean: a subscriber
  // that dies mid-handler loses that message, and the retries live in its memory.
  delivery: 'at-most-once',
  durable: false,
});

type Listener = { readonly matches: (subject: string) => boolean; readonly offer: (message: Message) => void };

/** One server-side subscription per filter, shared by the local listeners that asked for it. */
interface Filter {
  readonly id: number;
  readonly shared: boolean;
  readonly listeners: Set<Listener>;
  next: number;
}

/**
 * MQTT 5 (Mosquitto): subject `a.b` is topic `<namespace>/a/b`, `*` is `+`, `>` is `#` (checked
 * exactly here, since `#` also matches the parent level), headers are user properties.
 */
export class MqttBroker extends RemoteBroker {
  readonly backend = 'mqtt';
  readonly capabilities = CAPABILITIES;
  // Subscription identifiers say which filters a message matched, so overlapping filters on one
  // connection (`a.*` and `a.>`, or a plain and a shared one) each deliver exactly once.
  private readonly filters = new Map<string, Filter>();
  private nextId = 1;
  private seq = 0;

  private constructor(
    options: ResolvedRemoteOptions,
    private readonly client: MqttClient,
    private readonly qos: 0 | 1,
  ) {
    super(options);
    client.on('message', (topic, payload, packet) => this.route(topic, payload, packet));
  }

  private route(topic: string, payload: Buffer, packet: IPublishPacket): void {
    const prefix = `${this.options.namespace}/`;
    if (!topic.startsWith(prefix)) return;
    const subject = topic.slice(prefix.length).replaceAll('/', '.');
    const got = packet.properties?.subscriptionIdentifier;
    const ids = got === undefined ? undefined : new Set(Array.isArray(got) ? got : [got]);
    for (const f of this.filters.values()) {
      if (ids !== undefined && !ids.has(f.id)) continue;
      const matching = [...f.listeners].filter((l) => l.matches(subject));
      if (matching.length === 0) continue;
      // The server balances a shared subscription across connections; members on this connection take turns.
      if (f.shared) matching[f.next++ % matching.length]!.offer(toMessage(subject, payload, packet));
      else for (const l of matching) l.offer(toMessage(subject, payload, packet));
    }
  }

  static async connect(options: MqttBrokerOptions): Promise<MqttBroker> {
    const o = resolveRemoteOptions(options);
    const qos = options.qos ?? 1;
    assertOption(qos === 0 || qos === 1, 'qos', 'must be 0 or 1');
    const client = await connectAsync(o.url, {
      protocolVersion: 5,
      clean: true,
      clientId: `plumego-${randomBytes(8).toString('hex')}`,
      // mqtt.js re-dials at a fixed period (it has no backoff) and re-subscribes every filter with its
      // subscription identifier; a QoS 1 publish made while disconnected is sent after the re-dial.
      reconnectPeriod: o.reconnect.minDelayMs,
      connectTimeout: 5000,
      queueQoSZero: false,
    });
    client.on('error', () => {
      /* reconnects on its own; publishes fail typed meanwhile */
    });
    return new MqttBroker(o, client, qos);
  }

  private topicOf(subject: string): string {
    return `${this.options.namespace}/${subject.replaceAll('.', '/')}`;
  }

  protected async send(m: OutgoingMessage): Promise<string> {
    const id = `${Date.now()}-${++this.seq}-${randomBytes(4).toString('hex')}`;
    await this.client.publishAsync(
      this.topicOf(m.subject),
      Buffer.from(m.data.buffer, m.data.byteOffset, m.data.byteLength),
      {
        qos: this.qos,
        properties: { userProperties: { ...m.headers, 'plumego-id': id } },
      },
    );
    return id;
  }

  protected async listen(
    pattern: string,
    o: ResolvedSubscribeOptions,
    deliver: (raw: RawDelivery) => Promise<void> | void,
  ): Promise<Listening> {
    const topicFilter = this.topicOf(pattern).replaceAll('*', '+').replace(/>$/, '#');
    const filter = o.group === undefined ? topicFilter : `$share/${o.group}/${topicFilter}`;
    const runner: BoundedRunner<Message> = new BoundedRunner<Message>(
      o.bufferSize,
      o.concurrency,
      (m): Promise<void> | void => deliver(this.toRaw(m, runner)),
      (m, e) => o.onError(e, m),
    );
    const listener: Listener = { matches: compilePattern(pattern), offer: (m) => runner.offer(m) };
    let f = this.filters.get(filter);
    if (f === undefined) {
      f = { id: this.nextId++, shared: o.group !== undefined, listeners: new Set(), next: 0 };
      this.filters.set(filter, f);
      f.listeners.add(listener);
      try {
        await this.client.subscribeAsync(filter, { qos: 1, properties: { subscriptionIdentifier: f.id } });
      } catch (error) {
        this.filters.delete(filter);
        throw error;
      }
    } else {
      f.listeners.add(listener);
    }
    const entry = f;
    return {
      stop: async () => {
        runner.stop();
        entry.listeners.delete(listener);
        if (entry.listeners.size > 0 || this.filters.get(filter) !== entry) return;
        this.filters.delete(filter);
        if (!this.isClosed) await this.client.unsubscribeAsync(filter).catch(() => {});
      },
      // The server keeps no backlog for a clean session; what waits is in the local buffer.
      depth: () => runner.size,
    };
  }

  private toRaw(message: Message, runner: BoundedRunner<Message>): RawDelivery {
    return {
      message,
      ack: () => {},
      retry: () => runner.force({ ...message, deliveryCount: message.deliveryCount + 1 }),
    };
  }

  protected async disconnect(): Promise<void> {
    await this.client.endAsync(true);
  }
}

function toMessage(subject: string, payload: Buffer, packet: IPublishPacket): Message {
  const props = packet.properties?.userProperties ?? {};
  const headers: Record<string, string> = {};
  let id = '';
  for (const [k, v] of Object.entries(props)) {
    const value = Array.isArray(v) ? v[0] : v;
    if (typeof value !== 'string') continue;
    if (k === 'plumego-id') id = value;
    else if (!k.startsWith('plumego-') || k.startsWith('plumego-dl-')) headers[k] = value;
  }
  return { id, subject, data: new Uint8Array(payload), headers, deliveryCount: 1 };
}
