import { APIError, writeError, type Middleware } from 'plumego/contract';
import { isValidTenantId, withTenantId } from 'plumego/x/tenant';

/**
 * Puts the `X-Tenant-ID` header into the request context. A demo resolver: a real service takes the
 * tenant from the authenticated principal, never from a header a client can set freely.
 */
export const resolveTenantFromHeader: Middleware = (next) => (w, r) => {
  const tenant = r.header('x-tenant-id');
  if (tenant === undefined) return next(w, r);
  if (!isValidTenantId(tenant)) {
    writeError(w, r, new APIError({ type: 'bad_request', code: 'TENANT_INVALID_ID', message: 'invalid tenant id' }));
    return;
  }
  return next(w, r.withContext(withTenantId(r.ctx, tenant)));
};
