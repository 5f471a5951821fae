import {
  APIError,
  writeError,
  type ErrorCategory,
  type ErrorType,
  type Request,
  type ResponseWriter,
} from 'plumego/contract';
import { REST_ERROR_CODES, type RestErrorCode } from './errors.ts';

const STATUS: Record<RestErrorCode, { status: number; type?: ErrorType; category?: ErrorCategory }> = {
  [REST_ERROR_CODES.notFound]: { status: 404, type: 'resource_not_found' },
  [REST_ERROR_CODES.conflict]: { status: 409, type: 'resource_conflict' },
  [REST_ERROR_CODES.validation]: { status: 422, category: 'validation_error' },
  [REST_ERROR_CODES.invalidQuery]: { status: 400, type: 'bad_request' },
  [REST_ERROR_CODES.immutableField]: { status: 422, category: 'validation_error' },
  [REST_ERROR_CODES.preconditionFailed]: { status: 412, category: 'client_error' },
  [REST_ERROR_CODES.unsupportedVersion]: { status: 400, type: 'bad_request' },
  [REST_ERROR_CODES.invalidOptions]: { status: 500, type: 'internal_error' },
};

export function fail(
  w: ResponseWriter,
  r: Request,
  code: RestErrorCode,
  message: string,
  details?: Record<string, unknown>,
): void {
  const { status, type, category } = STATUS[code];
  const init = type ? { type, code, message } : { status, category: category ?? 'client_error', code, message };
  writeError(w, r, new APIError({ ...init, ...(details ? { details } : {}) }));
}
