import { t, type Infer } from 'plumego/x/validate';

// One schema per contract: the handlers validate with them and the OpenAPI document describes them.
export const productSchema = t.object({
  id: t.string({ description: 'Server-assigned id.' }),
  name: t.string({ minLength: 1, maxLength: 80 }),
  sku: t.string({ pattern: '^[A-Z]{3}-\\d{4}$', description: 'Stock keeping unit, e.g. ABC-1234.' }),
  price_cents: t.integer({ minimum: 0 }),
  tags: t.array(t.string({ minLength: 1, maxLength: 20 }), { maxItems: 5 }),
});

export const createProductSchema = t.object({
  name: t.string({ minLength: 1, maxLength: 80 }),
  sku: t.string({ pattern: '^[A-Z]{3}-\\d{4}$' }),
  price_cents: t.integer({ minimum: 0 }),
  tags: t.optional(t.array(t.string({ minLength: 1, maxLength: 20 }), { maxItems: 5 })),
});

export const listProductsQuery = t.object({
  limit: t.integer({ minimum: 1, maximum: 100, default: 20 }),
  offset: t.integer({ minimum: 0, default: 0 }),
  tag: t.optional(t.string({ minLength: 1 })),
});

export const productParams = t.object({ id: t.string({ pattern: '^p[0-9]+$' }) });

export type Product = Infer<typeof productSchema>;
export type CreateProduct = Infer<typeof createProductSchema>;

/** App-local store interface: handlers never see how products are kept. */
export interface ProductStore {
  create(input: CreateProduct): Product;
  get(id: string): Product | undefined;
  list(query: { limit: number; offset: number; tag?: string }): { items: Product[]; total: number };
}

export class MemoryProductStore implements ProductStore {
  readonly #items = new Map<string, Product>();
  #next = 1;

  create(input: CreateProduct): Product {
    const product: Product = {
      id: `p${this.#next++}`,
      name: input.name,
      sku: input.sku,
      price_cents: input.price_cents,
      tags: input.tags ?? [],
    };
    this.#items.set(product.id, product);
    return product;
  }

  get(id: string): Product | undefined {
    return this.#items.get(id);
  }

  list(query: { limit: number; offset: number; tag?: string }): { items: Product[]; total: number } {
    const all = [...this.#items.values()].filter((p) => query.tag === undefined || p.tags.includes(query.tag));
    return { items: all.slice(query.offset, query.offset + query.limit), total: all.length };
  }
}
