import { randomUUID } from 'node:crypto';
import { APIError, readJson, writeResponse, type Handler, type Request } from 'plumego/contract';

export interface Item {
  readonly id: string;
  readonly name: string;
  readonly price: number;
  readonly createdAt: string;
}

export type ItemInput = Pick<Item, 'name' | 'price'>;

/** Storage for items: in memory here, a database behind the same interface in production. */
export interface ItemStore {
  list(limit: number, offset: number): { items: Item[]; total: number };
  get(id: string): Item | undefined;
  create(input: ItemInput): Item;
  delete(id: string): boolean;
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
  create(input: ItemInput): Item {
    const item: Item = { id: randomUUID(), ...input, createdAt: new Date().toISOString() };
    this.#items.set(item.id, item);
    return item;
  }
  delete(id: string): boolean {
    return this.#items.delete(id);
  }
}

/** Checks a decoded body against the item shape; unknown and mistyped fields are rejected. */
export function parseItemInput(body: unknown): ItemInput {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new APIError({ type: 'bad_request', code: 'ITEM_BODY_NOT_OBJECT', message: 'body must be a JSON object' });
  }
  const rec = body as Record<string, unknown>;
  const unknown = Object.keys(rec).filter((k) => k !== 'name' && k !== 'price');
  if (unknown.length) throw new APIError({ type: 'bad_request', code: 'ITEM_UNKNOWN_FIELD', message: 'unknown field', details: { field: unknown[0] } });
  const invalid: Record<string, string> = {};
  if (typeof rec['name'] !== 'string' || rec['name'].trim() === '' || rec['name'].length > 100) invalid['name'] = 'must be a non-empty string of at most 100 characters';
  if (typeof rec['price'] !== 'number' || !Number.isFinite(rec['price']) || rec['price'] < 0) invalid['price'] = 'must be a non-negative number';
  if (Object.keys(invalid).length) throw new APIError({ type: 'invalid_format', code: 'ITEM_INVALID_FIELD', message: 'invalid fields', details: invalid });
  return { name: (rec['name'] as string).trim(), price: rec['price'] as number };
}

function readLimit(r: Request, name: string, fallback: number, max: number): number {
  const raw = r.query.get(name);
  if (raw === null) return fallback;
  const n = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(n) || n > max) throw new APIError({ type: 'bad_request', code: 'ITEMS_INVALID_PARAM', message: `query parameter "${name}" must be an integer in [0, ${max}]`, details: { param: name } });
  return n;
}

const notFound = (): APIError => new APIError({ type: 'resource_not_found', code: 'ITEM_NOT_FOUND', message: 'item not found' });

/** CRUD handlers over an ItemStore. Errors are thrown as APIErrors; the recovery middleware writes them. */
export function createItemHandlers(store: ItemStore): Record<'list' | 'get' | 'create' | 'remove', Handler> {
  return {
    list: (w, r) => {
      const limit = readLimit(r, 'limit', 20, 100);
      const offset = readLimit(r, 'offset', 0, Number.MAX_SAFE_INTEGER);
      const { items, total } = store.list(limit, offset);
      writeResponse(w, r, 200, items, { total, limit, offset });
    },
    get: (w, r) => {
      const item = store.get(r.param('id'));
      if (item === undefined) throw notFound();
      writeResponse(w, r, 200, item);
    },
    create: async (w, r) => writeResponse(w, r, 201, store.create(parseItemInput(await readJson(r)))),
    remove: (w, r) => {
      if (!store.delete(r.param('id'))) throw notFound();
      writeResponse(w, r, 204);
    },
  };
}
