import { randomBytes } from 'node:crypto';
import type { EmailMessage, EmailProvider, ProviderResult, SmsMessage, SmsProvider } from '../types.ts';

/**
 * Development providers: nothing leaves the process; messages go to `onMessage` (default: kept,
 * newest last, up to 100, readable as `sent`). The README's two commands need no mail server.
 */
class LogProvider<M> {
  readonly sent: M[] = [];
  constructor(
    readonly name: string,
    private readonly onMessage?: (message: M) => void,
  ) {}
  async send(message: M): Promise<ProviderResult> {
    if (this.onMessage) this.onMessage(message);
    else {
      this.sent.push(message);
      if (this.sent.length > 100) this.sent.shift();
    }
    return { providerMessageId: `log-${randomBytes(6).toString('hex')}`, provider: this.name };
  }
}

export class LogEmailProvider extends LogProvider<EmailMessage> implements EmailProvider {
  constructor(onMessage?: (message: EmailMessage) => void) {
    super('log-email', onMessage);
  }
}

export class LogSmsProvider extends LogProvider<SmsMessage> implements SmsProvider {
  constructor(onMessage?: (message: SmsMessage) => void) {
    super('log-sms', onMessage);
  }
}
