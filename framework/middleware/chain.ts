import { composeMiddleware, type Handler, type Middleware } from 'plumego/contract';

/**
 * An ordered middleware list, built once into a handler. The first middleware added is the
 * outermost: `createChain(a, b).build(h)` behaves like `a(b(h))`.
 */
export class Chain {
  readonly #list: Middleware[] = [];

  constructor(middleware: readonly Middleware[] = []) {
    this.use(...middleware);
  }

  /** Appends middleware (inner to everything added before). Throws on a non-function. */
  use(...middleware: Middleware[]): this {
    middleware.forEach((mw, i) => {
      if (typeof mw !== 'function') throw new TypeError(`middleware at index ${i} is not a function`);
    });
    this.#list.push(...middleware);
    return this;
  }

  get length(): number {
    return this.#list.length;
  }

  /** A copy of the current list. */
  snapshot(): Middleware[] {
    return [...this.#list];
  }

  /** Composes the list around `handler` once. */
  build(handler: Handler): Handler {
    return composeMiddleware(this.#list, handler);
  }
}

/** Shorthand for `new Chain(middleware)`. */
export function createChain(...middleware: Middleware[]): Chain {
  return new Chain(middleware);
}
