import { SqliteTaskQueue } from 'plumego/x/messaging/mq';
import { KeyedTokenBuckets } from 'plumego/x/resilience';
import { assertOption, invalidRequest, isMessagingError, MESSAGING_ERROR_CODES, MessagingError } from './errors.ts';
import { ChannelMonitor } from './monitor.ts';
import { ReceiptStore } from './receipts.ts';
import { TemplateRegistry, type MessageTemplate, type RenderedMessage } from './templates.ts';
import type {
  Channel,
  ChannelHealth,
  EmailProvider,
  MessagingStats,
  ProviderAttempt,
  Receipt,
  ReceiptStatus,
  SendRequest,
  SmsProvider,
} from './types.ts';

export interface MessagingServiceOptions {
  readonly email?: EmailProvider;
  readonly sms?: SmsProvider;
  readonly templates?: Readonly<Record<string, MessageTemplate>>;
  /** SQLite file for receipts and the outbound queue (survives restarts). Default: in memory. */
  readonly path?: string;
  /** Messages a tenant may send per UTC day. Default: no quota. */
  readonly quotaPerDay?: number;
  /** Per-tenant send rate. Default: no limit. */
  readonly rateLimit?: { readonly ratePerSecond: number; readonly burst: number };
  /** Provider attempts per message before its receipt is `failed`. Default 3. */
  readonly maxAttempts?: number;
  /** First retry delay, doubling. Default 1000 ms. */
  readonly retryDelayMs?: number;
  /** Messages sent at once. Default 4. */
  readonly concurrency?: number;
  readonly now?: () => number;
}

export type BatchResult =
  | { readonly ok: true; readonly receipt: Receipt }
  | { readonly ok: false; readonly error: { readonly code: string; readonly message: string } };

