import { randomUUID } from 'node:crypto';
import { APIError, writeResponse, type Handler } from 'plumego/contract';
import { bindJson, bindParams, bindQuery, t, type Infer } from 'plumego/x/validate';

// One schema per contract: the handlers validate with them and the OpenAPI document describes them.
export const itemSchema = t.object({
  id: t.string({ description: 'Server-assigned id.' }),
  name: t.string({ minLength: 1, maxLength: 100 }),
  price_cents: t.integer({ minimum: 0 }),
  tags: t.array(t.string({ minLength: 1, maxLength: 20 }), { maxItems: 5 }),
});

export const createItemSchema = t.object({
  name: t.string({ minLength: 1, maxLength: 100 }),
  price_cents: t.integer({ minimum: 0 }),
  tags: t.optional(t.array(t.string({ minLength: 1, maxLength: 20 }), { maxItems: 5 })),
});

export const listItemsQuery = t.object({
  limit: t.integer({ minimum: 1, maximum: 100, default: 20 }),
  offset: t.integer({ minimum: 0, default: 0 }),
});

export const itemParams = t.object({ id: t.string({ format: 'uuid' }) });

export type Item = Infer<typeof itemSchema>;
export type CreateItem = Infer<typeof createItemSchema>;

/** Storage for items: in memory here, a database behind the same interface in production. */
export interface ItemStore {
  list(limit: number, offset: number): { items: Item[]; total: number };
  get(id: string): Item | undefined;
  create(input: CreateItem): Item;
}

export class MemoryItemStore implements ItemStore {
  readonly #items = new Map<string, Item>();
  list(limit: number, offset: number): { items: Item[]; total: number } {
    const all = [...this.#items.values()];
    return { items: all.slice(offset, offset + limit), total: all.length };
  }
  get(id: string): Item | undefined {
    return this.#items.get(id);
  }
  create(input: CreateItem): Item {
    const item: Item = { id: randomUUID(), name: input.name, price_cents: input.price_cents, tags: input.tags ?? [] };
    this.#items.set(item.id, item);
    return item;
  }
}

/** The binders throw contract validation errors naming each failing field; recovery writes them. */
export function createItemHandlers(store: ItemStore): Record<'list' | 'get' | 'create', Handler> {
  return {
    list: (w, r) => {
      const q = bindQuery(r, listItemsQuery);
      const { items, total } = store.list(q.limit, q.offset);
      writeResponse(w, r, 200, items, { total, limit: q.limit, offset: q.offset });
    },
    get: (w, r) => {
      const item = store.get(bindParams(r, itemParams).id);
      if (!item) throw new APIError({ type: 'resource_not_found', code: 'ITEM_NOT_FOUND', message: 'item not found' });
      writeResponse(w, r, 200, item);
    },
    create: async (w, r) => writeResponse(w, r, 201, store.create(await bindJson(r, createItemSchema))),
  };
}
