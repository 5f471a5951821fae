import { defineErrorFamily } from 'plumego/contract';

/** Stable codes of x/validate. `VALIDATION_ERROR` is the contract's canonical code for bad input. */
export const VALIDATE_ERROR_CODES = {
  validation: 'VALIDATION_ERROR',
  invalidJson: 'INVALID_JSON',
  invalidSchema: 'VALIDATE_INVALID_SCHEMA',
} as const;

const BRAND = Symbol.for('plumego.x.validate.schema-error');
const family = defineErrorFamily({ name: 'SchemaError', brand: BRAND, codes: VALIDATE_ERROR_CODES });

/** A schema ajv cannot compile: a wiring bug, raised when the schema is first compiled, never sent to clients. */
export class SchemaError extends Error {
  readonly code = VALIDATE_ERROR_CODES.invalidSchema;
  readonly [BRAND] = true;

  constructor(message: string, cause: unknown) {
    super(message, { cause });
    family.stamp(this, this.code);
  }
}

export function isSchemaError(value: unknown): value is SchemaError {
  return family.is(value);
}
