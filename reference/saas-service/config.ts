import { isValidTenantId } from 'plumego/x/tenant';

export interface TenantUser {
  readonly token: string;
  readonly subject: string;
  readonly tenantId: string;
}

export interface SaasConfig {
  readonly addr: string;
  /** PostgreSQL URL; '' runs on in-memory repositories. */
  readonly databaseUrl: string;
  /** Redis URL for shared rate-limit and quota state; '' keeps them in this process. */
  readonly redisUrl: string;
  /** Bearer tokens and whom they stand for. */
  readonly users: readonly TenantUser[];
  /** Requests per tenant per minute. */
  readonly quotaPerMinute: number;
  readonly ratePerSecond: number;
  readonly burst: number;
}

export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  constructor(
    readonly source: string,
    message: string,
  ) {
    super(`config ${source}: ${message}`);
    this.name = 'ConfigError';
  }
}

function int(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d{1,9}$/.test(raw) || Number(raw) < 1) throw new ConfigError(name, 'must be a positive integer');
  return Number(raw);
}

/**
 * `SAAS_USERS` is `token=subject@tenant,…` (tokens of at least 16 characters). The URLs are never
 * echoed in errors: they may carry passwords.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): SaasConfig {
  const users = (env['SAAS_USERS'] ?? '')
    .split(',')
    .filter((s) => s.trim() !== '')
    .map((entry) => {
      const m = /^([^=\s]{16,})=([^@\s]+)@(\S+)$/.exec(entry.trim());
      if (!m)
        throw new ConfigError('SAAS_USERS', 'each entry must be token=subject@tenant with a token of 16+ characters');
      if (!isValidTenantId(m[3])) throw new ConfigError('SAAS_USERS', `invalid tenant id in entry for ${m[2]}`);
      return { token: m[1]!, subject: m[2]!, tenantId: m[3]! };
    });
  if (users.length === 0) throw new ConfigError('SAAS_USERS', 'at least one user is required');
  for (const name of ['SAAS_DATABASE_URL', 'SAAS_REDIS_URL'] as const) {
    const v = env[name];
    if (v && !URL.canParse(v)) throw new ConfigError(name, 'must be a URL');
  }
  return {
    addr: env['SAAS_ADDR'] || ':8081',
    databaseUrl: env['SAAS_DATABASE_URL'] ?? '',
    redisUrl: env['SAAS_REDIS_URL'] ?? '',
    users,
    quotaPerMinute: int(env, 'SAAS_QUOTA_PER_MINUTE', 600),
    ratePerSecond: int(env, 'SAAS_RATE_PER_SECOND', 20),
    burst: int(env, 'SAAS_BURST', 40),
  };
}
