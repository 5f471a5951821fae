import { assertOption } from './errors.ts';
import { QueryParams } from './query-params.ts';
import type { FieldType, Filter, FilterOp, ListQuery, Sort } from './repository.ts';

export interface FilterSpec {
  readonly type: FieldType;
  /** Allowed operators (default `['eq']`). */
  readonly ops?: readonly FilterOp[];
}

export interface ListOptions {
  /** Fields a client may sort by; the id is always a final tiebreak. */
  readonly sort?: readonly string[];
  /** Used when the request has no `sort` (default: the id, ascending). */
  readonly defaultSort?: string;
  readonly filters?: Readonly<Record<string, FilterSpec>>;
  readonly defaultPageSize?: number;
  readonly maxPageSize?: number;
}

export interface ResolvedListOptions {
  readonly sort: ReadonlySet<string>;
  readonly defaultSort: readonly Sort[];
  readonly filters: ReadonlyMap<string, { type: FieldType; ops: ReadonlySet<FilterOp> }>;
  readonly defaultPageSize: number;
  readonly maxPageSize: number;
  readonly idField: string;
}

const OPS: readonly FilterOp[] = ['eq', 'ne', 'lt', 'lte', 'gt', 'gte', 'in', 'contains'];
const FIELD = /^[a-z_][a-z0-9_]{0,62}$/i;
const RESERVED = new Set(['page', 'page_size', 'sort', 'cursor', 'total']);

function parseSortSpec(spec: string): Sort[] {
  return spec
    .split(',')
    .filter((s) => s !== '')
    .map((s) => (s.startsWith('-') ? { field: s.slice(1), desc: true } : { field: s, desc: false }));
}

export function resolveListOptions(options: ListOptions = {}, idField = 'id'): ResolvedListOptions {
  const sort = new Set(options.sort ?? []);
  for (const f of sort) assertOption(FIELD.test(f), `list.sort.${f}`, 'must be a plain field name');
  const filters = new Map<string, { type: FieldType; ops: ReadonlySet<FilterOp> }>();
  for (const [field, spec] of Object.entries(options.filters ?? {})) {
    assertOption(
      FIELD.test(field) && !RESERVED.has(field),
      `list.filters.${field}`,
      'must be a plain field name other than page, page_size, sort, cursor, total',
    );
    assertOption(
      ['string', 'integer', 'number', 'boolean'].includes(spec?.type),
      `list.filters.${field}.type`,
      'must be string, integer, number or boolean',
    );
    const ops = spec.ops ?? ['eq'];
    assertOption(
      ops.length > 0 && ops.every((o) => OPS.includes(o)),
      `list.filters.${field}.ops`,
      `must be a non-empty subset of ${OPS.join(', ')}`,
    );
    assertOption(
      !ops.includes('contains') || spec.type === 'string',
      `list.filters.${field}.ops`,
      'contains needs a string field',
    );
    filters.set(field, { type: spec.type, ops: new Set(ops) });
  }
  const defaultPageSize = options.defaultPageSize ?? 20;
  const maxPageSize = options.maxPageSize ?? 100;
  assertOption(
    Number.isInteger(maxPageSize) && maxPageSize > 0 && maxPageSize <= 10_000,
    'list.maxPageSize',
    'must be an integer in 1..10000',
  );
  assertOption(
    Number.isInteger(defaultPageSize) && defaultPageSize > 0 && defaultPageSize <= maxPageSize,
    'list.defaultPageSize',
    'must be an integer in 1..maxPageSize',
  );
  const defaultSort = parseSortSpec(options.defaultSort ?? idField);
  for (const s of defaultSort)
    assertOption(s.field === idField || sort.has(s.field), 'list.defaultSort', 'must use fields listed in list.sort');
  return { sort, defaultSort, filters, defaultPageSize, maxPageSize, idField };
}

/** A refusal of one query parameter; the handler turns it into a 400 naming the parameter. */
export class QueryProblem {
  constructor(
    readonly parameter: string,
    readonly problem: string,
  ) {}
}

function parseValue(raw: string, type: FieldType, parameter: string): string | number | boolean {
  switch (type) {
    case 'string':
      return raw;
    case 'boolean':
      if (raw === 'true') return true;
      if (raw === 'false') return false;
      throw new QueryProblem(parameter, 'must be true or false');
    case 'integer':
      if (!/^-?\d{1,15}$/.test(raw)) throw new QueryProblem(parameter, 'must be an integer');
      return Number(raw);
    case 'number': {
      const n = raw.trim() === '' ? NaN : Number(raw);
      if (!Number.isFinite(n)) throw new QueryProblem(parameter, 'must be a number');
      return n;
    }
  }
}

