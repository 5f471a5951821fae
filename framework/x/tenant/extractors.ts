import type { Request } from 'plumego/contract';

/**
 * Reads a candidate tenant id from a request. `undefined` means "not present here"; any string is a
 * claim that the resolver validates (so an empty or malformed value is refused, not skipped).
 */
export type TenantExtractor = (r: Request) => string | undefined;

/** The tenant header (default `x-tenant-id`). A repeated header is ambiguous and yields an invalid value. */
export function fromHeader(name = 'x-tenant-id'): TenantExtractor {
  const lower = name.toLowerCase();
  return (r) => {
    const v = r.headers[lower];
    if (Array.isArray(v)) return v.length === 1 ? v[0] : '\u0000ambiguous';
    return v;
  };
}

/** A query parameter (off unless wired: ids in URLs end up in logs and caches). */
export function fromQuery(name: string): TenantExtractor {
  return (r) => {
    const all = r.query.getAll(name);
    if (all.length === 0) return undefined;
    return all.length === 1 ? all[0] : '\u0000ambiguous';
  };
}

/**
 * The first label of the Host under `baseDomain`: `acme.example.com` → `acme` for base `example.com`.
 * The bare base domain has no tenant; deeper names (`a.b.example.com`) and foreign hosts are invalid.
 */
export function fromSubdomain(baseDomain: string): TenantExtractor {
  const base = `.${baseDomain.toLowerCase().replace(/^\./, '')}`;
  return (r) => {
    const host = r.header('host');
    if (host === undefined) return undefined;
    const name = host.toLowerCase().replace(/:\d+$/, '');
    if (name === base.slice(1)) return undefined;
    if (!name.endsWith(base)) return '\u0000foreign-host';
    const label = name.slice(0, -base.length);
    return label.includes('.') ? '\u0000nested-subdomain' : label;
  };
}

/**
 * A path segment by position (0-based, on the raw path): `fromPathSegment(1)` reads `acme` from
 * `/t/acme/projects`. The segment is percent-decoded; malformed encoding is an invalid id.
 */
export function fromPathSegment(index: number): TenantExtractor {
  if (!Number.isInteger(index) || index < 0)
    throw new TypeError('fromPathSegment: index must be a non-negative integer');
  return (r) => {
    const segments = r.path.split('/').slice(1);
    const raw = segments[index];
    if (raw === undefined || raw === '') return undefined;
    if (!raw.includes('%')) return raw;
    try {
      return decodeURIComponent(raw);
    } catch {
      return '\u0000malformed';
    }
  };
}

/** The first extractor that finds a value wins. */
export function firstOf(...extractors: readonly TenantExtractor[]): TenantExtractor {
  return (r) => {
    for (const e of extractors) {
      const v = e(r);
      if (v !== undefined) return v;
    }
    return undefined;
  };
}
