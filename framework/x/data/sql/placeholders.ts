import { DataError } from 'plumego/x/data';

/** SQL with `$n` placeholders and the values in their order. */
export interface NumberedStatement {
  text: string;
  values: unknown[];
}

type Params = readonly unknown[] | Readonly<Record<string, unknown>> | undefined;

const cache = new Map<string, { text: string; names: string[] | undefined; positional: number }>();
const CACHE_LIMIT = 1000;

/**
 * Rewrites store's portable placeholders — positional `?` or named `@name` — into PostgreSQL's
 * `$1…$n`. String literals, quoted identifiers, dollar-quoted bodies and comments are left alone,
 * so `'?'` stays text. `??` and `?|`/`?&` (jsonb operators) are not placeholders; write those
 * statements against `SqlClient` with `$n` instead.
 */
export function toNumberedStatement(sql: string, params: Params): NumberedStatement {
  let parsed = cache.get(sql);
  if (parsed === undefined) {
    parsed = parse(sql);
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(sql, parsed);
  }
  if (parsed.names !== undefined && parsed.names.length > 0) {
    if (params === undefined || Array.isArray(params))
      throw new DataError('PLUMEGO_ERR_DATA_QUERY', { reason: 'named_parameters_expected' });
    const record = params as Readonly<Record<string, unknown>>;
    return {
      text: parsed.text,
      values: parsed.names.map((name) => {
        if (!Object.hasOwn(record, name))
          throw new DataError('PLUMEGO_ERR_DATA_QUERY', { reason: 'missing_parameter' });
        return record[name];
      }),
    };
  }
  const values = params === undefined ? [] : Array.isArray(params) ? [...params] : undefined;
  if (values === undefined) throw new DataError('PLUMEGO_ERR_DATA_QUERY', { reason: 'positional_parameters_expected' });
  if (parsed.positional !== values.length) throw new DataError('PLUMEGO_ERR_DATA_QUERY', { reason: 'parameter_count' });
  return { text: parsed.text, values };
}

function parse(sql: string): { text: string; names: string[] | undefined; positional: number } {
  let out = '';
  let positional = 0;
  const names: string[] = [];
  const slots = new Map<string, number>();
  let i = 0;
  while (i < sql.length) {
    const c = sql[i] as string;
    const next = sql[i + 1];
    let end = i + 1;
    if (c === "'" || c === '"') end = skipQuoted(sql, i, c);
    else if (c === '-' && next === '-') {
      const newline = sql.indexOf('\n', i);
      end = newline === -1 ? sql.length : newline + 1;
    } else if (c === '/' && next === '*') {
      const close = sql.indexOf('*/', i + 2);
      end = close === -1 ? sql.length : close + 2;
    } else if (c === '$' && /[A-Za-z_$]/.test(next ?? '')) end = skipDollarQuoted(sql, i);
    else if (c === '?' && next !== '?' && next !== '|' && next !== '&' && sql[i - 1] !== '?') {
      out += `$${++positional}`;
      i++;
      continue;
    } else if (c === '@' && /[A-Za-z_]/.test(next ?? '') && !/[A-Za-z0-9_@]/.test(sql[i - 1] ?? '')) {
      const match = /^[A-Za-z_][A-Za-z0-9_]*/.exec(sql.slice(i + 1)) as RegExpExecArray;
      const name = match[0];
      let slot = slots.get(name);
      if (slot === undefined) {
        names.push(name);
        slot = names.length;
        slots.set(name, slot);
      }
      out += `$${slot}`;
      i += 1 + name.length;
      continue;
    }
    out += sql.slice(i, end);
    i = end;
  }
  if (positional > 0 && names.length > 0) throw new DataError('PLUMEGO_ERR_DATA_QUERY', { reason: 'mixed_parameters' });
  return { text: out, names: names.length > 0 ? names : undefined, positional };
}

/** Index after a '…' or "…" token; a doubled quote is an escaped quote. */
function skipQuoted(sql: string, start: number, quote: string): number {
  let i = start + 1;
  while (i < sql.length) {
    if (sql[i] === quote) {
      if (sql[i + 1] === quote) i += 2;
      else return i + 1;
    } else i++;
  }
  return sql.length;
}

/** Index after a $tag$…$tag$ body, or after the `$` when it is not a dollar quote. */
function skipDollarQuoted(sql: string, start: number): number {
  const tag = /^\$[A-Za-z_][A-Za-z0-9_]*\$|^\$\$/.exec(sql.slice(start));
  if (tag === null) return start + 1;
  const close = sql.indexOf(tag[0], start + tag[0].length);
  return close === -1 ? sql.length : close + tag[0].length;
}
