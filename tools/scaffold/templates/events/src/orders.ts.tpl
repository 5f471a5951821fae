import { randomUUID } from 'node:crypto';
import { APIError, readJson, writeResponse, type Handler } from 'plumego/contract';
import type { Broker, Subscription } from 'plumego/x/messaging/pubsub';

export interface Order {
  readonly id: string;
  readonly sku: string;
  readonly quantity: number;
  status: 'placed' | 'fulfilled';
}

export const ORDER_PLACED = 'orders.placed';
export const ORDER_DEAD_LETTERS = 'dlq.orders';

function parseOrder(body: unknown): Pick<Order, 'sku' | 'quantity'> {
  const rec = typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : undefined;
  const invalid: Record<string, string> = {};
  if (typeof rec?.['sku'] !== 'string' || !/^[A-Z0-9-]{1,32}$/.test(rec['sku'])) invalid['sku'] = 'must be 1-32 characters of A-Z, 0-9 and -';
  if (!Number.isInteger(rec?.['quantity']) || (rec?.['quantity'] as number) < 1) invalid['quantity'] = 'must be a positive integer';
  if (Object.keys(invalid).length) throw new APIError({ type: 'invalid_format', code: 'ORDER_INVALID_FIELD', message: 'invalid fields', details: invalid });
  return { sku: rec!['sku'] as string, quantity: rec!['quantity'] as number };
}

/**
 * Placing an order stores it and publishes orders.placed; fulfilment happens in the subscriber, not
 * in the request. Delivery is at-least-once, so fulfilling is idempotent (a second delivery finds
 * the order already fulfilled).
 */
export function createOrders(broker: Broker, fulfil: (order: Order) => void | Promise<void> = () => {}) {
  const orders = new Map<string, Order>();
  const place: Handler = async (w, r) => {
    const order: Order = { id: randomUUID(), ...parseOrder(await readJson(r)), status: 'placed' };
    orders.set(order.id, order);
    // The answer is the order as accepted: an in-process broker may fulfil it during publish.
    const accepted = { ...order };
    await broker.publish(ORDER_PLACED, JSON.stringify({ id: order.id }));
    writeResponse(w, r, 202, accepted);
  };
  const get: Handler = (w, r) => {
    const order = orders.get(r.param('id'));
    if (!order) throw new APIError({ type: 'resource_not_found', code: 'ORDER_NOT_FOUND', message: 'order not found' });
    writeResponse(w, r, 200, order);
  };
  /** A failing fulfilment is redelivered up to 3 times, then parked on dlq.orders. */
  const start = (): Promise<Subscription> => broker.subscribe(ORDER_PLACED, async (message) => {
    const { id } = JSON.parse(new TextDecoder().decode(message.data)) as { id: string };
    const order = orders.get(id);
    if (!order || order.status === 'fulfilled') return;
    await fulfil(order);
    order.status = 'fulfilled';
  }, { group: 'fulfilment', maxDeliver: 3, deadLetterSubject: ORDER_DEAD_LETTERS });
  return { place, get, start };
}
