/**
 * The security module's error registry: one stable code per failure a caller can see, with a
 * fixed message. Messages never carry the input that failed (a token, a password, a header value),
 * so an error can be logged or returned without leaking secrets.
 */
export const SECURITY_ERRORS = {
  'PLUMEGO_ERR_AUTH_UNAUTHENTICATED': { message: 'authentication required', status: 401 },
  'PLUMEGO_ERR_AUTH_FORBIDDEN': { message: 'access forbidden', status: 403 },
  'PLUMEGO_ERR_AUTH_INVALID_TOKEN': { message: 'invalid token', status: 401 },
  'PLUMEGO_ERR_AUTH_EXPIRED_TOKEN': { message: 'token expired', status: 401 },
  'PLUMEGO_ERR_JWT_INVALID_OPTIONS': { message: 'invalid JWT options', status: 500 },
  'PLUMEGO_ERR_JWT_KEY_NOT_FOUND': { message: 'signing key not found', status: 500 },
  'PLUMEGO_ERR_PASSWORD_TOO_LONG': { message: 'password exceeds the maximum length', status: 400 },
  'PLUMEGO_ERR_PASSWORD_INVALID_HASH': { message: 'password hash is malformed', status: 500 },
  'PLUMEGO_ERR_PASSWORD_INVALID_COST': { message: 'password hash cost is out of range', status: 500 },
  'PLUMEGO_ERR_PASSWORD_WEAK': { message: 'password does not meet the strength policy', status: 400 },
  'PLUMEGO_ERR_HEADERS_INVALID_POLICY': { message: 'invalid security header policy', status: 500 },
  'PLUMEGO_ERR_CSP_INVALID_SOURCE': { message: 'invalid Content-Security-Policy source', status: 500 },
  'PLUMEGO_ERR_INPUT_INVALID_EMAIL': { message: 'invalid email address', status: 400 },
  'PLUMEGO_ERR_INPUT_INVALID_URL': { message: 'invalid URL', status: 400 },
  'PLUMEGO_ERR_INPUT_FORBIDDEN_ADDRESS': { message: 'URL does not point to a public address', status: 400 },
  'PLUMEGO_ERR_ABUSE_INVALID_KEY': { message: 'rate limit key is empty or too long', status: 400 },
  'PLUMEGO_ERR_ABUSE_INVALID_OPTIONS': { message: 'invalid rate limiter options', status: 500 },
} as const satisfies Record<string, { message: string; status: number }>;

export type SecurityErrorCode = keyof typeof SECURITY_ERRORS;

const SECURITY_ERROR_BRAND = Symbol.for('plumego.security.error');

/** Options for {@link SecurityError}. `reason` is a fixed machine word, never user input. */
export interface SecurityErrorOptions {
  /** A fixed, non-secret word that narrows the failure (e.g. `unknown_kid`). Default: none. */
  reason?: string;
  /** The underlying error. It is kept for debugging and never rendered into the message. */
  cause?: unknown;
  /** A field name or directive the failure is about (never its value). Default: none. */
  field?: string;
}

export class SecurityError extends Error {
  readonly code: SecurityErrorCode;
  readonly status: number;
  readonly reason: string | undefined;
  readonly field: string | undefined;
  readonly [SECURITY_ERROR_BRAND] = true;

  constructor(code: SecurityErrorCode, options: SecurityErrorOptions = {}) {
    const entry = SECURITY_ERRORS[code];
    const suffix = options.field === undefined ? '' : ` (${options.field})`;
    super(entry.message + suffix, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SecurityError';
    this.code = code;
    this.status = entry.status;
    this.reason = options.reason;
    this.field = options.field;
  }
}

/** Recognises a security error by brand, so two copies of the package still agree. */
export function isSecurityError(value: unknown, code?: SecurityErrorCode): value is SecurityError {
  if (typeof value !== 'object' || value === null) return false;
  if ((value as Record<symbol, unknown>)[SECURITY_ERROR_BRAND] !== true) return false;
  return code === undefined || (value as SecurityError).code === code;
}
