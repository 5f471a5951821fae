import { isPromise, type Request, type ResponseWriter } from 'plumego/contract';
import { tenantConfigFromContext, type TenantConfig, type TenantConfigSource } from './config.ts';
import { TENANT_ERROR_CODES } from './errors.ts';
import { refuse } from './respond.ts';
import { tenantIdFromContext } from './tenant-id.ts';

export interface LoadedTenant {
  readonly id: string;
  readonly config: TenantConfig;
}

function accept(w: ResponseWriter, r: Request, id: string, config: TenantConfig | undefined): LoadedTenant | undefined {
  if (config === undefined || config.disabled === true) {
    refuse(w, r, TENANT_ERROR_CODES.unknown, 'unknown tenant');
    return undefined;
  }
  return { id, config };
}

/**
 * The resolved tenant and its config, or undefined after writing the refusal. Every failure closes:
 * no tenant → 401, unknown or disabled tenant → 403, a config source that fails → 503.
 * Synchronous when the config is already in the context or the source answers synchronously: the
 * stages run on every request, and a promise per stage is most of their cost.
 */
export function loadTenant(
  w: ResponseWriter,
  r: Request,
  source: TenantConfigSource,
  stage: string,
): LoadedTenant | undefined | Promise<LoadedTenant | undefined> {
  const id = tenantIdFromContext(r.ctx);
  if (id === '') {
    refuse(w, r, TENANT_ERROR_CODES.required, `tenant required (${stage} runs after tenant resolution)`);
    return undefined;
  }
  const cached = tenantConfigFromContext(r.ctx);
  if (cached?.id === id) return accept(w, r, id, cached);
  const unavailable = (): undefined => {
    refuse(w, r, TENANT_ERROR_CODES.stateUnavailable, 'tenant configuration is unavailable');
    return undefined;
  };
  let got;
  try {
    got = source.get(id, r);
  } catch {
    return unavailable();
  }
  return isPromise(got) ? got.then((config) => accept(w, r, id, config), unavailable) : accept(w, r, id, got);
}
