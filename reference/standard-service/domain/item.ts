import { randomUUID } from 'node:crypto';

/** A stored item. */
export interface Item {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly price: number;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** What a client may set. */
export interface ItemInput {
  name: string;
  description: string;
  price: number;
}

/** Storage for items (in memory here; a database in a real service). */
export interface ItemStore {
  list(limit: number, offset: number): { items: Item[]; total: number };
  get(id: string): Item | undefined;
  create(input: ItemInput): Item;
  update(id: string, input: ItemInput): Item | undefined;
  delete(id: string): boolean;
  /** Readiness probe for the store. */
  ping(): void;
}

/** Insertion-ordered in-memory store. */
export class MemoryItemStore implements ItemStore {
  readonly #items = new Map<string, Item>();
  constructor(private readonly now: () => Date = () => new Date()) {}

  list(limit: number, offset: number): { items: Item[]; total: number } {
    const all = [...this.#items.values()];
    return { items: all.slice(offset, offset + limit), total: all.length };
  }
  get(id: string): Item | undefined {
    return this.#items.get(id);
  }
  create(input: ItemInput): Item {
    const ts = this.now().toISOString();
    const item: Item = { id: randomUUID(), ...input, createdAt: ts, updatedAt: ts };
    this.#items.set(item.id, item);
    return item;
  }
  update(id: string, input: ItemInput): Item | undefined {
    const old = this.#items.get(id);
    if (old === undefined) return undefined;
    const item: Item = { ...old, ...input, updatedAt: this.now().toISOString() };
    this.#items.set(id, item);
    return item;
  }
  delete(id: string): boolean {
    return this.#items.delete(id);
  }
  ping(): void {}
}
