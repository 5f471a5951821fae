import { defineErrorFamily, getErrorOptions } from 'plumego/contract';

/** Stable codes for every failure x/rest writes or throws. */
export const REST_ERROR_CODES = {
  notFound: 'REST_NOT_FOUND',
  conflict: 'REST_CONFLICT',
  validation: 'REST_VALIDATION_FAILED',
  invalidQuery: 'REST_INVALID_QUERY',
  immutableField: 'REST_IMMUTABLE_FIELD',
  preconditionFailed: 'REST_PRECONDITION_FAILED',
  unsupportedVersion: 'REST_UNSUPPORTED_VERSION',
  invalidOptions: 'REST_INVALID_OPTIONS',
} as const;

export type RestErrorCode = (typeof REST_ERROR_CODES)[keyof typeof REST_ERROR_CODES];

const BRAND = Symbol.for('plumego.x.rest.error');
const family = defineErrorFamily({ name: 'RestError', brand: BRAND, codes: REST_ERROR_CODES });

/** Thrown by repositories (`REST_CONFLICT`, `REST_NOT_FOUND`) and at wiring time (`REST_INVALID_OPTIONS`). */
export class RestError extends Error {
  declare readonly code: RestErrorCode;
  declare readonly details: Readonly<Record<string, unknown>>;
  readonly [BRAND] = true;

  constructor(code: RestErrorCode, message: string, details: Record<string, unknown> = {}, cause?: unknown) {
    super(message, getErrorOptions(cause));
    family.stamp(this, code, details);
  }
}

export function isRestError(value: unknown): value is RestError {
  return family.is(value);
}

export function assertOption(ok: boolean, field: string, rule: string): void {
  if (!ok) throw new RestError(REST_ERROR_CODES.invalidOptions, `invalid option ${field}: ${rule}`, { field });
}
