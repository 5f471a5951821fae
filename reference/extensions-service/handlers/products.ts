import { APIError, writeResponse, type Handler } from 'plumego/contract';
import { bindJson, bindParams, bindQuery } from 'plumego/x/validate';
import { createProductSchema, listProductsQuery, productParams, type ProductStore } from '../domain/product.ts';
import { PriceUnavailableError, type PriceService } from '../domain/pricing.ts';

export interface ProductHandlers {
  list: Handler;
  create: Handler;
  get: Handler;
  price: Handler;
}

function notFound(): APIError {
  return new APIError({ type: 'resource_not_found', code: 'PRODUCT_NOT_FOUND', message: 'product not found' });
}

/** Validation errors thrown by the binders are already contract envelopes; recovery writes them. */
export function createProductHandlers(store: ProductStore, prices: PriceService): ProductHandlers {
  return {
    list: (w, r) => {
      const q = bindQuery(r, listProductsQuery);
      const { items, total } = store.list({
        limit: q.limit,
        offset: q.offset,
        ...(q.tag === undefined ? {} : { tag: q.tag }),
      });
      writeResponse(w, r, 200, items, { total, limit: q.limit, offset: q.offset });
    },
    create: async (w, r) => {
      const input = await bindJson(r, createProductSchema);
      writeResponse(w, r, 201, store.create(input));
    },
    get: (w, r) => {
      const { id } = bindParams(r, productParams);
      const product = store.get(id);
      if (!product) throw notFound();
      writeResponse(w, r, 200, product);
    },
    price: async (w, r) => {
      const { id } = bindParams(r, productParams);
      const product = store.get(id);
      if (!product) throw notFound();
      try {
        const cents = await prices.getPrice(product.sku, r.signal);
        writeResponse(w, r, 200, { id, sku: product.sku, price_cents: cents });
      } catch (error) {
        if (!(error instanceof PriceUnavailableError)) throw error;
        // 502 counts as a failure for the route's circuit breaker.
        throw new APIError({
          type: 'bad_gateway',
          code: 'PRICE_UNAVAILABLE',
          message: 'price upstream unavailable',
          cause: error,
        });
      }
    },
  };
}
