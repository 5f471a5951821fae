import { createTransport, type Transporter } from 'nodemailer';
import { assertOption, MESSAGING_ERROR_CODES, MessagingError } from '../errors.ts';
import type { EmailMessage, EmailProvider, ProviderResult } from '../types.ts';

export interface SmtpEmailProviderOptions {
  /** e.g. `smtp://user:pass@mail.example.com:587` or `smtps://…:465`. */
  readonly url: string;
  /** Sender address. */
  readonly from: string;
  /** Provider name in receipts and health. Default `smtp`. */
  readonly name?: string;
  /** Connection and greeting timeouts. Default 10 000 ms. */
  readonly timeoutMs?: number;
}

/** Email over SMTP through nodemailer (pooled connection, STARTTLS when the server offers it). */
export class SmtpEmailProvider implements EmailProvider {
  readonly name: string;
  private readonly transport: Transporter;

  constructor(private readonly options: SmtpEmailProviderOptions) {
    assertOption(
      typeof options.url === 'string' && /^smtps?:\/\//.test(options.url),
      'url',
      'must be an smtp:// or smtps:// URL',
    );
    assertOption(typeof options.from === 'string' && options.from.includes('@'), 'from', 'must be an email address');
    const timeout = options.timeoutMs ?? 10_000;
    this.name = options.name ?? 'smtp';
    const u = new URL(options.url);
    this.transport = createTransport({
      host: u.hostname,
      port: Number(u.port) || (u.protocol === 'smtps:' ? 465 : 587),
      secure: u.protocol === 'smtps:',
      ...(u.username ? { auth: { user: decodeURIComponent(u.username), pass: decodeURIComponent(u.password) } } : {}),
      pool: true,
      connectionTimeout: timeout,
      greetingTimeout: timeout,
      socketTimeout: timeout,
    });
  }

  async send(message: EmailMessage, signal: AbortSignal): Promise<ProviderResult> {
    if (signal.aborted) throw signal.reason;
    try {
      const info = await this.transport.sendMail({
        from: this.options.from,
        to: message.to,
        subject: message.subject,
        text: message.text,
        ...(message.html === undefined ? {} : { html: message.html }),
      });
      return { providerMessageId: String(info.messageId ?? ''), provider: this.name };
    } catch (error) {
      // nodemailer's message can carry server responses with addresses; keep the code only.
      const code = typeof (error as { code?: unknown }).code === 'string' ? (error as { code: string }).code : 'ESMTP';
      throw new MessagingError(
        MESSAGING_ERROR_CODES.providerFailed,
        `email provider ${this.name} failed (${code})`,
        { provider: this.name, reason: code },
        error,
      );
    }
  }

  close(): void {
    this.transport.close();
  }
}
