import {
  isPromise,
  type Context,
  type Handler,
  type Middleware,
  type Request,
  type ResponseWriter,
} from 'plumego/contract';
import { principalFromContext } from 'plumego/security';
import { withTenantConfig, type TenantConfig, type TenantConfigSource } from './config.ts';
import { assertOption, TENANT_ERROR_CODES } from './errors.ts';
import { fromHeader, type TenantExtractor } from './extractors.ts';
import { refuse } from './respond.ts';
import { isValidTenantId, withValidTenantId } from './tenant-id.ts';

export interface ResolveTenantOptions {
  /** Where else the id may come from, tried in order after the principal. Default: the `x-tenant-id` header. */
  extractors?: readonly TenantExtractor[];
  /** Take the authenticated principal's `tenantId` first (default true). */
  usePrincipal?: boolean;
  /**
   * When the principal names one tenant and the request another: `refuse` (default, 403
   * TENANT_MISMATCH) or `principal` (the token wins and the request's value is ignored).
   */
  onMismatch?: 'refuse' | 'principal';
  /** Let requests without any tenant through without one (default false: 401 TENANT_REQUIRED). */
  allowMissing?: boolean;
  /** When given, the tenant must exist here and not be disabled (403 TENANT_UNKNOWN); its config is kept for later stages. */
  tenants?: TenantConfigSource;
}

// Module-level steps, not closures made per request: under a keep-names transform (tsx, esbuild's
// keepNames) every named closure also costs an Object.defineProperty on each request.
function unavailable(w: ResponseWriter, r: Request): void {
  refuse(w, r, TENANT_ERROR_CODES.stateUnavailable, 'tenant configuration is unavailable');
}

function proceed(
  next: Handler,
  w: ResponseWriter,
  r: Request,
  ctx: Context,
  config: TenantConfig | undefined,
): void | Promise<void> {
  if (config === undefined || config.disabled === true)
    return refuse(w, r, TENANT_ERROR_CODES.unknown, 'unknown tenant');
  return next(w, r.withContext(withTenantConfig(ctx, config)));
}

/**
 * The first stage: puts the tenant id (and, with `tenants`, its config) into the request context.
 * Only this middleware should call `withTenantId` on the request path.
 */
export function resolveTenant(options: ResolveTenantOptions = {}): Middleware {
  const extractors = options.extractors ?? [fromHeader()];
  assertOption(
    Array.isArray(extractors) && extractors.every((e) => typeof e === 'function'),
    'extractors',
    'must be a list of functions',
  );
  const usePrincipal = options.usePrincipal ?? true;
  const onMismatch = options.onMismatch ?? 'refuse';
  assertOption(onMismatch === 'refuse' || onMismatch === 'principal', 'onMismatch', "must be 'refuse' or 'principal'");
  const allowMissing = options.allowMissing ?? false;
  const tenants = options.tenants;

  return (next: Handler): Handler =>
    (w, r) => {
      const fromToken = usePrincipal ? principalFromContext(r.ctx)?.tenantId : undefined;
      let fromRequest: string | undefined;
      for (const extract of extractors) {
        fromRequest = extract(r);
        if (fromRequest !== undefined) break;
      }
      if (fromToken !== undefined && !isValidTenantId(fromToken)) {
        return refuse(w, r, TENANT_ERROR_CODES.invalidId, 'the principal carries an invalid tenant id');
      }
      // The same value as a valid token's needs no second check.
      if (fromRequest !== undefined && fromRequest !== fromToken && !isValidTenantId(fromRequest)) {
        return refuse(w, r, TENANT_ERROR_CODES.invalidId, 'invalid tenant id');
      }
      if (
        fromToken !== undefined &&
        fromRequest !== undefined &&
        fromToken !== fromRequest &&
        onMismatch === 'refuse'
      ) {
        return refuse(w, r, TENANT_ERROR_CODES.mismatch, 'the request names a different tenant than its credentials');
      }
      const id = fromToken ?? fromRequest;
      if (id === undefined) {
        if (allowMissing) return next(w, r);
        return refuse(w, r, TENANT_ERROR_CODES.required, 'tenant required');
      }
      const ctx = withValidTenantId(r.ctx, id);
      if (!tenants) return next(w, r.withContext(ctx));
      let got;
      try {
        got = tenants.get(id, r);
      } catch {
        return unavailable(w, r);
      }
      return isPromise(got)
        ? got.then(
            (config) => proceed(next, w, r, ctx, config),
            () => unavailable(w, r),
          )
        : proceed(next, w, r, ctx, got);
    };
}
