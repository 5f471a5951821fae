import { createDispatcher, DEAD_LETTER_HEADERS, type RawDelivery } from './dispatch.ts';
import { assertOption, PUBSUB_ERROR_CODES, PubSubError, toPublishFailed } from './errors.ts';
import { resolveMaxPayload, resolveSubscribeOptions, toHeaders, toPayload, type ResolvedSubscribeOptions } from './options.ts';
import { assertSubject } from './subject.ts';
import type { Broker, BrokerCapabilities, BrokerOptions, Message, MessageHandler, PublishOptions, PublishReceipt, SubscribeOptions, Subscription } from './types.ts';

export interface RemoteBrokerOptions extends BrokerOptions {
  /** Server URL, e.g. `nats://127.0.0.1:4222`. */
  readonly url: string;
  /** Prefix of every server-side name (stream, exchange, key, topic), so apps can share a server. Default `plumego`. */
  readonly namespace?: string;
  /** How long a publish waits for the server's acknowledgement before it fails PUBSUB_PUBLISH_FAILED. Default 5000 ms. */
  readonly publishTimeoutMs?: number;
}

export interface ResolvedRemoteOptions {
  readonly url: string;
  readonly namespace: string;
  readonly publishTimeoutMs: number;
  readonly maxPayloadBytes: number;
}

const NAMESPACE = /^[A-Za-z0-9_-]{1,64}$/;

export function resolveRemoteOptions(options: RemoteBrokerOptions): ResolvedRemoteOptions {
  assertOption(typeof options.url === 'string' && options.url.length > 0, 'url', 'must be a server URL');
  const namespace = options.namespace ?? 'plumego';
  assertOption(NAMESPACE.test(namespace), 'namespace', 'must be 1-64 characters of [A-Za-z0-9_-]');
  const publishTimeoutMs = options.publishTimeoutMs ?? 5000;
  assertOption(Number.isInteger(publishTimeoutMs) && publishTimeoutMs >= 1, 'publishTimeoutMs', 'must be a positive integer');
  return { url: options.url, namespace, publishTimeoutMs, maxPayloadBytes: resolveMaxPayload(options) };
}

export interface OutgoingMessage {
  readonly subject: string;
  readonly data: Uint8Array;
  readonly headers: Record<string, string>;
}

/**
 * What each remote backend supplies; the base class does validation, timeouts, dead-letter
 * republishing, the closed state and subscription bookkeeping identically for all of them.
 */
export abstract class RemoteBroker implements Broker {
  abstract readonly backend: string;
  abstract readonly capabilities: BrokerCapabilities;
  /** Whether an unacknowledged manual delivery is retried by a local timer (the server has no ack deadline). */
  protected readonly localAckWait: boolean = false;
  private closed = false;
  private readonly subscriptions = new Set<Subscription>();

  constructor(protected readonly options: ResolvedRemoteOptions) {}

  protected abstract send(message: OutgoingMessage): Promise<string>;
  /** Starts delivering matching messages to `deliver`; resolves once the server-side subscription exists. */
  protected abstract listen(pattern: string, o: ResolvedSubscribeOptions, deliver: (raw: RawDelivery) => Promise<void> | void): Promise<() => Promise<void>>;
  protected abstract disconnect(): Promise<void>;

  async publish(subject: string, data: Uint8Array | string, options?: PublishOptions): Promise<PublishReceipt> {
    if (this.closed) throw closedError();
    const message = { subject: assertSubject(subject), data: toPayload(data, this.options.maxPayloadBytes), headers: toHeaders(options?.headers) };
    return { id: await this.sendWithin(message) };
  }

  private async sendWithin(message: OutgoingMessage): Promise<string> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new PubSubError(PUBSUB_ERROR_CODES.publishFailed, `${this.backend}: no acknowledgement within ${this.options.publishTimeoutMs} ms; the message may or may not have been stored`, { backend: this.backend })), this.options.publishTimeoutMs);
    });
    try {
      return await Promise.race([this.send(message), timeout]);
    } catch (error) {
      throw this.closed ? closedError() : toPublishFailed(this.backend, error);
    } finally {
      clearTimeout(timer);
    }
  }

  async subscribe(pattern: string, handler: MessageHandler, options: SubscribeOptions = {}): Promise<Subscription> {
    if (this.closed) throw closedError();
    const o = resolveSubscribeOptions(pattern, options, this.capabilities);
    const dispatch = createDispatcher(handler, o, (s, m, r) => this.sendWithin(deadLetterOf(s, m, r)), this.localAckWait || !this.capabilities.brokerRedelivery);
    const stop = await this.listen(pattern, o, dispatch);
    let done = false;
    const subscription: Subscription = {
      pattern,
      unsubscribe: async () => {
        if (done) return;
        done = true;
        this.subscriptions.delete(subscription);
        await stop();
      },
    };
    this.subscriptions.add(subscription);
    return subscription;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.allSettled([...this.subscriptions].map((s) => s.unsubscribe()));
    await this.disconnect();
  }

  protected get isClosed(): boolean { return this.closed; }
}

export function deadLetterOf(subject: string, m: Message, reason: string): OutgoingMessage {
  return {
    subject, data: m.data,
    headers: { ...m.headers, [DEAD_LETTER_HEADERS.subject]: m.subject, [DEAD_LETTER_HEADERS.deliveries]: String(m.deliveryCount), [DEAD_LETTER_HEADERS.reason]: reason },
  };
}

function closedError(): PubSubError {
  return new PubSubError(PUBSUB_ERROR_CODES.closed, 'the broker is closed');
}
