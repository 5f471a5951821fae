import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { assertUrl, isSecurityError, resolvePublicUrl, type AddressLookup } from 'plumego/security';
import {
  CircuitBreaker,
  getBackoffDelay,
  isResilienceError,
  resolveRetryOptions,
  type CircuitBreakerOptions,
  type ResolvedRetryOptions,
} from 'plumego/x/resilience';
import { lookup as dnsLookup } from 'node:dns/promises';
import { SqliteDeliveryLog, type DeliveryAttempt, type DeliveryLog, type DeliveryRecord } from './delivery-log.ts';
import { assertOption, isWebhookError, WEBHOOK_ERROR_CODES, WebhookError } from './errors.ts';
import { postPinned } from './http-post.ts';
import { computeSignature, type Secret } from './signature.ts';

export interface WebhookSenderOptions {
  /** Signing secret; receivers verify `x-plumego-signature` with createHmacVerifier. Required. */
  readonly secret: Secret;
  /** Default: SQLite in memory. Pass `new SqliteDeliveryLog(path)` for a log that survives restarts. */
  readonly log?: DeliveryLog;
  /** Attempts per delivery round, the first included. Default 5. */
  readonly maxAttempts?: number;
  /** First retry delay; doubles per attempt up to `maxDelayMs`, with full jitter. Default 1000 ms. */
  readonly initialDelayMs?: number;
  /** Default 60 000 ms. */
  readonly maxDelayMs?: number;
  /** Per-attempt deadline for the receiver's answer. Default 10 000 ms. */
  readonly timeoutMs?: number;
  /** Breaker per target origin (x/resilience); an open breaker skips the attempt. Default 5 failures, 30 s open. */
  readonly breaker?: Omit<CircuitBreakerOptions, 'name'>;
  /** Allow loopback and private targets (local tests, in-cluster receivers). Default false: the SSRF guard refuses them. */
  readonly allowPrivateNetworks?: boolean;
  /** DNS resolver for the SSRF check. Default `dns.promises.lookup(host, { all: true })`. */
  readonly lookup?: AddressLookup;
  /** Clock and randomness, injectable for tests. */
  readonly now?: () => number;
  readonly random?: () => number;
}

export const SIGNATURE_HEADERS = {
  id: 'webhook-id',
  timestamp: 'webhook-timestamp',
  event: 'webhook-event',
  signature: 'x-plumego-signature',
} as const;

/**
 * Outbound webhooks: each delivery is logged, signed (`sha256=` HMAC over `<timestamp>.<body>`),
 * sent only to a public address (SSRF guard, pinned against DNS rebinding), retried on network
 * errors, timeouts, 408, 429 and 5xx with exponential backoff and full jitter, and skipped while
 * the target's circuit breaker is open. Other 4xx, 3xx and a forbidden target end it at once.
 */
export class WebhookSender {
  private readonly log: DeliveryLog;
  private readonly retry: ResolvedRetryOptions;
  private readonly timeoutMs: number;
  private readonly breakers = new Map<string, CircuitBreaker>();
  private readonly now: () => number;

  constructor(private readonly options: WebhookSenderOptions) {
    if (options.secret === undefined || options.secret.length === 0) {
      throw new WebhookError(WEBHOOK_ERROR_CODES.missingSecret, 'a webhook sender needs a non-empty signing secret');
    }
    this.log = options.log ?? new SqliteDeliveryLog();
    this.timeoutMs = options.timeoutMs ?? 10_000;
    assertOption(Number.isInteger(this.timeoutMs) && this.timeoutMs >= 1, 'timeoutMs', 'must be a positive integer');
    const maxAttempts = options.maxAttempts ?? 5;
    assertOption(
      Number.isInteger(maxAttempts) && maxAttempts >= 1 && maxAttempts <= 50,
      'maxAttempts',
      'must be an integer in 1..50',
    );
    this.retry = resolveRetryOptions({
      maxAttempts,
      initialDelayMs: options.initialDelayMs ?? 1000,
      maxDelayMs: options.maxDelayMs ?? 60_000,
      jitter: 'full',
      ...(options.random === undefined ? {} : { random: options.random }),
    });
    this.now = options.now ?? Date.now;
  }

  /** Records the delivery and runs its attempts; resolves with the final record (delivered or failed). */
  async send(url: string, event: string, payload: unknown): Promise<DeliveryRecord> {
    assertOption(
      typeof event === 'string' && /^[A-Za-z0-9_.:-]{1,128}$/.test(event),
      'event',
      'must be 1-128 characters of [A-Za-z0-9_.:-]',
    );
    const target = assertUrl(url, { schemes: ['http', 'https'] }).toString();
    const body = JSON.stringify(payload) ?? 'null';
    const id = `whd_${randomBytes(12).toString('hex')}`;
    await this.log.create({ id, url: target, event, body, createdAt: this.now() });
    return this.attempt(id);
  }

