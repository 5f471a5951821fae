export { MESSAGING_ERROR_CODES, MessagingError, isMessagingError } from './errors.ts';
export type { MessagingErrorCode } from './errors.ts';
export { createMessagingHandler } from './http.ts';
export type { MessagingHandlerOptions } from './http.ts';
export { ChannelMonitor } from './monitor.ts';
export { FailoverSmsProvider, HttpSmsProvider } from './providers/http-sms.ts';
export type { HttpSmsProviderOptions } from './providers/http-sms.ts';
export { LogEmailProvider, LogSmsProvider } from './providers/log.ts';
export { SmtpEmailProvider } from './providers/smtp-email.ts';
export type { SmtpEmailProviderOptions } from './providers/smtp-email.ts';
export { MessagingService } from './service.ts';
export type { BatchResult, MessagingServiceOptions } from './service.ts';
export { TemplateRegistry } from './templates.ts';
export type { MessageTemplate, RenderedMessage } from './templates.ts';
export type {
  Channel,
  ChannelHealth,
  ChannelHealthStatus,
  EmailMessage,
  EmailProvider,
  MessagingStats,
  ProviderAttempt,
  ProviderResult,
  Receipt,
  ReceiptEvent,
  ReceiptStatus,
  SendRequest,
  SmsMessage,
  SmsProvider,
} from './types.ts';
