import type { Context } from 'plumego/contract';
import { compareRows, isAfter, matchesFilter } from './compare.ts';
import { assertOption, REST_ERROR_CODES, RestError } from './errors.ts';
import type { BatchDeleteResult, ListQuery, Repository, RepositoryContext, Row, UpdateOptions } from './repository.ts';

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

/** Rows in a Map per partition, with auto-increment integer ids (one sequence across partitions). For tests, demos and single-process apps. */
export class MemoryRepository<T extends Row> implements Repository<T> {
  readonly #parts = new Map<string, { rows: Map<number, T> }>();
  // One sequence for all partitions, like a SQL serial: an id names one row of one partition only.
  #next = 1;
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

  #part(rc: RepositoryContext): { rows: Map<number, T> } {
    const key = this.#partition(rc.ctx);
    let p = this.#parts.get(key);
    if (!p) this.#parts.set(key, (p = { rows: new Map() }));
    return p;
  }

  #checkUnique(rows: Iterable<Row>, row: Row, selfId?: number): void {
    const clash = this.#clash(rows, row, selfId);
    if (clash)
      throw new RestError(REST_ERROR_CODES.conflict, `a row with the same ${clash.join(', ')} exists`, {
        fields: [...clash],
      });
  }

  #clash(rows: Iterable<Row>, row: Row, selfId?: number): readonly string[] | undefined {
    for (const fields of this.#unique) {
      for (const other of rows) {
        if (other['id'] === selfId) continue;
        if (fields.every((f) => other[f] === row[f])) return fields;
      }
    }
    return undefined;
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
    if (p.rows.size >= this.#max)
      throw new RestError(REST_ERROR_CODES.conflict, 'the collection is full', { max: this.#max });
    const row = {
      ...structuredClone(data),
      id: this.#next,
      ...(this.#version ? { [this.#version]: 1 } : {}),
    } as unknown as T;
    this.#checkUnique(p.rows.values(), row);
    this.#next++;
    p.rows.set(row['id'] as number, row);
    return structuredClone(row);
  }

  /** All or nothing: every row is checked (capacity, uniqueness against the stored rows and each other) before any is stored. */
  async createMany(data: readonly Row[], rc: RepositoryContext): Promise<T[]> {
    const p = this.#part(rc);
    if (p.rows.size + data.length > this.#max)
      throw new RestError(REST_ERROR_CODES.conflict, 'the collection is full', { max: this.#max });
    const rows = data.map(
      (d, i) =>
        ({
          ...structuredClone(d),
          id: this.#next + i,
          ...(this.#version ? { [this.#version]: 1 } : {}),
        }) as unknown as T,
    );
    const problems: Record<string, string> = {};
    rows.forEach((row, i) => {
      const clash = this.#clash(p.rows.values(), row) ?? this.#clash(rows.slice(0, i), row);
      if (clash) problems[`items[${i}]`] = `a row with the same ${clash.join(', ')} exists`;
    });
    if (Object.keys(problems).length > 0)
      throw new RestError(REST_ERROR_CODES.conflict, 'a row with the same unique values exists', problems);
    this.#next += rows.length;
    for (const row of rows) p.rows.set(row['id'] as number, row);
    return rows.map((r) => structuredClone(r));
  }

  async deleteMany(ids: readonly (string | number)[], rc: RepositoryContext): Promise<BatchDeleteResult> {
    const p = this.#part(rc);
    const missing = ids.filter((id) => !p.rows.has(Number(id)));
    if (missing.length > 0) return { deleted: 0, missing };
    for (const id of ids) p.rows.delete(Number(id));
    return { deleted: ids.length, missing: [] };
  }

  async update(
    id: string | number,
    data: Row,
    options: UpdateOptions,
    rc: RepositoryContext,
  ): Promise<T | 'not_found' | 'version_mismatch'> {
    const p = this.#part(rc);
    const current = p.rows.get(Number(id));
    if (!current) return 'not_found';
    if (this.#version && options.ifVersion !== undefined && current[this.#version] !== options.ifVersion)
      return 'version_mismatch';
    const base = options.replace ? { id: current['id'] } : current;
    const next = { ...structuredClone(base), ...structuredClone(data), id: current['id'] } as Row;
    if (this.#version) next[this.#version] = (current[this.#version] as number) + 1;
    this.#checkUnique(p.rows.values(), next, current['id'] as number);
    p.rows.set(Number(id), next as T);
    return structuredClone(next as T);
  }

  async delete(
    id: string | number,
    options: { ifVersion?: number },
    rc: RepositoryContext,
  ): Promise<'deleted' | 'not_found' | 'version_mismatch'> {
    const p = this.#part(rc);
    const current = p.rows.get(Number(id));
    if (!current) return 'not_found';
    if (this.#version && options.ifVersion !== undefined && current[this.#version] !== options.ifVersion)
      return 'version_mismatch';
    p.rows.delete(Number(id));
    return 'deleted';
  }
}
