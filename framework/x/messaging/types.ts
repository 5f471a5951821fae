export type Channel = 'email' | 'sms';

export interface EmailMessage {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html?: string;
}

export interface SmsMessage {
  readonly to: string;
  readonly text: string;
}

export interface ProviderAttempt {
  readonly provider: string;
  readonly ok: boolean;
  readonly error?: string;
}

export interface ProviderResult {
  /** The provider's id for the message, for support and reconciliation. */
  readonly providerMessageId: string;
  /** Which provider delivered it (a failover names its member). Default: the provider's own name. */
  readonly provider?: string;
  /** Each provider tried, in order (a failover reports its members so channel health sees them). */
  readonly attempts?: readonly ProviderAttempt[];
}

export interface EmailProvider {
  readonly name: string;
  send(message: EmailMessage, signal: AbortSignal): Promise<ProviderResult>;
}

export interface SmsProvider {
  readonly name: string;
  send(message: SmsMessage, signal: AbortSignal): Promise<ProviderResult>;
}

export interface SendRequest {
  readonly tenantId: string;
  readonly channel: Channel;
  /** Email address or E.164 phone number. */
  readonly to: string;
  /** A registered template and its variables; or give `subject`/`text` directly. */
  readonly template?: { readonly name: string; readonly data?: Readonly<Record<string, string | number>> };
  readonly subject?: string;
  readonly text?: string;
  /** Same tenant + key within the receipt history returns the first receipt; nothing is sent twice. */
  readonly idempotencyKey?: string;
}

export type ReceiptStatus = 'queued' | 'sending' | 'sent' | 'failed';

export interface ReceiptEvent {
  readonly status: ReceiptStatus;
  readonly at: number;
  /** Provider that answered, or the failure code. */
  readonly detail?: string;
}

export interface Receipt {
  readonly id: string;
  readonly tenantId: string;
  readonly channel: Channel;
  readonly to: string;
  readonly status: ReceiptStatus;
  readonly provider: string | undefined;
  readonly providerMessageId: string | undefined;
  readonly error: string | undefined;
  readonly history: readonly ReceiptEvent[];
  readonly createdAt: number;
}

export interface MessagingStats {
  readonly queued: number;
  readonly sending: number;
  readonly sent: number;
  readonly failed: number;
  readonly byChannel: Readonly<Record<Channel, { readonly sent: number; readonly failed: number }>>;
}

export type ChannelHealthStatus = 'healthy' | 'degraded' | 'down' | 'unconfigured';

export interface ChannelHealth {
  readonly channel: Channel;
  readonly status: ChannelHealthStatus;
  readonly providers: ReadonlyArray<{
    readonly name: string;
    readonly status: ChannelHealthStatus;
    readonly consecutiveFailures: number;
    readonly lastError: string | undefined;
  }>;
}