  /** A new round of attempts for a delivery that failed (or to send it again on purpose). */
  async redeliver(id: string): Promise<DeliveryRecord> {
    if ((await this.log.get(id)) === undefined)
      throw new WebhookError(WEBHOOK_ERROR_CODES.notFound, 'no such webhook delivery', { id });
    await this.log.setStatus(id, 'pending', this.now());
    return this.attempt(id);
  }

  getDelivery(id: string): Promise<DeliveryRecord | undefined> {
    return this.log.get(id);
  }

  listDeliveries(filter?: Parameters<DeliveryLog['list']>[0]): Promise<DeliveryRecord[]> {
    return this.log.list(filter);
  }

  /** The breaker guarding one target origin (for stats, or an operator's trip/reset). */
  getBreaker(url: string): CircuitBreaker {
    const origin = new URL(url).origin;
    let breaker = this.breakers.get(origin);
    if (breaker === undefined) {
      breaker = new CircuitBreaker({
        ...this.options.breaker,
        name: origin,
        ...(this.options.now === undefined ? {} : { now: this.options.now }),
      });
      this.breakers.set(origin, breaker);
    }
    return breaker;
  }

  private async attempt(id: string): Promise<DeliveryRecord> {
    const record = (await this.log.get(id))!;
    for (let n = 1; n <= this.retry.maxAttempts; n++) {
      const started = this.now();
      const outcome = await this.once(record);
      await this.log.appendAttempt(id, {
        at: started,
        durationMs: Math.max(0, this.now() - started),
        ...outcome.attempt,
      });
      if (outcome.done) {
        await this.log.setStatus(id, outcome.delivered ? 'delivered' : 'failed', this.now());
        break;
      }
      if (n === this.retry.maxAttempts) {
        await this.log.setStatus(id, 'failed', this.now());
        break;
      }
      await new Promise((r) => setTimeout(r, getBackoffDelay(n, this.retry)));
    }
    return (await this.log.get(id))!;
  }

  private async once(
    record: DeliveryRecord,
  ): Promise<{ done: boolean; delivered: boolean; attempt: Omit<DeliveryAttempt, 'at' | 'durationMs'> }> {
    let address: string;
    try {
      address = await this.resolveTarget(record.url);
    } catch (error) {
      const code = isSecurityError(error) ? WEBHOOK_ERROR_CODES.forbiddenTarget : WEBHOOK_ERROR_CODES.deliveryFailed;
      // A forbidden address stays forbidden; a DNS failure may pass.
      return { done: code === WEBHOOK_ERROR_CODES.forbiddenTarget, delivered: false, attempt: { error: code } };
    }
    const breaker = this.getBreaker(record.url);
    let permit;
    try {
      permit = breaker.acquire();
    } catch (error) {
      return {
        done: false,
        delivered: false,
        attempt: { error: isResilienceError(error) ? error.code : WEBHOOK_ERROR_CODES.deliveryFailed },
      };
    }
    try {
      const { status } = await postPinned(new URL(record.url), address, record.body, this.sign(record), this.timeoutMs);
      const retryable = status === 408 || status === 429 || status >= 500;
      if (status >= 200 && status < 300) permit.success();
      else if (retryable) permit.failure(new Error(String(status)));
      // A 4xx is the receiver refusing this message, not the receiver being unhealthy.
      else permit.success();
      if (status >= 200 && status < 300) return { done: true, delivered: true, attempt: { status } };
      return { done: !retryable, delivered: false, attempt: { status, error: WEBHOOK_ERROR_CODES.deliveryFailed } };
    } catch (error) {
      permit.failure(error);
      return {
        done: false,
        delivered: false,
        attempt: { error: isWebhookError(error) ? error.code : WEBHOOK_ERROR_CODES.deliveryFailed },
      };
    }
  }

  private async resolveTarget(url: string): Promise<string> {
    if (!this.options.allowPrivateNetworks) {
      const { addresses } = await resolvePublicUrl(url, {
        schemes: ['http', 'https'],
        ...(this.options.lookup === undefined ? {} : { lookup: this.options.lookup }),
      });
      return addresses[0]!;
    }
    const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
    if (isIP(host) !== 0) return host;
    const records = await (this.options.lookup ?? ((name: string) => dnsLookup(name, { all: true })))(host);
    if (records.length === 0)
      throw new WebhookError(WEBHOOK_ERROR_CODES.deliveryFailed, 'the target host has no address');
    return records[0]!.address;
  }

  private sign(record: DeliveryRecord): Record<string, string> {
    const ts = String(Math.floor(this.now() / 1000));
    const signature = computeSignature(this.options.secret, 'sha256', `${ts}.${record.body}`).toString('hex');
    return {
      'content-type': 'application/json',
      'user-agent': 'plumego-webhook/1',
      [SIGNATURE_HEADERS.id]: record.id,
      [SIGNATURE_HEADERS.timestamp]: ts,
      [SIGNATURE_HEADERS.event]: record.event,
      [SIGNATURE_HEADERS.signature]: `sha256=${signature}`,
    };
  }
}
