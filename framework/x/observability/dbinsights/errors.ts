import { defineErrorFamily } from 'plumego/contract';

/** Stable codes of the database insights. */
export const DBINSIGHTS_ERRORS = {
  DBINSIGHTS_INVALID_OPTIONS: { status: 500, message: 'invalid database insights options' },
} as const satisfies Record<string, { status: number; message: string }>;

export type DbInsightsErrorCode = keyof typeof DBINSIGHTS_ERRORS;

const BRAND = Symbol.for('plumego.x.observability.dbinsights.error');
const family = defineErrorFamily({
  name: 'DbInsightsError',
  brand: BRAND,
  codes: Object.keys(DBINSIGHTS_ERRORS) as DbInsightsErrorCode[],
});

export class DbInsightsError extends Error {
  declare readonly code: DbInsightsErrorCode;
  readonly field: string;
  readonly [BRAND] = true;

  constructor(code: DbInsightsErrorCode, field: string) {
    super(`${DBINSIGHTS_ERRORS[code].message} (${field})`);
    family.stamp(this, code);
    this.field = field;
  }
}

export function isDbInsightsError(value: unknown): value is DbInsightsError {
  return family.is(value);
}

export function assertOption(ok: boolean, field: string): void {
  if (!ok) throw new DbInsightsError('DBINSIGHTS_INVALID_OPTIONS', field);
}
