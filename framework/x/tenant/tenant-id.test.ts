import { describe, expect, it } from 'vitest';
import { Context } from 'plumego/contract';
import { isValidTenantId, tenantIdFromContext, withTenantId } from './tenant-id.ts';

describe('tenant id context accessor', () => {
  it('round-trips a tenant id without touching the original context', () => {
    const ctx = withTenantId(Context.empty, 'acme-01');
    expect(tenantIdFromContext(ctx)).toBe('acme-01');
    expect(tenantIdFromContext(Context.empty)).toBe('');
  });

  it.each(['', ' ', 'a/b', '../x', 'x'.repeat(129), 'tab\there', 'new\nline'])('refuses invalid id %j', (id) => {
    expect(isValidTenantId(id)).toBe(false);
    expect(() => withTenantId(Context.empty, id)).toThrow('invalid tenant id');
  });
});
