import { APIError, readJson, writeError, writeResponse, type Handler } from 'plumego/contract';
import { principalFromContext } from 'plumego/security';
import type { OrderRepository } from '../domain/orders.ts';

export interface OrderHandlerDeps {
  orders: OrderRepository;
  now: () => Date;
}

const notFound = new APIError({ type: 'resource_not_found', code: 'ORDER_NOT_FOUND', message: 'order not found' });

function invalid(field: string, problem: string): APIError {
  return new APIError({
    type: 'validation_failure',
    code: 'ORDER_INVALID',
    message: 'order is invalid',
    details: { field, problem },
  });
}

function readInt(raw: string | null, fallback: number, min: number, max: number): number | undefined {
  if (raw === null) return fallback;
  if (!/^[0-9]{1,6}$/.test(raw)) return undefined;
  const value = Number(raw);
  return value >= min && value <= max ? value : undefined;
}

/** GET /api/v1/orders?limit&offset (public). */
export function createListOrdersHandler(deps: OrderHandlerDeps): Handler {
  return async (w, r) => {
    const limit = readInt(r.query.get('limit'), 20, 1, 100);
    const offset = readInt(r.query.get('offset'), 0, 0, 1_000_000);
    if (limit === undefined || offset === undefined) {
      writeError(w, r, invalid(limit === undefined ? 'limit' : 'offset', 'out of range'));
      return;
    }
    const { orders, total } = await deps.orders.list(limit, offset);
    writeResponse(w, r, 200, orders, { total, limit, offset });
  };
}

/** GET /api/v1/orders/:id (public). */
export function createGetOrderHandler(deps: OrderHandlerDeps): Handler {
  return async (w, r) => {
    const order = await deps.orders.get(r.param('id'));
    if (order === undefined) writeError(w, r, notFound);
    else writeResponse(w, r, 200, order);
  };
}

/** POST /api/v1/orders `{item, quantity}` (JWT with `orders:write`, idempotent). */
export function createCreateOrderHandler(deps: OrderHandlerDeps): Handler {
  return async (w, r) => {
    const body = (await readJson(r)) as { item?: unknown; quantity?: unknown } | null;
    if (typeof body?.item !== 'string' || body.item.trim() === '' || body.item.length > 200) {
      writeError(w, r, invalid('item', 'must be a non-empty string of at most 200 characters'));
      return;
    }
    if (
      typeof body.quantity !== 'number' ||
      !Number.isInteger(body.quantity) ||
      body.quantity < 1 ||
      body.quantity > 1000
    ) {
      writeError(w, r, invalid('quantity', 'must be an integer from 1 to 1000'));
      return;
    }
    // The auth middleware guarantees a principal on this route.
    const owner = principalFromContext(r.ctx)?.subject ?? '';
    // The idempotency middleware on this route requires the key; passing it on closes the crash
    // window between the order row and the idempotency record (see OrderRepository).
    const { order } = await deps.orders.create(
      { item: body.item.trim(), quantity: body.quantity, owner },
      deps.now(),
      r.header('idempotency-key'),
    );
    w.setHeader('location', `/api/v1/orders/${order.id}`);
    writeResponse(w, r, 201, order);
  };
}
