import { APIError, writeError, type ErrorType, type Request, type ResponseWriter } from 'plumego/contract';
import { TENANT_ERROR_CODES, type TenantErrorCode } from './errors.ts';

const TYPE_OF: Record<TenantErrorCode, ErrorType> = {
  [TENANT_ERROR_CODES.required]: 'unauthorized_request',
  [TENANT_ERROR_CODES.invalidId]: 'bad_request',
  [TENANT_ERROR_CODES.mismatch]: 'forbidden_request',
  [TENANT_ERROR_CODES.unknown]: 'forbidden_request',
  [TENANT_ERROR_CODES.policyDenied]: 'forbidden_request',
  [TENANT_ERROR_CODES.quotaExceeded]: 'rate_limited',
  [TENANT_ERROR_CODES.rateLimited]: 'rate_limited',
  [TENANT_ERROR_CODES.tokenRevoked]: 'invalid_token',
  [TENANT_ERROR_CODES.stateUnavailable]: 'service_unavailable',
  [TENANT_ERROR_CODES.invalidOptions]: 'internal_error',
  [TENANT_ERROR_CODES.invalidConfig]: 'internal_error',
  [TENANT_ERROR_CODES.scopeRefused]: 'internal_error',
};

/** Writes the canonical envelope for one of the tenant stages' refusals. */
export function refuse(
  w: ResponseWriter,
  r: Request,
  code: TenantErrorCode,
  message: string,
  details?: Record<string, unknown>,
): void {
  writeError(w, r, new APIError({ type: TYPE_OF[code], code, message, ...(details ? { details } : {}) }));
}
