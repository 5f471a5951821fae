import { createContextKey, type Context } from 'plumego/contract';

const tenantIdKey = createContextKey<string>('x/tenant.id');

/** Tenant ids are opaque but bounded: 1–128 characters of `[A-Za-z0-9._:-]`, so they are safe in logs and keys. */
const TENANT_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function isValidTenantId(value: unknown): value is string {
  return typeof value === 'string' && TENANT_ID.test(value);
}

/**
 * Returns a context carrying `tenantId`. Only a resolver (middleware that has authenticated where the id
 * comes from) should call this; an invalid id throws, because storing one would let it reach storage keys.
 */
export function withTenantId(ctx: Context, tenantId: string): Context {
  if (!isValidTenantId(tenantId)) throw new TypeError('invalid tenant id');
  return ctx.withValue(tenantIdKey, tenantId);
}

/** `withTenantId` for the resolver, which has just checked the id itself (not exported by the module). */
export function withValidTenantId(ctx: Context, tenantId: string): Context {
  return ctx.withValue(tenantIdKey, tenantId);
}

/** The tenant id of the request, or '' when no tenant was resolved. */
export function tenantIdFromContext(ctx: Context): string {
  return ctx.value(tenantIdKey) ?? '';
}
