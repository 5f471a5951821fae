export type OrderStatus = 'placed' | 'paid';

export interface Order {
  readonly id: string;
  readonly email: string;
  readonly totalCents: number;
  readonly status: OrderStatus;
  readonly createdAt: string;
}

export interface PlaceOrderInput {
  readonly email: string;
  readonly totalCents: number;
}

/** Orders in memory: the example is about the messaging around them, not their storage. */
export class OrderStore {
  private readonly orders = new Map<string, Order>();
  private seq = 0;

  place(input: PlaceOrderInput, now: Date): Order {
    const order: Order = {
      id: `o${++this.seq}`,
      email: input.email,
      totalCents: input.totalCents,
      status: 'placed',
      createdAt: now.toISOString(),
    };
    this.orders.set(order.id, order);
    return order;
  }

  get(id: string): Order | undefined {
    return this.orders.get(id);
  }

  markPaid(id: string): Order | undefined {
    const o = this.orders.get(id);
    if (o === undefined) return undefined;
    const paid = { ...o, status: 'paid' as const };
    this.orders.set(id, paid);
    return paid;
  }

  count(): number {
    return this.orders.size;
  }
}

/** Returns a valid input or a list of problems (field → rule). */
export function parsePlaceOrder(body: unknown): PlaceOrderInput | Record<string, string> {
  const b = (typeof body === 'object' && body !== null && !Array.isArray(body) ? body : {}) as Record<string, unknown>;
  const problems: Record<string, string> = {};
  if (typeof b.email !== 'string' || !/^[^\s@]{1,64}@[^\s@]{1,253}\.[A-Za-z]{2,63}$/.test(b.email))
    problems.email = 'must be an email address';
  if (!Number.isInteger(b.total_cents) || (b.total_cents as number) < 1 || (b.total_cents as number) > 100_000_000)
    problems.total_cents = 'must be an integer in 1..100000000';
  return Object.keys(problems).length > 0
    ? problems
    : { email: b.email as string, totalCents: b.total_cents as number };
}
