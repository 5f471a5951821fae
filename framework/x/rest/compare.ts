import type { Filter, Sort } from './repository.ts';

/** SQL-like ordering: null sorts last ascending, strings by code unit (like `COLLATE "C"`). */
export function compareValues(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === null || a === undefined) return 1;
  if (b === null || b === undefined) return -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  const x = String(a);
  const y = String(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

export function compareRows(a: Record<string, unknown>, b: Record<string, unknown>, sort: readonly Sort[]): number {
  for (const s of sort) {
    const c = compareValues(a[s.field], b[s.field]);
    if (c !== 0) return s.desc ? -c : c;
  }
  return 0;
}

/** Whether `row` comes strictly after the cursor position `after` in the `sort` order (keyset paging). */
export function isAfter(row: Record<string, unknown>, after: readonly unknown[], sort: readonly Sort[]): boolean {
  for (let i = 0; i < sort.length; i++) {
    const s = sort[i]!;
    const c = compareValues(row[s.field], after[i]);
    if (c !== 0) return s.desc ? c < 0 : c > 0;
  }
  return false;
}

export function matchesFilter(row: Record<string, unknown>, f: Filter): boolean {
  const v = row[f.field];
  switch (f.op) {
    case 'eq':
      return v === f.value;
    case 'ne':
      return v !== f.value;
    case 'lt':
      return v !== null && v !== undefined && compareValues(v, f.value) < 0;
    case 'lte':
      return v !== null && v !== undefined && compareValues(v, f.value) <= 0;
    case 'gt':
      return v !== null && v !== undefined && compareValues(v, f.value) > 0;
    case 'gte':
      return v !== null && v !== undefined && compareValues(v, f.value) >= 0;
    case 'in':
      return (f.value as readonly unknown[]).includes(v);
    case 'contains':
      return typeof v === 'string' && v.includes(String(f.value));
  }
}
