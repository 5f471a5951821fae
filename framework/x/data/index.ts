export { DATA_ERRORS, DataError, assertDataOption, isDataError } from './errors.ts';
export type { DataErrorCode, DataErrorOptions } from './errors.ts';
export { describeEndpoint, redactSecrets, sanitizeDriverError } from './redact.ts';
