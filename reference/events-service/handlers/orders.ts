import { APIError, readJson, writeResponse, type Handler } from 'plumego/contract';
import { OrderStore, parsePlaceOrder, type Order, type PlaceOrderInput } from '../domain/orders.ts';

const isInput = (v: PlaceOrderInput | Record<string, string>): v is PlaceOrderInput =>
  typeof v['totalCents' as keyof typeof v] === 'number';

export interface OrderHandlers {
  place: Handler;
  get: Handler;
}

/** Placing an order answers once the `orders.placed` event is stored by the broker. */
export function createOrderHandlers(
  store: OrderStore,
  publishPlaced: (order: Order) => Promise<void>,
  now: () => Date,
): OrderHandlers {
  return {
    place: async (w, r) => {
      const input = parsePlaceOrder(await readJson(r, { maxBytes: 16 * 1024 }));
      if (!isInput(input)) throw new APIError({ type: 'validation_failure', message: 'invalid order', details: input });
      const order = store.place(input, now());
      await publishPlaced(order);
      writeResponse(w, r, 201, order);
    },
    get: (w, r) => {
      const order = store.get(r.param('id'));
      if (order === undefined)
        throw new APIError({ type: 'resource_not_found', code: 'ORDER_NOT_FOUND', message: 'order not found' });
      writeResponse(w, r, 200, order);
    },
  };
}
