import type { Context } from 'plumego/contract';

export type FilterOp = 'eq' | 'ne' | 'lt' | 'lte' | 'gt' | 'gte' | 'in' | 'contains';
export type FieldType = 'string' | 'integer' | 'number' | 'boolean';

export interface Filter {
  readonly field: string;
  readonly op: FilterOp;
  /** Already parsed to the field's type; an array for `in`. */
  readonly value: string | number | boolean | readonly (string | number | boolean)[];
}

export interface Sort {
  readonly field: string;
  readonly desc: boolean;
}

/** A validated list request: every field and operator in it is on the resource's allow-lists. */
export interface ListQuery {
  readonly filters: readonly Filter[];
  /** Always ends with the id, so the order is total and pages never overlap. */
  readonly sort: readonly Sort[];
  readonly limit: number;
  /** Offset pagination; 0 in cursor mode. */
  readonly offset: number;
  /** Cursor pagination: the sort values of the last row already seen. */
  readonly after?: readonly unknown[];
  /** Whether the caller wants a total count (offset mode). */
  readonly withTotal: boolean;
}

export interface RepositoryContext {
  /** The request context (tenant, principal, request id): repositories scope by it. */
  readonly ctx: Context;
  readonly signal?: AbortSignal;
}

export type Row = Record<string, unknown>;

export interface UpdateOptions {
  /** PUT replaces every writable field; PATCH merges. */
  readonly replace: boolean;
  /** Optimistic concurrency: update only while the row's version equals this. */
  readonly ifVersion?: number;
}

/** What `deleteMany` answers: nothing was deleted when `missing` is not empty. */
export interface BatchDeleteResult {
  readonly deleted: number;
  /** Ids not found (in the caller's scope: another tenant's row is missing too). */
  readonly missing: readonly (string | number)[];
}

/**
 * Where a resource's rows live. Implementations throw `RestError` `REST_CONFLICT` on a unique
 * violation; everything else they throw becomes a 500 without its message.
 */
export interface Repository<T extends Row> {
  list(query: ListQuery, rc: RepositoryContext): Promise<{ items: T[]; total?: number }>;
  get(id: string | number, rc: RepositoryContext): Promise<T | undefined>;
  create(data: Row, rc: RepositoryContext): Promise<T>;
  /** `not_found` when no such row; `version_mismatch` when `ifVersion` no longer holds. */
  update(
    id: string | number,
    data: Row,
    options: UpdateOptions,
    rc: RepositoryContext,
  ): Promise<T | 'not_found' | 'version_mismatch'>;
  delete(
    id: string | number,
    options: { ifVersion?: number },
    rc: RepositoryContext,
  ): Promise<'deleted' | 'not_found' | 'version_mismatch'>;
  /**
   * Optional (a resource's batch create needs it): inserts every row or none — one transaction in SQL.
   * A unique violation throws `REST_CONFLICT` with an `items[i]` detail per failing row, in order.
   */
  createMany?(data: readonly Row[], rc: RepositoryContext): Promise<T[]>;
  /** Optional (batch delete needs it): deletes every id or, when any is missing, none. */
  deleteMany?(ids: readonly (string | number)[], rc: RepositoryContext): Promise<BatchDeleteResult>;
}
