/**
 * A request's query as name/value pairs, decoded exactly as `URLSearchParams` decodes them, and
 * serialised back exactly as it serialises them. Most list queries (`page=2&page_size=20&sort=-name`)
 * hold no percent escape and no `+`, and then splitting the raw string *is* that decoding: such a
 * query is taken apart in place, without the cost of a `URLSearchParams` on every list request.
 * Anything else is parsed by `URLSearchParams` itself.
 */
export class QueryParams {
  private constructor(
    readonly names: readonly string[],
    readonly values: readonly string[],
  ) {}

  /** `rawQuery` as received (without the `?` that ends the path). */
  static parse(rawQuery: string): QueryParams {
    if (!isLiteral(rawQuery)) return QueryParams.from(new URLSearchParams(rawQuery));
    const names: string[] = [];
    const values: string[] = [];
    let start = 0;
    while (start < rawQuery.length) {
      let end = rawQuery.indexOf('&', start);
      if (end < 0) end = rawQuery.length;
      if (end > start) {
        const eq = rawQuery.indexOf('=', start);
        if (eq < 0 || eq > end) {
          names.push(rawQuery.slice(start, end));
          values.push('');
        } else {
          names.push(rawQuery.slice(start, eq));
          values.push(rawQuery.slice(eq + 1, end));
        }
      }
      start = end + 1;
    }
    return new QueryParams(names, values);
  }

  static from(params: URLSearchParams): QueryParams {
    const names: string[] = [];
    const values: string[] = [];
    for (const [name, value] of params) {
      names.push(name);
      values.push(value);
    }
    return new QueryParams(names, values);
  }

  /** Each name once, in the order of its first appearance. */
  uniqueNames(): string[] {
    const out: string[] = [];
    for (let i = 0; i < this.names.length; i++) if (this.names.indexOf(this.names[i]!) === i) out.push(this.names[i]!);
    return out;
  }

  get(name: string): string | null {
    const i = this.names.indexOf(name);
    return i < 0 ? null : this.values[i]!;
  }

  getAll(name: string): string[] {
    const out: string[] = [];
    for (let i = 0; i < this.names.length; i++) if (this.names[i] === name) out.push(this.values[i]!);
    return out;
  }

  has(name: string): boolean {
    return this.names.includes(name);
  }

  /** The query after `URLSearchParams#set(name, value)`, as its `toString()` would write it. */
  toStringWith(name: string, value: string): string {
    return this.template(name).with(value);
  }

  /**
   * `toStringWith(name, …)` for several values (a Link header's pages): every other pair is
   * encoded once, not once per value.
   */
  template(name: string): QueryTemplate {
    let head = '';
    let tail = '';
    let found = false;
    for (let i = 0; i < this.names.length; i++) {
      const n = this.names[i]!;
      if (n === name) {
        // `set` keeps the first occurrence's place and drops the others.
        found = true;
        continue;
      }
      const pair = `${formEncode(n)}=${formEncode(this.values[i]!)}`;
      if (found) tail += `&${pair}`;
      else head += `${pair}&`;
    }
    return new QueryTemplate(`${head}${formEncode(name)}=`, tail);
  }
}

/** A query with one parameter's value left open (see `QueryParams#template`). */
export class QueryTemplate {
  constructor(
    readonly prefix: string,
    readonly suffix: string,
  ) {}

  with(value: string): string {
    return this.prefix + formEncode(value) + this.suffix;
  }
}

/**
 * True when `URLSearchParams` would decode `raw` to its own characters: printable ASCII without `%`
 * (an escape) or `+` (a space), and no leading `?` (which it strips).
 */
function isLiteral(raw: string): boolean {
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c <= 0x20 || c >= 0x7f || c === 0x25 || c === 0x2b) return false;
  }
  return raw.charCodeAt(0) !== 0x3f;
}

const FORM_SAFE = /^[A-Za-z0-9*._-]*$/;

/** application/x-www-form-urlencoded, as `URLSearchParams#toString` writes it. */
function formEncode(s: string): string {
  if (FORM_SAFE.test(s)) return s;
  // encodeURIComponent leaves !'()~ as they are and writes a space as %20; the form serialiser does not.
  return encodeURIComponent(s)
    .replace(/[!'()~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replaceAll('%20', '+');
}
