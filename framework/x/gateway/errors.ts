import { APIError, defineErrorFamily, getErrorOptions } from 'plumego/contract';

/**
 * Stable codes of x/gateway. `GATEWAY_INVALID_OPTIONS` is a wiring bug raised when a proxy is built;
 * the others are the answers a client sees when an upstream cannot serve it.
 */
export const GATEWAY_ERROR_CODES = {
  invalidOptions: 'GATEWAY_INVALID_OPTIONS',
  badRequest: 'GATEWAY_BAD_REQUEST',
  badGateway: 'GATEWAY_BAD_GATEWAY',
  unavailable: 'GATEWAY_UNAVAILABLE',
  timeout: 'GATEWAY_UPSTREAM_TIMEOUT',
} as const;

export type GatewayErrorCode = (typeof GATEWAY_ERROR_CODES)[keyof typeof GATEWAY_ERROR_CODES];

/** Why an upstream exchange failed; sent as `error.details.reason`. */
export type UpstreamFailureReason =
  | 'connect_failed'
  | 'connection_reset'
  | 'malformed_response'
  | 'response_headers_too_large'
  | 'connect_timeout'
  | 'headers_timeout'
  | 'body_timeout'
  | 'no_backend'
  | 'upstream_error';

const BRAND = Symbol.for('plumego.x.gateway.error');
const family = defineErrorFamily({ name: 'GatewayError', brand: BRAND, codes: GATEWAY_ERROR_CODES });

/** Raised when a proxy, balancer or health checker is built with options that can never work. */
export class GatewayError extends Error {
  declare readonly code: GatewayErrorCode;
  readonly [BRAND] = true;

  constructor(code: GatewayErrorCode, message: string, cause?: unknown) {
    super(message, getErrorOptions(cause));
    family.stamp(this, code);
  }
}

export function isGatewayError(value: unknown): value is GatewayError {
  return family.is(value);
}

/** Throws at factory time, never per request. */
export function assertGatewayOption(ok: boolean, field: string, rule: string): void {
  if (!ok) throw new GatewayError(GATEWAY_ERROR_CODES.invalidOptions, `invalid gateway option ${field}: ${rule}`);
}

const TIMEOUT_REASONS: ReadonlySet<UpstreamFailureReason> = new Set([
  'connect_timeout',
  'headers_timeout',
  'body_timeout',
]);

/** The envelope error for a failed upstream exchange: 504 for timeouts, 503 without a backend, else 502. */
export function createUpstreamError(reason: UpstreamFailureReason, cause?: unknown): APIError {
  if (TIMEOUT_REASONS.has(reason)) {
    return new APIError({
      type: 'gateway_timeout',
      code: GATEWAY_ERROR_CODES.timeout,
      message: 'upstream timed out',
      details: { reason },
      cause,
    });
  }
  if (reason === 'no_backend') {
    return new APIError({
      type: 'service_unavailable',
      code: GATEWAY_ERROR_CODES.unavailable,
      message: 'no upstream available',
      details: { reason },
      cause,
    });
  }
  return new APIError({
    type: 'bad_gateway',
    code: GATEWAY_ERROR_CODES.badGateway,
    message: 'upstream failed',
    details: { reason },
    cause,
  });
}

/** 400 for a request whose framing an upstream could read differently (smuggling). */
export function createAmbiguousRequestError(reason: string): APIError {
  return new APIError({
    type: 'bad_request',
    code: GATEWAY_ERROR_CODES.badRequest,
    message: 'ambiguous request framing',
    details: { reason },
  });
}

const CODE_REASONS: Readonly<Record<string, UpstreamFailureReason>> = {
  UND_ERR_CONNECT_TIMEOUT: 'connect_timeout',
  UND_ERR_HEADERS_TIMEOUT: 'headers_timeout',
  UND_ERR_BODY_TIMEOUT: 'body_timeout',
  UND_ERR_HEADERS_OVERFLOW: 'response_headers_too_large',
  UND_ERR_SOCKET: 'connection_reset',
  UND_ERR_CLOSED: 'connection_reset',
  UND_ERR_RES_CONTENT_LENGTH_MISMATCH: 'malformed_response',
  UND_ERR_INFO: 'malformed_response',
  ECONNREFUSED: 'connect_failed',
  EHOSTUNREACH: 'connect_failed',
  ENETUNREACH: 'connect_failed',
  ENOTFOUND: 'connect_failed',
  EAI_AGAIN: 'connect_failed',
  ECONNRESET: 'connection_reset',
  EPIPE: 'connection_reset',
};

/** Classifies an undici or socket error; unknown errors are a plain `upstream_error`. */
export function getUpstreamFailureReason(error: unknown): UpstreamFailureReason {
  if (typeof error !== 'object' || error === null) return 'upstream_error';
  const { code, name } = error as { code?: unknown; name?: unknown };
  if (typeof code !== 'string') return name === 'HTTPParserError' ? 'malformed_response' : 'upstream_error';
  if (code.startsWith('HPE_'))
    return code === 'HPE_HEADER_OVERFLOW' ? 'response_headers_too_large' : 'malformed_response';
  return CODE_REASONS[code] ?? 'upstream_error';
}
