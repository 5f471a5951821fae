export { isValidTenantId, tenantIdFromContext, withTenantId } from './tenant-id.ts';
