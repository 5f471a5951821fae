import { defineErrorFamily } from 'plumego/contract';

/** Stable codes of the devtools routes. */
export const DEVTOOLS_ERRORS = {
  DEVTOOLS_UNAUTHORIZED: { status: 401, message: 'a valid devtools token is required' },
  DEVTOOLS_BUSY: { status: 409, message: 'a profile is already running' },
  DEVTOOLS_BAD_REQUEST: { status: 400, message: 'invalid devtools request' },
  DEVTOOLS_INVALID_OPTIONS: { status: 500, message: 'invalid devtools options' },
} as const satisfies Record<string, { status: number; message: string }>;

export type DevtoolsErrorCode = keyof typeof DEVTOOLS_ERRORS;

const BRAND = Symbol.for('plumego.x.observability.devtools.error');
const family = defineErrorFamily({
  name: 'DevtoolsError',
  brand: BRAND,
  codes: Object.keys(DEVTOOLS_ERRORS) as DevtoolsErrorCode[],
});

export class DevtoolsError extends Error {
  declare readonly code: DevtoolsErrorCode;
  readonly status: number;
  readonly field: string | undefined;
  readonly [BRAND] = true;

  constructor(code: DevtoolsErrorCode, field?: string) {
    super(DEVTOOLS_ERRORS[code].message + (field === undefined ? '' : ` (${field})`));
    family.stamp(this, code);
    this.status = DEVTOOLS_ERRORS[code].status;
    this.field = field;
  }
}

export function isDevtoolsError(value: unknown, code?: DevtoolsErrorCode): value is DevtoolsError {
  if (!family.is(value)) return false;
  return code === undefined || (value as DevtoolsError).code === code;
}

export function assertOption(ok: boolean, field: string): void {
  if (!ok) throw new DevtoolsError('DEVTOOLS_INVALID_OPTIONS', field);
}
