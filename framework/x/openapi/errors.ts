import { defineErrorFamily } from 'plumego/contract';

/** Stable codes of x/openapi; all are wiring errors raised while generating, never sent to clients. */
export const OPENAPI_ERROR_CODES = {
  unknownHint: 'OPENAPI_UNKNOWN_HINT',
  invalidRoute: 'OPENAPI_INVALID_ROUTE',
  invalidOptions: 'OPENAPI_INVALID_OPTIONS',
  duplicateOperationId: 'OPENAPI_DUPLICATE_OPERATION_ID',
} as const;

export type OpenAPIErrorCode = (typeof OPENAPI_ERROR_CODES)[keyof typeof OPENAPI_ERROR_CODES];

const BRAND = Symbol.for('plumego.x.openapi.error');
const family = defineErrorFamily({ name: 'OpenAPIError', brand: BRAND, codes: OPENAPI_ERROR_CODES });

export class OpenAPIError extends Error {
  declare readonly code: OpenAPIErrorCode;
  readonly [BRAND] = true;

  constructor(code: OpenAPIErrorCode, message: string) {
    super(message);
    family.stamp(this, code);
  }
}

export function isOpenAPIError(value: unknown): value is OpenAPIError {
  return family.is(value);
}
