export { bridgeToWebhooks } from './bridge.ts';
export type { WebhookBridgeOptions } from './bridge.ts';
export { SqliteDeliveryLog } from './delivery-log.ts';
export type { DeliveryAttempt, DeliveryLog, DeliveryRecord, DeliveryStatus } from './delivery-log.ts';
export { WEBHOOK_ERROR_CODES, WebhookError, isWebhookError } from './errors.ts';
export type { WebhookErrorCode } from './errors.ts';
export { MemoryNonceStore } from './nonce-store.ts';
export type { MemoryNonceStoreOptions, NonceStore } from './nonce-store.ts';
export { SIGNATURE_HEADERS, WebhookSender } from './sender.ts';
export type { WebhookSenderOptions } from './sender.ts';
export { computeSignature, signatureMatches } from './signature.ts';
export type { HmacAlgorithm, Secret, SignatureEncoding } from './signature.ts';
export { createGitHubVerifier, createHmacVerifier, createStripeVerifier } from './verify.ts';
export type {
  GitHubVerifierOptions,
  HmacVerifierOptions,
  InboundWebhook,
  StripeVerifierOptions,
  VerifiedWebhook,
  WebhookVerifier,
} from './verify.ts';
