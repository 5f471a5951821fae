import { defineErrorFamily } from 'plumego/contract';

/** Stable codes for every failure the observability adapters raise. Messages carry no secrets. */
export const OBSERVABILITY_ERRORS = {
  OBSERVABILITY_INVALID_OPTIONS: { status: 500, message: 'invalid observability options' },
  OBSERVABILITY_UNAUTHORIZED: { status: 401, message: 'a valid metrics token is required' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ObservabilityErrorCode = keyof typeof OBSERVABILITY_ERRORS;

const BRAND = Symbol.for('plumego.x.observability.error');
const family = defineErrorFamily({
  name: 'ObservabilityError',
  brand: BRAND,
  codes: Object.keys(OBSERVABILITY_ERRORS) as ObservabilityErrorCode[],
});

export class ObservabilityError extends Error {
  declare readonly code: ObservabilityErrorCode;
  readonly status: number;
  readonly field: string | undefined;
  readonly [BRAND] = true;

  constructor(code: ObservabilityErrorCode, field?: string) {
    super(OBSERVABILITY_ERRORS[code].message + (field === undefined ? '' : ` (${field})`));
    family.stamp(this, code);
    this.status = OBSERVABILITY_ERRORS[code].status;
    this.field = field;
  }
}

export function isObservabilityError(value: unknown, code?: ObservabilityErrorCode): value is ObservabilityError {
  if (!family.is(value)) return false;
  return code === undefined || (value as ObservabilityError).code === code;
}

/** Throws at factory time: bad options are a wiring bug, never a per-request failure. */
export function assertOption(ok: boolean, field: string): void {
  if (!ok) throw new ObservabilityError('OBSERVABILITY_INVALID_OPTIONS', field);
}
