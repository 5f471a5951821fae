import { defineErrorFamily } from 'plumego/contract';

/** Stable codes of the health HTTP surface. Messages never carry a checker's own error text. */
export const HEALTH_HTTP_ERRORS = {
  HEALTH_INVALID_OPTIONS: { status: 500, message: 'invalid health manager options' },
  HEALTH_COMPONENT_NOT_FOUND: { status: 404, message: 'no such health component' },
} as const satisfies Record<string, { status: number; message: string }>;

export type HealthHttpErrorCode = keyof typeof HEALTH_HTTP_ERRORS;

const BRAND = Symbol.for('plumego.x.observability.ops.healthhttp.error');
const family = defineErrorFamily({
  name: 'HealthHttpError',
  brand: BRAND,
  codes: Object.keys(HEALTH_HTTP_ERRORS) as HealthHttpErrorCode[],
});

export class HealthHttpError extends Error {
  declare readonly code: HealthHttpErrorCode;
  readonly status: number;
  readonly field: string | undefined;
  readonly [BRAND] = true;

  constructor(code: HealthHttpErrorCode, field?: string) {
    super(HEALTH_HTTP_ERRORS[code].message + (field === undefined ? '' : ` (${field})`));
    family.stamp(this, code);
    this.status = HEALTH_HTTP_ERRORS[code].status;
    this.field = field;
  }
}

export function isHealthHttpError(value: unknown, code?: HealthHttpErrorCode): value is HealthHttpError {
  if (!family.is(value)) return false;
  return code === undefined || (value as HealthHttpError).code === code;
}

export function assertOption(ok: boolean, field: string): void {
  if (!ok) throw new HealthHttpError('HEALTH_INVALID_OPTIONS', field);
}
