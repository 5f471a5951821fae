import { createContextKey, type Context, type Handler, type Middleware, type Request } from 'plumego/contract';
import { assertOption, REST_ERROR_CODES } from './errors.ts';
import { fail } from './respond.ts';

export type VersionSource = 'header' | 'accept' | 'query' | 'path';

export interface ApiVersionOptions {
  /** Versions this API serves, e.g. `['1', '2']`. */
  supported: readonly string[];
  /** Used when the request names none; without it such a request is refused. */
  default?: string;
  /** Where to look, in order (default `['header', 'accept']`). */
  from?: readonly VersionSource[];
  /** Header for the `header` source (default `api-version`). */
  header?: string;
  /** Query parameter for the `query` source (default `version`). */
  query?: string;
  /** Vendor for the `accept` source: `application/vnd.<vendor>.v2+json` (any vendor when unset); `; version=2` works too. */
  vendor?: string;
}

const versionKey = createContextKey<string>('x/rest.api-version');

export function apiVersionFromContext(ctx: Context): string {
  return ctx.value(versionKey) ?? '';
}

function fromAccept(r: Request, vendor: string | undefined): string | undefined {
  const accept = r.header('accept');
  if (!accept) return undefined;
  const v = vendor ? vendor.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') : '[a-z0-9.-]+';
  const m =
    new RegExp(`application/vnd\\.${v}\\.v([^+;,\\s]+)\\+json`, 'i').exec(accept) ??
    /;\s*version=([^;,\s]+)/i.exec(accept);
  return m?.[1];
}

/**
 * Negotiates the API version (first source that names one wins), puts it in the context and
 * echoes it in `api-version`. An unsupported version is 400 REST_UNSUPPORTED_VERSION listing the
 * supported ones; a missing one is the default, or the same 400 without one.
 */
export function apiVersion(options: ApiVersionOptions): Middleware {
  const supported = new Set(options?.supported ?? []);
  assertOption(
    supported.size > 0 && [...supported].every((v) => /^[A-Za-z0-9._-]{1,20}$/.test(v)),
    'supported',
    'must list versions of [A-Za-z0-9._-]',
  );
  assertOption(
    options.default === undefined || supported.has(options.default),
    'default',
    'must be a supported version',
  );
  const from = options.from ?? ['header', 'accept'];
  assertOption(
    from.length > 0 && from.every((s) => ['header', 'accept', 'query', 'path'].includes(s)),
    'from',
    'must list header, accept, query or path',
  );
  const header = (options.header ?? 'api-version').toLowerCase();
  const query = options.query ?? 'version';
  const list = [...supported].join(', ');

  const read: Record<VersionSource, (r: Request) => string | undefined> = {
    header: (r) => r.header(header)?.trim(),
    accept: (r) => fromAccept(r, options.vendor),
    query: (r) => r.query.get(query) ?? undefined,
    path: (r) => /^\/v([^/]+)(?:\/|$)/.exec(r.path)?.[1],
  };

  return (next: Handler): Handler =>
    (w, r) => {
      let version: string | undefined;
      for (const source of from) {
        version = read[source](r);
        if (version !== undefined) break;
      }
      version ??= options.default;
      if (version === undefined || !supported.has(version)) {
        return fail(
          w,
          r,
          REST_ERROR_CODES.unsupportedVersion,
          version === undefined ? `an API version is required (${list})` : `API version not supported (${list})`,
          { supported: [...supported] },
        );
      }
      w.setHeader('api-version', version);
      return next(w, r.withContext(r.ctx.withValue(versionKey, version)));
    };
}
