import type { Request, ResponseWriter } from 'plumego/contract';
import { tenantConfigFromContext, type TenantConfig, type TenantConfigSource } from './config.ts';
import { TENANT_ERROR_CODES } from './errors.ts';
import { refuse } from './respond.ts';
import { tenantIdFromContext } from './tenant-id.ts';

/**
 * The resolved tenant and its config, or undefined after writing the refusal. Every failure closes:
 * no tenant → 401, unknown or disabled tenant → 403, a config source that fails → 503.
 */
export async function loadTenant(w: ResponseWriter, r: Request, source: TenantConfigSource, stage: string): Promise<{ id: string; config: TenantConfig } | undefined> {
  const id = tenantIdFromContext(r.ctx);
  if (id === '') {
    refuse(w, r, TENANT_ERROR_CODES.required, `tenant required (${stage} runs after tenant resolution)`);
    return undefined;
  }
  let config = tenantConfigFromContext(r.ctx);
  if (config?.id !== id) {
    try {
      config = await source.get(id, r.signal);
    } catch {
      refuse(w, r, TENANT_ERROR_CODES.stateUnavailable, 'tenant configuration is unavailable');
      return undefined;
    }
  }
  if (config === undefined || config.disabled === true) {
    refuse(w, r, TENANT_ERROR_CODES.unknown, 'unknown tenant');
    return undefined;
  }
  return { id, config };
}
