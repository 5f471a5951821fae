import { defineErrorFamily } from 'plumego/contract';

/** Stable codes of the operator routes. */
export const OPS_ERRORS = {
  OPS_UNAUTHORIZED: { status: 401, message: 'a valid operator token is required' },
  OPS_INVALID_OPTIONS: { status: 500, message: 'invalid ops options' },
} as const satisfies Record<string, { status: number; message: string }>;

export type OpsErrorCode = keyof typeof OPS_ERRORS;

const BRAND = Symbol.for('plumego.x.observability.ops.error');
const family = defineErrorFamily({ name: 'OpsError', brand: BRAND, codes: Object.keys(OPS_ERRORS) as OpsErrorCode[] });

export class OpsError extends Error {
  declare readonly code: OpsErrorCode;
  readonly status: number;
  readonly field: string | undefined;
  readonly [BRAND] = true;

  constructor(code: OpsErrorCode, field?: string) {
    super(OPS_ERRORS[code].message + (field === undefined ? '' : ` (${field})`));
    family.stamp(this, code);
    this.status = OPS_ERRORS[code].status;
    this.field = field;
  }
}

export function isOpsError(value: unknown, code?: OpsErrorCode): value is OpsError {
  if (!family.is(value)) return false;
  return code === undefined || (value as OpsError).code === code;
}

export function assertOption(ok: boolean, field: string): void {
  if (!ok) throw new OpsError('OPS_INVALID_OPTIONS', field);
}
