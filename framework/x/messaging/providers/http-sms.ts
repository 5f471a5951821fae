import { assertOption, MESSAGING_ERROR_CODES, MessagingError } from '../errors.ts';
import type { ProviderResult, SmsMessage, SmsProvider } from '../types.ts';

export interface HttpSmsProviderOptions {
  readonly name: string;
  /** Endpoint receiving `POST { to, text }` JSON and answering 2xx `{ id }`. */
  readonly url: string;
  /** Sent as `authorization: Bearer <token>`. */
  readonly token?: string;
  /** Default 10 000 ms. */
  readonly timeoutMs?: number;
}

/**
 * The SMS provider contract over HTTP: one JSON POST per message, success is a 2xx with an `id`.
 * Vendor adapters (Twilio, Vonage…) implement SmsProvider the same way.
 */
export class HttpSmsProvider implements SmsProvider {
  readonly name: string;
  private readonly timeoutMs: number;

  constructor(private readonly options: HttpSmsProviderOptions) {
    assertOption(
      /^[A-Za-z0-9_.-]{1,64}$/.test(options.name ?? ''),
      'name',
      'must be 1-64 characters of [A-Za-z0-9_.-]',
    );
    assertOption(/^https?:\/\//.test(options.url ?? ''), 'url', 'must be an http(s) URL');
    this.name = options.name;
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  async send(message: SmsMessage, signal: AbortSignal): Promise<ProviderResult> {
    const fail = (reason: string, cause?: unknown): MessagingError =>
      new MessagingError(
        MESSAGING_ERROR_CODES.providerFailed,
        `sms provider ${this.name} failed (${reason})`,
        { provider: this.name, reason },
        cause,
      );
    let res: Response;
    try {
      res = await fetch(this.options.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(this.options.token === undefined ? {} : { authorization: `Bearer ${this.options.token}` }),
        },
        body: JSON.stringify({ to: message.to, text: message.text }),
        signal: AbortSignal.any([signal, AbortSignal.timeout(this.timeoutMs)]),
      });
    } catch (error) {
      throw fail(error instanceof Error && error.name === 'TimeoutError' ? 'timeout' : 'network', error);
    }
    if (!res.ok) {
      await res.body?.cancel();
      throw fail(`status ${res.status}`);
    }
    const body = (await res.json().catch(() => undefined)) as { id?: unknown } | undefined;
    if (typeof body?.id !== 'string' || body.id.length === 0) throw fail('no id in the answer');
    return { providerMessageId: body.id, provider: this.name };
  }
}

/** Tries each provider in order until one accepts the message; reports every attempt. */
export class FailoverSmsProvider implements SmsProvider {
  readonly name: string;

  constructor(private readonly providers: readonly SmsProvider[]) {
    assertOption(Array.isArray(providers) && providers.length >= 1, 'providers', 'needs at least one provider');
    this.name = `failover(${providers.map((p) => p.name).join(',')})`;
  }

  get members(): string[] {
    return this.providers.map((p) => p.name);
  }

  async send(message: SmsMessage, signal: AbortSignal): Promise<ProviderResult> {
    const attempts: Array<{ provider: string; ok: boolean; error?: string }> = [];
    for (const p of this.providers) {
      if (signal.aborted) break;
      try {
        const result = await p.send(message, signal);
        attempts.push({ provider: p.name, ok: true });
        return { ...result, provider: result.provider ?? p.name, attempts };
      } catch (error) {
        attempts.push({ provider: p.name, ok: false, error: (error as { code?: string }).code ?? 'Error' });
      }
    }
    throw new MessagingError(MESSAGING_ERROR_CODES.providerFailed, 'every sms provider failed', {
      provider: this.name,
      attempts,
    });
  }
}