function positiveInt(raw: string | null, parameter: string, fallback: number, max: number): number {
  if (raw === null) return fallback;
  if (!/^\d{1,9}$/.test(raw)) throw new QueryProblem(parameter, `must be an integer from 1 to ${max}`);
  const n = Number(raw);
  if (n < 1 || n > max) throw new QueryProblem(parameter, `must be an integer from 1 to ${max}`);
  return n;
}

/** Cursors are opaque to clients: base64url JSON of the last row's sort values, checked on the way back. */
export function encodeCursor(values: readonly unknown[]): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

function decodeCursor(raw: string, sort: readonly Sort[]): unknown[] {
  let values: unknown;
  try {
    values = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    throw new QueryProblem('cursor', 'is not a cursor this API issued');
  }
  if (
    !Array.isArray(values) ||
    values.length !== sort.length ||
    !values.every((v) => ['string', 'number', 'boolean'].includes(typeof v) || v === null)
  ) {
    throw new QueryProblem('cursor', 'is not a cursor this API issued');
  }
  return values;
}

/**
 * Parses `page`, `page_size`, `sort=-a,b`, `cursor`, `total=false` and filters (`field=v` for `eq`,
 * `field[op]=v`, `field[in]=a,b`) against the allow-lists. Anything unknown or malformed is a
 * `QueryProblem`: a typo in a filter must not silently return every row.
 */
export function parseListQuery(query: URLSearchParams, o: ResolvedListOptions): ListQuery {
  return listQueryOf(QueryParams.from(query), o);
}

/** `parseListQuery` over already split pairs (the list route parses the raw query itself). */
export function listQueryOf(query: QueryParams, o: ResolvedListOptions): ListQuery {
  const filters: Filter[] = [];
  for (const key of query.uniqueNames()) {
    if (RESERVED.has(key)) continue;
    const m = /^([^[\]]+)(?:\[([a-z]+)\])?$/.exec(key);
    const field = m?.[1] ?? key;
    const spec = o.filters.get(field);
    if (!m || !spec) throw new QueryProblem(key, 'is not a filter this resource accepts');
    const op = (m[2] ?? 'eq') as FilterOp;
    if (!spec.ops.has(op)) throw new QueryProblem(key, `operator ${op} is not allowed on ${field}`);
    const all = query.getAll(key);
    if (all.length !== 1) throw new QueryProblem(key, 'must be given once');
    const raw = all[0]!;
    if (op === 'in') {
      const parts = raw.split(',');
      if (parts.length > 100) throw new QueryProblem(key, 'takes at most 100 values');
      filters.push({ field, op, value: parts.map((p) => parseValue(p, spec.type, key)) });
    } else {
      filters.push({ field, op, value: parseValue(raw, spec.type, key) });
    }
  }

  let sort: Sort[] = [...o.defaultSort];
  const sortParam = query.getAll('sort');
  if (sortParam.length > 1) throw new QueryProblem('sort', 'must be given once');
  if (sortParam.length === 1) {
    sort = parseSortSpec(sortParam[0]!);
    if (sort.length === 0 || sort.length > 5) throw new QueryProblem('sort', 'must name 1 to 5 fields');
    for (const s of sort)
      if (s.field !== o.idField && !o.sort.has(s.field)) throw new QueryProblem('sort', `cannot sort by ${s.field}`);
    if (new Set(sort.map((s) => s.field)).size !== sort.length) throw new QueryProblem('sort', 'names a field twice');
  }
  if (!sort.some((s) => s.field === o.idField)) sort.push({ field: o.idField, desc: sort.at(-1)?.desc ?? false });

  const limit = positiveInt(query.get('page_size'), 'page_size', o.defaultPageSize, o.maxPageSize);
  const cursor = query.get('cursor');
  const totalParam = query.get('total');
  if (totalParam !== null && totalParam !== 'true' && totalParam !== 'false')
    throw new QueryProblem('total', 'must be true or false');
  if (cursor !== null) {
    if (query.has('page')) throw new QueryProblem('page', 'cannot be combined with cursor');
    return {
      filters,
      sort,
      limit,
      offset: 0,
      after: cursor === '' ? [] : decodeCursor(cursor, sort),
      withTotal: false,
    };
  }
  const page = positiveInt(query.get('page'), 'page', 1, 1_000_000);
  return { filters, sort, limit, offset: (page - 1) * limit, withTotal: totalParam !== 'false' };
}
