import { defineErrorFamily, getErrorOptions } from 'plumego/contract';

/** Stable codes for every failure x/tenant raises or writes. */
export const TENANT_ERROR_CODES = {
  required: 'TENANT_REQUIRED',
  invalidId: 'TENANT_INVALID_ID',
  mismatch: 'TENANT_MISMATCH',
  unknown: 'TENANT_UNKNOWN',
  policyDenied: 'TENANT_POLICY_DENIED',
  quotaExceeded: 'TENANT_QUOTA_EXCEEDED',
  rateLimited: 'TENANT_RATE_LIMITED',
  tokenRevoked: 'TENANT_TOKEN_REVOKED',
  stateUnavailable: 'TENANT_STATE_UNAVAILABLE',
  invalidOptions: 'TENANT_INVALID_OPTIONS',
  invalidConfig: 'TENANT_INVALID_CONFIG',
  scopeRefused: 'TENANT_SCOPE_REFUSED',
} as const;

export type TenantErrorCode = (typeof TENANT_ERROR_CODES)[keyof typeof TENANT_ERROR_CODES];

// A brand rather than `instanceof`, so two copies of the package still recognise each other's errors.
const BRAND = Symbol.for('plumego.x.tenant.error');
const family = defineErrorFamily({ name: 'TenantError', brand: BRAND, codes: TENANT_ERROR_CODES });

/** Thrown at wiring time (bad options or config) and by state stores; middleware writes envelopes instead. */
export class TenantError extends Error {
  declare readonly code: TenantErrorCode;
  declare readonly details: Readonly<Record<string, unknown>>;
  readonly [BRAND] = true;

  constructor(code: TenantErrorCode, message: string, details: Record<string, unknown> = {}, cause?: unknown) {
    super(message, getErrorOptions(cause));
    family.stamp(this, code, details);
  }
}

export function isTenantError(value: unknown): value is TenantError {
  return family.is(value);
}

export function assertOption(ok: boolean, field: string, rule: string): void {
  if (!ok) throw new TenantError(TENANT_ERROR_CODES.invalidOptions, `invalid option ${field}: ${rule}`, { field });
}
