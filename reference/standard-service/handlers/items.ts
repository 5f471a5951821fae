import { APIError, readJson, writeResponse, type Handler, type Request } from 'plumego/contract';
import { parseItemInput } from '../domain/item-input.ts';
import type { ItemInput, ItemStore } from '../domain/item.ts';

function intParam(r: Request, name: string, def: number, min: number, max: number): number {
  const raw = r.query.get(name);
  if (raw === null) return def;
  const n = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new APIError({
      type: 'bad_request',
      code: 'ITEMS_INVALID_PARAM',
      message: `query parameter "${name}" must be an integer in [${min}, ${max}]`,
      details: { param: name },
    });
  }
  return n;
}

/** A full input from a validated non-partial one (name is guaranteed there). */
function withDefaults(input: Partial<ItemInput>): ItemInput {
  return { name: input.name ?? '', description: input.description ?? '', price: input.price ?? 0 };
}

function notFound(): APIError {
  return new APIError({ type: 'resource_not_found', code: 'ITEM_NOT_FOUND', message: 'item not found' });
}

/** CRUD handlers over an `ItemStore`. Errors are thrown as `APIError`s; recovery writes them. */
export function createItemHandlers(store: ItemStore) {
  const list: Handler = (w, r) => {
    const limit = intParam(r, 'limit', 20, 1, 100);
    const offset = intParam(r, 'offset', 0, 0, Number.MAX_SAFE_INTEGER);
    const { items, total } = store.list(limit, offset);
    writeResponse(w, r, 200, items, { total, limit, offset });
  };
  const get: Handler = (w, r) => {
    const item = store.get(r.param('id'));
    if (item === undefined) throw notFound();
    writeResponse(w, r, 200, item);
  };
  const create: Handler = async (w, r) => {
    writeResponse(w, r, 201, store.create(withDefaults(parseItemInput(await readJson(r), false))));
  };
  const replace: Handler = async (w, r) => {
    const item = store.update(r.param('id'), withDefaults(parseItemInput(await readJson(r), false)));
    if (item === undefined) throw notFound();
    writeResponse(w, r, 200, item);
  };
  const patch: Handler = async (w, r) => {
    const input = parseItemInput(await readJson(r), true);
    const old = store.get(r.param('id'));
    if (old === undefined) throw notFound();
    const item = store.update(old.id, { name: old.name, description: old.description, price: old.price, ...input });
    writeResponse(w, r, 200, item);
  };
  const remove: Handler = (w, r) => {
    if (!store.delete(r.param('id'))) throw notFound();
    writeResponse(w, r, 204);
  };
  return { list, get, create, replace, patch, remove };
}