const TENANT = /^[A-Za-z0-9_.-]{1,64}$/;
const EMAIL = /^[^\s@<>()[\]\\,;:"]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,63}$/;
const PHONE = /^\+[1-9]\d{6,14}$/;
const DAY = 86_400_000;

/**
 * The app-facing messaging service: validates, renders templates, applies quota and rate limits,
 * records a receipt, and hands the message to a durable queue whose worker calls the channel's
 * provider with retries. Its API names none of the experimental primitives it runs on.
 */
export class MessagingService {
  readonly templates: TemplateRegistry;
  private readonly receipts: ReceiptStore;
  private readonly queue: SqliteTaskQueue;
  private readonly monitor = new ChannelMonitor();
  private readonly limiter: KeyedTokenBuckets | undefined;
  private readonly now: () => number;
  private readonly maxAttempts: number;
  private readonly retryDelayMs: number;
  private readonly concurrency: number;
  private worker: { stop(o?: { timeoutMs?: number }): Promise<unknown> } | undefined;

  constructor(private readonly options: MessagingServiceOptions = {}) {
    this.now = options.now ?? Date.now;
    this.maxAttempts = options.maxAttempts ?? 3;
    this.retryDelayMs = options.retryDelayMs ?? 1000;
    this.concurrency = options.concurrency ?? 4;
    assertOption(
      options.email !== undefined || options.sms !== undefined,
      'email/sms',
      'configure at least one channel provider',
    );
    assertOption(
      options.quotaPerDay === undefined || (Number.isInteger(options.quotaPerDay) && options.quotaPerDay >= 1),
      'quotaPerDay',
      'must be a positive integer',
    );
    assertOption(
      Number.isInteger(this.maxAttempts) && this.maxAttempts >= 1 && this.maxAttempts <= 20,
      'maxAttempts',
      'must be an integer in 1..20',
    );
    assertOption(
      Number.isInteger(this.retryDelayMs) && this.retryDelayMs >= 0,
      'retryDelayMs',
      'must be a non-negative integer',
    );
    assertOption(
      Number.isInteger(this.concurrency) && this.concurrency >= 1,
      'concurrency',
      'must be a positive integer',
    );
    this.templates = new TemplateRegistry(options.templates);
    const path = options.path ?? ':memory:';
    this.receipts = new ReceiptStore(path);
    this.queue = new SqliteTaskQueue({ path, queue: 'plumego.messaging', pollMs: 50 });
    this.limiter =
      options.rateLimit === undefined ? undefined : new KeyedTokenBuckets({ ...options.rateLimit, now: this.now });
  }

  /** Starts the sender; messages queued before a restart are sent now. */
  start(): void {
    if (this.worker !== undefined) return;
    this.worker = this.queue.process<{ receiptId: string }>(
      (job) => this.deliver(job.data.receiptId, job.attempt, job.signal),
      { concurrency: this.concurrency },
    );
  }

  /** Stops sending; messages not yet sent stay queued for the next start. */
  async stop(): Promise<void> {
    await this.worker?.stop({ timeoutMs: 5000 });
    this.worker = undefined;
  }

  async close(): Promise<void> {
    await this.stop();
    await this.queue.close();
    this.receipts.close();
  }

  async send(request: SendRequest): Promise<Receipt> {
    const { tenantId, channel, to, idempotencyKey } = this.validate(request);
    // A repeat is answered before the limits: retrying a send must not use up the tenant's budget.
    const previous = idempotencyKey === undefined ? undefined : this.receipts.findByKey(tenantId, idempotencyKey);
    if (previous !== undefined) return previous;
    const content = this.render(request);
    if (
      this.options.quotaPerDay !== undefined &&
      this.receipts.countSince(tenantId, Math.floor(this.now() / DAY) * DAY) >= this.options.quotaPerDay
    ) {
      throw new MessagingError(MESSAGING_ERROR_CODES.quotaExceeded, 'the tenant has used its daily message quota', {
        quota: this.options.quotaPerDay,
      });
    }
    const take = this.limiter?.take(tenantId);
    if (take !== undefined && !take.allowed) {
      throw new MessagingError(MESSAGING_ERROR_CODES.rateLimited, 'the tenant is sending too fast', {
        retry_after_ms: take.retryAfterMs,
      });
    }
    const { receipt, created } = this.receipts.create(tenantId, channel, to, content, idempotencyKey, this.now());
    if (created) {
      await this.queue.add(
        'messaging.send',
        { receiptId: receipt.id },
        {
          maxAttempts: this.maxAttempts,
          backoff: { type: 'exponential', delayMs: this.retryDelayMs },
          timeoutMs: 60_000,
        },
      );
    }
    return receipt;
  }

  /** Sends each request independently: one bad item does not fail the others. */
  async sendBatch(requests: readonly SendRequest[]): Promise<BatchResult[]> {
    if (!Array.isArray(requests) || requests.length === 0 || requests.length > 1000)
      throw invalidRequest('batch', 'must hold 1-1000 requests');
    const out: BatchResult[] = [];
    for (const r of requests) {
      try {
        out.push({ ok: true, receipt: await this.send(r) });
      } catch (error) {
        if (!isMessagingError(error)) throw error;
        out.push({ ok: false, error: { code: error.code, message: error.message } });
      }
    }
    return out;
  }

  getReceipt(id: string): Receipt | undefined {
    return typeof id === 'string' ? this.receipts.get(id) : undefined;
  }

  listReceipts(filter: { tenantId?: string; status?: ReceiptStatus; limit?: number } = {}): Receipt[] {
    return this.receipts.list(filter);
  }

  stats(tenantId?: string): MessagingStats {
    const totals = { queued: 0, sending: 0, sent: 0, failed: 0 };
    const byChannel = { email: { sent: 0, failed: 0 }, sms: { sent: 0, failed: 0 } };
    for (const { channel, status, n } of this.receipts.counts(tenantId)) {
      totals[status] += n;
      if (status === 'sent' || status === 'failed') byChannel[channel][status] += n;
    }
    return { ...totals, byChannel };
  }

  channelHealth(): ChannelHealth[] {
    const members = (p: EmailProvider | SmsProvider | undefined): string[] =>
      p === undefined ? [] : ((p as { members?: string[] }).members ?? [p.name]);
    return [
      this.monitor.health('email', members(this.options.email)),
      this.monitor.health('sms', members(this.options.sms)),
    ];
  }

  private validate(r: SendRequest): {
    tenantId: string;
    channel: Channel;
    to: string;
    idempotencyKey: string | undefined;
  } {
    if (typeof r !== 'object' || r === null) throw invalidRequest('request', 'must be an object');
    if (typeof r.tenantId !== 'string' || !TENANT.test(r.tenantId))
      throw invalidRequest('tenantId', 'must be 1-64 characters of [A-Za-z0-9_.-]');
    if (r.channel !== 'email' && r.channel !== 'sms') throw invalidRequest('channel', "must be 'email' or 'sms'");
    if ((r.channel === 'email' ? this.options.email : this.options.sms) === undefined) {
      throw new MessagingError(MESSAGING_ERROR_CODES.channelUnavailable, `no ${r.channel} provider is configured`, {
        channel: r.channel,
      });
    }
    if (typeof r.to !== 'string' || !(r.channel === 'email' ? EMAIL : PHONE).test(r.to)) {
      throw invalidRequest('to', r.channel === 'email' ? 'must be an email address' : 'must be an E.164 phone number');
    }
    if (
      r.idempotencyKey !== undefined &&
      (typeof r.idempotencyKey !== 'string' || r.idempotencyKey.length < 1 || r.idempotencyKey.length > 128)
    ) {
      throw invalidRequest('idempotencyKey', 'must be 1-128 characters');
    }
    return { tenantId: r.tenantId, channel: r.channel, to: r.to, idempotencyKey: r.idempotencyKey };
  }

  private render(r: SendRequest): RenderedMessage {
    let out: RenderedMessage;
    if (r.template !== undefined) {
      if (typeof r.template !== 'object' || typeof r.template.name !== 'string')
        throw invalidRequest('template', 'must be { name, data }');
      out = this.templates.render(r.template.name, r.template.data ?? {});
    } else {
      if (typeof r.text !== 'string' || r.text.length === 0)
        throw invalidRequest('text', 'is required without a template');
      out = { subject: typeof r.subject === 'string' ? r.subject : '', text: r.text, html: undefined };
    }
    if (out.text.length > 10_000) throw invalidRequest('text', 'must be at most 10000 characters');
    if (r.channel === 'email' && (out.subject.length === 0 || out.subject.length > 998 || /[\r\n]/.test(out.subject))) {
      throw invalidRequest('subject', 'email needs a one-line subject of at most 998 characters');
    }
    return out;
  }

  private async deliver(receiptId: string, attempt: number, signal: AbortSignal): Promise<void> {
    const stored = this.receipts.content(receiptId);
    if (stored === undefined) return; // receipt gone (store reset): nothing to send
    this.receipts.transition(receiptId, 'sending', this.now(), { detail: `attempt ${attempt}` });
    const provider = stored.channel === 'email' ? this.options.email : this.options.sms;
    try {
      if (provider === undefined)
        throw new MessagingError(MESSAGING_ERROR_CODES.channelUnavailable, 'no provider for this channel');
      const result =
        stored.channel === 'email'
          ? await (provider as EmailProvider).send(
              {
                to: stored.to,
                subject: stored.content.subject,
                text: stored.content.text,
                ...(stored.content.html === undefined ? {} : { html: stored.content.html }),
              },
              signal,
            )
          : await (provider as SmsProvider).send({ to: stored.to, text: stored.content.text }, signal);
      this.recordAttempts(result.attempts ?? [{ provider: result.provider ?? provider.name, ok: true }]);
      this.receipts.transition(receiptId, 'sent', this.now(), {
        provider: result.provider ?? provider.name,
        providerMessageId: result.providerMessageId,
        detail: result.provider ?? provider.name,
      });
    } catch (error) {
      const code = isMessagingError(error) ? error.code : MESSAGING_ERROR_CODES.providerFailed;
      const attempts = isMessagingError(error)
        ? (error.details['attempts'] as ProviderAttempt[] | undefined)
        : undefined;
      this.recordAttempts(attempts ?? [{ provider: provider?.name ?? stored.channel, ok: false, error: code }]);
      const final = attempt >= this.maxAttempts;
      this.receipts.transition(receiptId, final ? 'failed' : 'queued', this.now(), { error: code, detail: code });
      if (!final) throw error; // the queue retries with backoff
    }
  }

  private recordAttempts(attempts: readonly ProviderAttempt[]): void {
    for (const a of attempts) this.monitor.record(a.provider, a.ok, a.error);
  }
}
