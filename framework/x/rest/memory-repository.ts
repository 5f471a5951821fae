import type { Context } from 'plumego/contract';
import { compareRows, isAfter, matchesFilter } from './compare.ts';
import { assertOption, REST_ERROR_CODES, RestError } from './errors.ts';
import type { ListQuery, Repository, RepositoryContext, Row, UpdateOptions } from './repository.ts';

export interface MemoryRepositoryOptions {
  /** Rows are kept apart per partition (e.g. `(ctx) => tenantIdFromContext(ctx)`); default one partition. */
  partition?: (ctx: Context) => string;
  /** Field sets that must be unique within a partition (a violation is `REST_CONFLICT`). */
  unique?: readonly (readonly string[])[];
  /** Field holding the row version (enables If-Match); default none. */
  versionField?: string;
  /** Most rows per partition (default 100 000): a memory store must not grow without bound. */
  maxRows?: number;
}

/** Rows in a Map per partition, with auto-increment integer ids. For tests, demos and single-process apps. */
export class MemoryRepository<T extends Row> implements Repository<T> {
  readonly #parts = new Map<string, { rows: Map<number, T>; next: number }>();
  readonly #partition: (ctx: Context) => string;
  readonly #unique: readonly (readonly string[])[];
  readonly #version: string | undefined;
  readonly #max: number;

  constructor(options: MemoryRepositoryOptions = {}) {
    this.#partition = options.partition ?? (() => '');
    this.#unique = options.unique ?? [];
    this.#version = options.versionField;
    this.#max = options.maxRows ?? 100_000;
    assertOption(typeof this.#partition === 'function', 'partition', 'must be a function');
    assertOption(Number.isInteger(this.#max) && this.#max > 0, 'maxRows', 'must be a positive integer');
  }

  #part(rc: RepositoryContext): { rows: Map<number, T>; next: number } {
    const key = this.#partition(rc.ctx);
    let p = this.#parts.get(key);
    if (!p) this.#parts.set(key, (p = { rows: new Map(), next: 1 }));
    return p;
  }

  #checkUnique(rows: Map<number, T>, row: Row, selfId?: number): void {
    for (const fields of this.#unique) {
      for (const other of rows.values()) {
        if (other['id'] === selfId) continue;
        if (fields.every((f) => other[f] === row[f])) throw new RestError(REST_ERROR_CODES.conflict, `a row with the same ${fields.join(', ')} exists`, { fields: [...fields] });
      }
    }
  }

  async list(q: ListQuery, rc: RepositoryContext): Promise<{ items: T[]; total?: number }> {
    let rows = [...this.#part(rc).rows.values()].filter((row) => q.filters.every((f) => matchesFilter(row, f)));
    const total = q.withTotal ? rows.length : undefined;
    rows.sort((a, b) => compareRows(a, b, q.sort));
    if (q.after && q.after.length > 0) rows = rows.filter((row) => isAfter(row, q.after!, q.sort));
    const items = rows.slice(q.offset, q.offset + q.limit).map((r) => structuredClone(r));
    return total === undefined ? { items } : { items, total };
  }

  async get(id: string | number, rc: RepositoryContext): Promise<T | undefined> {
    const row = this.#part(rc).rows.get(Number(id));
    return row && structuredClone(row);
  }

  async create(data: Row, rc: RepositoryContext): Promise<T> {
    const p = this.#part(rc);
    if (p.rows.size >= this.#max) throw new RestError(REST_ERROR_CODES.conflict, 'the collection is full', { max: this.#max });
    const row = { ...structuredClone(data), id: p.next, ...(this.#version ? { [this.#version]: 1 } : {}) } as unknown as T;
    this.#checkUnique(p.rows, row);
    p.next++;
    p.rows.set(row['id'] as number, row);
    return structuredClone(row);
  }

  async update(id: string | number, data: Row, options: UpdateOptions, rc: RepositoryContext): Promise<T | 'not_found' | 'version_mismatch'> {
    const p = this.#part(rc);
    const current = p.rows.get(Number(id));
    if (!current) return 'not_found';
    if (this.#version && options.ifVersion !== undefined && current[this.#version] !== options.ifVersion) return 'version_mismatch';
    const base = options.replace ? { id: current['id'] } : current;
    const next = { ...structuredClone(base), ...structuredClone(data), id: current['id'] } as Row;
    if (this.#version) next[this.#version] = (current[this.#version] as number) + 1;
    this.#checkUnique(p.rows, next, current['id'] as number);
    p.rows.set(Number(id), next as T);
    return structuredClone(next as T);
  }

  async delete(id: string | number, options: { ifVersion?: number }, rc: RepositoryContext): Promise<'deleted' | 'not_found' | 'version_mismatch'> {
    const p = this.#part(rc);
    const current = p.rows.get(Number(id));
    if (!current) return 'not_found';
    if (this.#version && options.ifVersion !== undefined && current[this.#version] !== options.ifVersion) return 'version_mismatch';
    p.rows.delete(Number(id));
    return 'deleted';
  }
}
