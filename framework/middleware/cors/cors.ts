import { createHeaderBlock, type HeaderBlock, type Middleware } from 'plumego/contract';

export interface CorsOptions {
  /** Allowed origins (exact, case-insensitive) or `['*']`. Default `['*']`. */
  allowedOrigins?: readonly string[];
  /** Methods a preflight may ask for. Default GET, POST, PUT, PATCH, DELETE, OPTIONS. */
  allowedMethods?: readonly string[];
  /** Headers a preflight may ask for (case-insensitive). Default Accept, Accept-Language, Content-Language, Content-Type, Authorization. */
  allowedHeaders?: readonly string[];
  /** Response headers exposed to scripts. Default none. */
  exposedHeaders?: readonly string[];
  /** Send `Access-Control-Allow-Credentials: true`; with `*` the request's origin is echoed. Default false. */
  allowCredentials?: boolean;
  /** Preflight cache lifetime in seconds; 0 omits `Access-Control-Max-Age`. Default 0. */
  maxAgeSeconds?: number;
}

export interface ResolvedCorsOptions {
  readonly allowedOrigins: readonly string[];
  readonly allowedMethods: readonly string[];
  readonly allowedHeaders: readonly string[];
  readonly exposedHeaders: readonly string[];
  readonly allowCredentials: boolean;
  readonly maxAgeSeconds: number;
}

export const DEFAULT_CORS_OPTIONS: ResolvedCorsOptions = Object.freeze({
  allowedOrigins: Object.freeze(['*']),
  allowedMethods: Object.freeze(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']),
  allowedHeaders: Object.freeze(['Accept', 'Accept-Language', 'Content-Language', 'Content-Type', 'Authorization']),
  exposedHeaders: Object.freeze([]),
  allowCredentials: false,
  maxAgeSeconds: 0,
});

/** Thrown at construction for CORS options that would be unsafe or meaningless. */
export class CorsOptionsError extends Error {
  readonly code = 'CORS_INVALID_OPTIONS';
  constructor(message: string) {
    super(`cors: ${message}`);
    this.name = 'CorsOptionsError';
  }
}

function nonEmpty(list: readonly string[] | undefined, fallback: readonly string[]): readonly string[] {
  return list === undefined || list.length === 0 ? fallback : list;
}

export function resolveCorsOptions(options: CorsOptions = {}): ResolvedCorsOptions {
  const maxAge = options.maxAgeSeconds ?? 0;
  if (!Number.isInteger(maxAge) || maxAge < 0)
    throw new CorsOptionsError('maxAgeSeconds must be a non-negative integer');
  const origins = nonEmpty(options.allowedOrigins, DEFAULT_CORS_OPTIONS.allowedOrigins);
  for (const o of origins) {
    if (o !== '*' && !/^https?:\/\/[^/\s]+$/i.test(o) && o !== 'null')
      throw new CorsOptionsError(`origin ${JSON.stringify(o)} must be scheme://host[:port] without a path`);
  }
  return {
    allowedOrigins: origins,
    allowedMethods: nonEmpty(options.allowedMethods, DEFAULT_CORS_OPTIONS.allowedMethods).map((m) => m.toUpperCase()),
    allowedHeaders: nonEmpty(options.allowedHeaders, DEFAULT_CORS_OPTIONS.allowedHeaders),
    exposedHeaders: options.exposedHeaders ?? [],
    allowCredentials: options.allowCredentials ?? false,
    maxAgeSeconds: maxAge,
  };
}

/**
 * Options that refuse `*`: at least one explicit origin is required (credentials allowed).
 * Throws `CorsOptionsError` for an empty list or a wildcard.
 */
export function createStrictCorsOptions(
  origins: readonly string[],
  rest: Omit<CorsOptions, 'allowedOrigins'> = {},
): CorsOptions {
  if (origins.length === 0) throw new CorsOptionsError('strict mode needs at least one origin');
  if (origins.some((o) => o.trim() === '*' || o.trim() === ''))
    throw new CorsOptionsError('strict mode refuses "*" and empty origins');
  return { ...rest, allowedOrigins: [...origins] };
}

/**
 * CORS with the reference's fall-through semantics: an allowed origin gets the CORS headers; a
 * valid preflight (OPTIONS with `Access-Control-Request-Method`) is answered 204 here; a disallowed
 * origin, method or header just falls through to the next handler with no CORS headers (the
 * browser then blocks it). Header values are computed once at construction.
 */
export function cors(options: CorsOptions = {}): Middleware {
  const o = resolveCorsOptions(options);
  const wildcard = o.allowedOrigins.includes('*');
  const origins = new Set(o.allowedOrigins.map((x) => x.toLowerCase()));
  const methods = new Set(o.allowedMethods);
  const headers = new Set(o.allowedHeaders.map((h) => h.toLowerCase()));
  const echo = !wildcard || o.allowCredentials;
  const common: Record<string, string> = {};
  if (o.allowCredentials) common['access-control-allow-credentials'] = 'true';
  if (o.exposedHeaders.length > 0) common['access-control-expose-headers'] = o.exposedHeaders.join(', ');
  const simpleBlock: HeaderBlock = createHeaderBlock(
    wildcard && !echo ? { 'access-control-allow-origin': '*', ...common } : { ...common, vary: 'Origin' },
  );
  const preflight: Record<string, string> = {
    'access-control-allow-methods': o.allowedMethods.join(', '),
    'access-control-allow-headers': o.allowedHeaders.join(', '),
  };
  if (o.maxAgeSeconds > 0) preflight['access-control-max-age'] = String(o.maxAgeSeconds);
  const preflightBlock = createHeaderBlock({
    ...(wildcard && !echo ? { 'access-control-allow-origin': '*' } : {}),
    ...common,
    ...preflight,
    vary: 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers',
  });

  const headersAllowed = (requested: string | string[] | undefined): boolean => {
    if (requested === undefined) return true;
    const list = Array.isArray(requested) ? requested.join(',') : requested;
    for (const h of list.split(',')) {
      const name = h.trim().toLowerCase();
      if (name !== '' && !headers.has(name)) return false;
    }
    return true;
  };

  return (next) => (w, r) => {
    const origin = r.headers.origin;
    if (origin === undefined) return next(w, r);
    if (!wildcard && !origins.has(origin.toLowerCase())) return next(w, r);
    const acrm = r.headers['access-control-request-method'];
    if (r.method === 'OPTIONS' && acrm !== undefined) {
      if (!methods.has(acrm.toUpperCase()) || !headersAllowed(r.headers['access-control-request-headers']))
        return next(w, r);
      if (echo) w.setHeader('access-control-allow-origin', origin);
      w.addHeaderBlock(preflightBlock);
      w.writeHead(204);
      w.end();
      return;
    }
    if (echo) w.setHeader('access-control-allow-origin', origin);
    w.addHeaderBlock(simpleBlock);
    return next(w, r);
  };
}
