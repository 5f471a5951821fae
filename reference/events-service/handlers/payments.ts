import { APIError, readBody, writeResponse, type Handler } from 'plumego/contract';
import { createHmacVerifier, isWebhookError, MemoryNonceStore } from 'plumego/x/messaging/webhook';
import type { Order, OrderStore } from '../domain/orders.ts';

/**
 * The payment provider's callback: the raw body is verified (HMAC-SHA256 over `<timestamp>.<body>`,
 * 5-minute tolerance, each payment id accepted once) before it is parsed.
 */
export function createPaymentWebhookHandler(
  secret: string,
  store: OrderStore,
  publishPaid: (order: Order) => Promise<void>,
): Handler {
  const verify = createHmacVerifier({
    secret,
    signatureHeader: 'x-payment-signature',
    signaturePrefix: 'sha256=',
    timestampHeader: 'x-payment-timestamp',
    nonceHeader: 'x-payment-id',
    nonceStore: new MemoryNonceStore(),
  });
  return async (w, r) => {
    const raw = await readBody(r, { maxBytes: 64 * 1024 });
    try {
      await verify({ headers: r.headers, body: raw });
    } catch (error) {
      if (!isWebhookError(error)) throw error;
      throw new APIError({ status: error.status, code: error.code, message: 'webhook refused' });
    }
    let orderId: unknown;
    try {
      orderId = (JSON.parse(raw.toString('utf8')) as { order_id?: unknown }).order_id;
    } catch {
      orderId = undefined;
    }
    if (typeof orderId !== 'string')
      throw new APIError({ type: 'bad_request', code: 'PAYMENT_EVENT_INVALID', message: 'order_id is required' });
    const order = store.markPaid(orderId);
    if (order === undefined)
      throw new APIError({ type: 'resource_not_found', code: 'ORDER_NOT_FOUND', message: 'order not found' });
    await publishPaid(order);
    writeResponse(w, r, 200, { order_id: order.id, status: order.status });
  };
}
