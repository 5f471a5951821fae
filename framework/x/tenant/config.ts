import { createContextKey, type Context } from 'plumego/contract';
import { TENANT_ERROR_CODES, TenantError } from './errors.ts';
import { isValidTenantId } from './tenant-id.ts';

/** What a tenant may do. An absent list places no restriction of that kind. */
export interface TenantPolicy {
  /** Allowed request methods (upper case). */
  readonly methods?: readonly string[];
  /** Allowed request paths: exact (`/projects`) or a prefix ending in `/*` (`/projects/*` also matches `/projects`). */
  readonly paths?: readonly string[];
  /** Feature flags the tenant has; `requireFeature` checks them. */
  readonly features?: readonly string[];
}

export interface TenantQuota {
  /** Requests allowed per window. */
  readonly limit: number;
  readonly windowMs: number;
  /** `fixed` resets at each window boundary; `sliding` weighs the previous window (default `fixed`). */
  readonly window?: 'fixed' | 'sliding';
}

export interface TenantRateLimit {
  /** Tokens added per second. */
  readonly ratePerSecond: number;
  /** Bucket size: the largest burst. */
  readonly burst: number;
}

export interface TenantConfig {
  readonly id: string;
  /** A disabled tenant is refused at every stage (403 TENANT_UNKNOWN), as if it did not exist. */
  readonly disabled?: boolean;
  readonly policy?: TenantPolicy;
  readonly quota?: TenantQuota;
  readonly rateLimit?: TenantRateLimit;
}

/**
 * Where tenant configuration comes from. Returning undefined means the tenant does not exist.
 * `request.signal` (aborted when the client goes away) is there for sources that do I/O; it is
 * passed as the request, not the signal, because creating a request's signal costs more than an
 * in-memory lookup.
 */
export interface TenantConfigSource {
  get(
    tenantId: string,
    request?: { readonly signal: AbortSignal },
  ): TenantConfig | undefined | Promise<TenantConfig | undefined>;
}

function invalid(field: string, rule: string): never {
  throw new TenantError(TENANT_ERROR_CODES.invalidConfig, `invalid tenant config ${field}: ${rule}`, { field });
}

const isPositive = (n: unknown): n is number => typeof n === 'number' && Number.isFinite(n) && n > 0;
const isStringList = (v: unknown): v is string[] =>
  Array.isArray(v) && v.every((s) => typeof s === 'string' && s !== '');

/**
 * Checks a config before it is stored, so a typo (a negative limit, a path without a leading slash)
 * is a wiring error with the field named, never a silently open or silently closed tenant.
 */
export function validateTenantConfig(value: unknown): TenantConfig {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) invalid('(root)', 'must be an object');
  const c = value as Record<string, unknown>;
  if (!isValidTenantId(c.id)) invalid('id', 'must be 1-128 characters of [A-Za-z0-9._:-]');
  if (c.disabled !== undefined && typeof c.disabled !== 'boolean') invalid('disabled', 'must be a boolean');
  if (c.policy !== undefined) {
    if (typeof c.policy !== 'object' || c.policy === null) invalid('policy', 'must be an object');
    const p = c.policy as Record<string, unknown>;
    if (p.methods !== undefined && !(isStringList(p.methods) && p.methods.every((m) => /^[A-Z]+$/.test(m))))
      invalid('policy.methods', 'must be a list of upper-case methods');
    if (
      p.paths !== undefined &&
      !(isStringList(p.paths) && p.paths.every((s) => s.startsWith('/') && !s.slice(0, -1).includes('*')))
    ) {
      invalid('policy.paths', "must be a list of paths starting with '/', '*' only as a final '/*'");
    }
    if (p.features !== undefined && !isStringList(p.features))
      invalid('policy.features', 'must be a list of non-empty strings');
  }
  if (c.quota !== undefined) {
    const q = c.quota as Record<string, unknown>;
    if (typeof q !== 'object' || q === null) invalid('quota', 'must be an object');
    if (!isPositive(q.limit) || !Number.isInteger(q.limit)) invalid('quota.limit', 'must be a positive integer');
    if (!isPositive(q.windowMs) || !Number.isInteger(q.windowMs))
      invalid('quota.windowMs', 'must be a positive integer');
    if (q.window !== undefined && q.window !== 'fixed' && q.window !== 'sliding')
      invalid('quota.window', "must be 'fixed' or 'sliding'");
  }
  if (c.rateLimit !== undefined) {
    const l = c.rateLimit as Record<string, unknown>;
    if (typeof l !== 'object' || l === null) invalid('rateLimit', 'must be an object');
    if (!isPositive(l.ratePerSecond)) invalid('rateLimit.ratePerSecond', 'must be a positive number');
    if (!isPositive(l.burst) || !Number.isInteger(l.burst)) invalid('rateLimit.burst', 'must be a positive integer');
  }
  return value as TenantConfig;
}

export type TenantConfigListener = (tenantId: string, config: TenantConfig | undefined) => void;

/** Tenant configs held in memory; every change is validated and announced to listeners. */
export class InMemoryTenantConfigs implements TenantConfigSource {
  readonly #configs = new Map<string, TenantConfig>();
  readonly #listeners = new Set<TenantConfigListener>();

  constructor(configs: readonly TenantConfig[] = []) {
    for (const c of configs) this.set(c);
  }

  get(tenantId: string): TenantConfig | undefined {
    return this.#configs.get(tenantId);
  }

  set(config: TenantConfig): void {
    const checked = validateTenantConfig(config);
    const frozen = Object.freeze(structuredClone(checked));
    this.#configs.set(frozen.id, frozen);
    this.#emit(frozen.id, frozen);
  }

  delete(tenantId: string): boolean {
    const had = this.#configs.delete(tenantId);
    if (had) this.#emit(tenantId, undefined);
    return had;
  }

  list(): TenantConfig[] {
    return [...this.#configs.values()];
  }

  /** Returns an unsubscribe function. */
  onChange(listener: TenantConfigListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #emit(id: string, config: TenantConfig | undefined): void {
    for (const l of this.#listeners) l(id, config);
  }
}

const configKey = createContextKey<TenantConfig>('x/tenant.config');

/** A context carrying the tenant's loaded config, so later stages do not load it again. */
export function withTenantConfig(ctx: Context, config: TenantConfig): Context {
  return ctx.withValue(configKey, config);
}

export function tenantConfigFromContext(ctx: Context): TenantConfig | undefined {
  return ctx.value(configKey);
}
