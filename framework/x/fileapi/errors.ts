import { APIError, defineErrorFamily } from 'plumego/contract';

/** Stable codes of x/fileapi. Where the contract has a canonical code (413, 415, 400 validation) it is reused. */
export const FILEAPI_ERROR_CODES = {
  fileRequired: 'FILEAPI_FILE_REQUIRED',
  invalidMultipart: 'FILEAPI_INVALID_MULTIPART',
  notFound: 'FILEAPI_FILE_NOT_FOUND',
  tenantRequired: 'TENANT_REQUIRED',
  unsupportedMediaType: 'UNSUPPORTED_MEDIA_TYPE',
  rangeNotSatisfiable: 'RANGE_NOT_SATISFIABLE',
  invalidOptions: 'FILEAPI_INVALID_OPTIONS',
  urlUnsupported: 'FILEAPI_URL_UNSUPPORTED',
} as const;

const BRAND = Symbol.for('plumego.x.fileapi.error');
const family = defineErrorFamily({ name: 'FileApiError', brand: BRAND, codes: FILEAPI_ERROR_CODES });

/** Raised by `createFileApi` for options that can never work. */
export class FileApiError extends Error {
  readonly code = FILEAPI_ERROR_CODES.invalidOptions;
  readonly [BRAND] = true;

  constructor(message: string) {
    super(message);
    family.stamp(this, this.code);
  }
}

export function isFileApiError(value: unknown): value is FileApiError {
  return family.is(value);
}

export function fileNotFound(): APIError {
  return new APIError({ type: 'resource_not_found', code: FILEAPI_ERROR_CODES.notFound, message: 'file not found' });
}

export function fileTooLarge(maxBytes: number): APIError {
  return new APIError({ type: 'payload_too_large', message: 'file too large', details: { max_bytes: maxBytes } });
}

export function unsupportedMediaType(message: string): APIError {
  return new APIError({ type: 'unsupported_media_type', code: FILEAPI_ERROR_CODES.unsupportedMediaType, message });
}

export function invalidMultipart(message = 'malformed multipart body'): APIError {
  return new APIError({ type: 'bad_request', code: FILEAPI_ERROR_CODES.invalidMultipart, message });
}
