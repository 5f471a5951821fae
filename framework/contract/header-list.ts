import { validateHeaderName, validateHeaderValue } from 'node:http';

/**
 * A precomputed block of constant response headers: a flat `[name, value, …]` list with lowercase
 * names, validated once at startup. Writers append it without re-validating or re-parsing.
 */
export type HeaderBlock = readonly string[] & { readonly __headerBlock: true };

/** Validates and freezes a header block; throws at startup (never per request) on a bad header. */
export function createHeaderBlock(headers: Readonly<Record<string, string | number>>): HeaderBlock {
  const flat: string[] = [];
  for (const [name, raw] of Object.entries(headers)) {
    const value = String(raw);
    validateHeaderName(name);
    validateHeaderValue(name, value);
    flat.push(name.toLowerCase(), value);
  }
  return Object.freeze(flat) as unknown as HeaderBlock;
}

// Helpers over a flat [lowercase-name, value, …] array. A response rarely carries more than a dozen
// headers, so a linear scan beats a Map and keeps the array ready for one `res.writeHead(status, list)`.

export function indexOfHeader(list: readonly string[], lower: string): number {
  for (let i = 0; i < list.length; i += 2) if (list[i] === lower) return i;
  return -1;
}

export function getHeaderValue(list: readonly string[], name: string): string | undefined {
  const i = indexOfHeader(list, name.toLowerCase());
  return i < 0 ? undefined : list[i + 1];
}

export function removeHeaderValues(list: string[], lower: string): void {
  let w = 0;
  for (let r = 0; r < list.length; r += 2) {
    if (list[r] !== lower) {
      list[w] = list[r]!;
      list[w + 1] = list[r + 1]!;
      w += 2;
    }
  }
  list.length = w;
}

export function setHeaderValue(list: string[], name: string, value: string | number | readonly string[]): void {
  const lower = name.toLowerCase();
  if (typeof value === 'object') {
    removeHeaderValues(list, lower);
    for (const v of value) list.push(lower, v);
    return;
  }
  const v = typeof value === 'number' ? String(value) : value;
  const i = indexOfHeader(list, lower);
  if (i < 0) {
    list.push(lower, v);
    return;
  }
  list[i + 1] = v;
  // Drop any later duplicates so "set" means exactly one value.
  let w = i + 2;
  for (let r = i + 2; r < list.length; r += 2) {
    if (list[r] !== lower) {
      list[w] = list[r]!;
      list[w + 1] = list[r + 1]!;
      w += 2;
    }
  }
  list.length = w;
}
