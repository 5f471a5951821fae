import { defineErrorFamily } from 'plumego/contract';

/** Stable codes of x/frontend. Option errors are wiring bugs; the rest shape HTTP answers. */
export const FRONTEND_ERROR_CODES = {
  invalidOptions: 'FRONTEND_INVALID_OPTIONS',
  invalidPath: 'FRONTEND_INVALID_PATH',
  notAcceptable: 'NOT_ACCEPTABLE',
  rangeNotSatisfiable: 'RANGE_NOT_SATISFIABLE',
} as const;

const BRAND = Symbol.for('plumego.x.frontend.error');
const family = defineErrorFamily({ name: 'FrontendError', brand: BRAND, codes: FRONTEND_ERROR_CODES });

/** Raised by `createFrontend` for options that can never work (missing root, bad header value, …). */
export class FrontendError extends Error {
  readonly code = FRONTEND_ERROR_CODES.invalidOptions;
  readonly [BRAND] = true;

  constructor(message: string) {
    super(message);
    family.stamp(this, this.code);
  }
}

export function isFrontendError(value: unknown): value is FrontendError {
  return family.is(value);
}
