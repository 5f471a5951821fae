/** Everything the service is configured with; read from the environment by `loadConfig`. */
export interface ServiceConfig {
  readonly addr: string;
  readonly serviceName: string;
  /** `inprocess` (default) or `nats`. */
  readonly broker: 'inprocess' | 'nats';
  readonly natsUrl: string;
  /** `sqlite` (default; `queuePath` or memory) or `redis` (BullMQ). */
  readonly queue: 'sqlite' | 'redis';
  readonly queuePath: string;
  readonly redisUrl: string;
  /** Where `order.placed` webhooks go; '' disables them. */
  readonly partnerWebhookUrl: string;
  readonly webhookSecret: string;
  /** Allow a private/loopback partner URL (local development, tests). */
  readonly allowPrivateWebhooks: boolean;
  /** Secret the payment provider signs `POST /api/v1/webhooks/payments` with. */
  readonly paymentSecret: string;
  /** SMTP URL for order emails; '' logs them instead. */
  readonly smtpUrl: string;
  readonly mailFrom: string;
  /** Bearer token for /admin/scheduler; at least 16 characters. */
  readonly adminToken: string;
  /** Namespace for broker and queue names, so several instances can share servers. */
  readonly namespace: string;
}

export const DEFAULT_CONFIG: ServiceConfig = Object.freeze({
  addr: ':8080',
  serviceName: 'events-service',
  broker: 'inprocess',
  natsUrl: 'nats://127.0.0.1:4222',
  queue: 'sqlite',
  queuePath: ':memory:',
  redisUrl: 'redis://127.0.0.1:6379',
  partnerWebhookUrl: '',
  webhookSecret: 'dev-webhook-secret-change-me',
  allowPrivateWebhooks: false,
  paymentSecret: 'dev-payment-secret-change-me',
  smtpUrl: '',
  mailFrom: 'shop@example.com',
  adminToken: 'dev-admin-token-change-me',
  namespace: 'events',
});

export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  constructor(
    readonly source: string,
    message: string,
  ) {
    super(`config ${source}: ${message}`);
    this.name = 'ConfigError';
  }
}

function oneOf<T extends string>(source: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value))
    throw new ConfigError(source, `expected one of ${allowed.join(', ')}`);
  return value as T;
}

/** Defaults < environment (`EVENTS_*`). Bad values fail at startup with the variable that caused them. */
export function loadConfig(env: Readonly<Record<string, string | undefined>> = process.env): ServiceConfig {
  const get = (name: string, fallback: string): string => env[name] ?? fallback;
  const d = DEFAULT_CONFIG;
  const config: ServiceConfig = {
    addr: get('EVENTS_ADDR', d.addr),
    serviceName: d.serviceName,
    broker: oneOf('EVENTS_BROKER', get('EVENTS_BROKER', d.broker), ['inprocess', 'nats'] as const),
    natsUrl: get('EVENTS_NATS_URL', d.natsUrl),
    queue: oneOf('EVENTS_QUEUE', get('EVENTS_QUEUE', d.queue), ['sqlite', 'redis'] as const),
    queuePath: get('EVENTS_QUEUE_PATH', d.queuePath),
    redisUrl: get('EVENTS_REDIS_URL', d.redisUrl),
    partnerWebhookUrl: get('EVENTS_PARTNER_WEBHOOK_URL', d.partnerWebhookUrl),
    webhookSecret: get('EVENTS_WEBHOOK_SECRET', d.webhookSecret),
    allowPrivateWebhooks:
      oneOf('EVENTS_ALLOW_PRIVATE_WEBHOOKS', get('EVENTS_ALLOW_PRIVATE_WEBHOOKS', 'false'), [
        'true',
        'false',
      ] as const) === 'true',
    paymentSecret: get('EVENTS_PAYMENT_SECRET', d.paymentSecret),
    smtpUrl: get('EVENTS_SMTP_URL', d.smtpUrl),
    mailFrom: get('EVENTS_MAIL_FROM', d.mailFrom),
    adminToken: get('EVENTS_ADMIN_TOKEN', d.adminToken),
    namespace: get('EVENTS_NAMESPACE', d.namespace),
  };
  if (!/^[A-Za-z0-9_-]{1,32}$/.test(config.namespace))
    throw new ConfigError('EVENTS_NAMESPACE', 'expected 1-32 characters of [A-Za-z0-9_-]');
  if (config.adminToken.length < 16) throw new ConfigError('EVENTS_ADMIN_TOKEN', 'expected at least 16 characters');
  if (config.partnerWebhookUrl !== '' && !/^https?:\/\//.test(config.partnerWebhookUrl))
    throw new ConfigError('EVENTS_PARTNER_WEBHOOK_URL', 'expected an http(s) URL');
  return config;
}
