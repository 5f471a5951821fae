import type { Broker, SubscribeOptions, Subscription } from 'plumego/x/messaging/pubsub';
import { assertOption, WEBHOOK_ERROR_CODES, WebhookError } from './errors.ts';
import type { WebhookSender } from './sender.ts';

export interface WebhookBridgeOptions {
  /** Target URL of every delivery, or one per subject (undefined skips the message, acked). */
  readonly url: string | ((subject: string) => string | undefined);
  /** Broker subscription options (queue group, maxDeliver, dead-letter subject…). Default: group `webhooks`. */
  readonly subscribe?: SubscribeOptions;
}

/**
 * Forwards every message on `pattern` as an outbound webhook: the subject is the event name, the
 * payload must be JSON. A delivery that ends `failed` throws, so the broker redelivers the message
 * and finally dead-letters it — a webhook is never dropped silently. A payload that is not JSON fails
 * WEBHOOK_INVALID_PAYLOAD and takes the same road to the dead-letter subject.
 */
export async function bridgeToWebhooks(
  broker: Broker,
  pattern: string,
  sender: WebhookSender,
  options: WebhookBridgeOptions,
): Promise<Subscription> {
  assertOption(
    typeof options.url === 'string' || typeof options.url === 'function',
    'url',
    'must be a URL or a function of the subject',
  );
  const decoder = new TextDecoder('utf-8', { fatal: true });
  return broker.subscribe(
    pattern,
    async (m) => {
      const url = typeof options.url === 'string' ? options.url : options.url(m.subject);
      if (url === undefined) return;
      let payload: unknown;
      try {
        payload = JSON.parse(decoder.decode(m.data));
      } catch (error) {
        throw new WebhookError(
          WEBHOOK_ERROR_CODES.invalidPayload,
          'a bridged message is not JSON',
          { subject: m.subject },
          error,
        );
      }
      const delivery = await sender.send(url, m.subject, payload);
      if (delivery.status !== 'delivered') {
        throw new WebhookError(
          WEBHOOK_ERROR_CODES.deliveryFailed,
          'the webhook delivery failed; the message will be redelivered',
          { delivery: delivery.id },
        );
      }
    },
    { group: 'webhooks', ...options.subscribe },
  );
}
