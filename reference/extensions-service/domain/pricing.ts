import { createRetry, createTimeout } from 'plumego/x/resilience';

/** What an upstream price source answers; in production a fetch to a pricing service. */
export type PriceUpstream = (sku: string, signal: AbortSignal) => Promise<number>;

/** The app-local interface handlers use; the experimental x/resilience stays behind it. */
export interface PriceService {
  /** Current price in cents; throws `PriceUnavailableError` when the upstream cannot answer. */
  getPrice(sku: string, signal: AbortSignal): Promise<number>;
}

export class PriceUnavailableError extends Error {
  readonly code = 'PRICE_UNAVAILABLE';
  constructor(cause: unknown) {
    super('price upstream unavailable', { cause });
    this.name = 'PriceUnavailableError';
  }
}

export interface PriceServiceOptions {
  upstream: PriceUpstream;
  timeoutMs: number;
  /** Attempts per call, first included. Default 3. */
  maxAttempts?: number;
  /** Test hook: how retries wait. Default real timers. */
  sleep?: (ms: number, signal: AbortSignal | undefined) => Promise<void>;
}

/**
 * Each attempt is bounded by a timeout and a blip is retried with jittered backoff. The circuit
 * breaker sits outside, on the route (see app/service.ts), so a call that exhausted its retries
 * counts once against the circuit and an open circuit answers before any upstream work.
 */
export function createPriceService(options: PriceServiceOptions): PriceService {
  const timeout = createTimeout(options.timeoutMs);
  const retry = createRetry({
    maxAttempts: options.maxAttempts ?? 3,
    initialDelayMs: 50,
    maxDelayMs: 500,
    ...(options.sleep ? { sleep: options.sleep } : {}),
  });
  return {
    async getPrice(sku, signal) {
      try {
        return await retry(() => timeout.execute((s) => options.upstream(sku, s), signal), signal);
      } catch (error) {
        throw new PriceUnavailableError(error);
      }
    },
  };
}
