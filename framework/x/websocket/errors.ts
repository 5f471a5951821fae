import { APIError, defineErrorFamily, getErrorOptions } from 'plumego/contract';

/**
 * Every failure the WebSocket module reports, with its HTTP status (for refused handshakes) and a
 * fixed message. Messages never carry a token, a password, an origin or a room name.
 */
export const WEBSOCKET_ERRORS = {
  WEBSOCKET_UPGRADE_REQUIRED: { status: 426, message: 'this endpoint only accepts WebSocket upgrades' },
  WEBSOCKET_BAD_HANDSHAKE: { status: 400, message: 'malformed WebSocket handshake' },
  WEBSOCKET_ORIGIN_FORBIDDEN: { status: 403, message: 'origin not allowed' },
  WEBSOCKET_UNAUTHENTICATED: { status: 401, message: 'a token is required' },
  WEBSOCKET_INVALID_TOKEN: { status: 401, message: 'invalid token' },
  WEBSOCKET_TOKEN_EXPIRED: { status: 401, message: 'token expired' },
  WEBSOCKET_ROOM_INVALID: { status: 400, message: 'invalid room name' },
  WEBSOCKET_ROOM_FORBIDDEN: { status: 403, message: 'wrong or missing room password' },
  WEBSOCKET_ROOM_FULL: { status: 503, message: 'room is full' },
  WEBSOCKET_CONNECTION_LIMIT: { status: 503, message: 'too many connections' },
  WEBSOCKET_SHUTTING_DOWN: { status: 503, message: 'server is shutting down' },
  WEBSOCKET_NOT_OPEN: { status: 500, message: 'connection is not open' },
  WEBSOCKET_DIAL_FAILED: { status: 502, message: 'could not open the WebSocket connection' },
  WEBSOCKET_BUS_FAILED: { status: 502, message: 'the cross-instance bus failed' },
  WEBSOCKET_INVALID_OPTIONS: { status: 500, message: 'invalid WebSocket options' },
} as const satisfies Record<string, { status: number; message: string }>;

export type WebSocketErrorCode = keyof typeof WEBSOCKET_ERRORS;

const BRAND = Symbol.for('plumego.x.websocket.error');
const family = defineErrorFamily({
  name: 'WebSocketError',
  brand: BRAND,
  codes: Object.keys(WEBSOCKET_ERRORS) as WebSocketErrorCode[],
});

/** A WebSocket failure. `field` names the option or input at fault, never its value. */
export class WebSocketError extends Error {
  declare readonly code: WebSocketErrorCode;
  readonly status: number;
  readonly field: string | undefined;
  /** Non-secret facts about the failure (e.g. the HTTP status a dial got). */
  declare readonly details: Readonly<Record<string, unknown>>;
  readonly [BRAND] = true;

  constructor(
    code: WebSocketErrorCode,
    options: { field?: string; cause?: unknown; details?: Record<string, unknown> } = {},
  ) {
    const entry = WEBSOCKET_ERRORS[code];
    super(entry.message + (options.field === undefined ? '' : ` (${options.field})`), getErrorOptions(options.cause));
    family.stamp(this, code, options.details ?? {});
    this.status = entry.status;
    this.field = options.field;
  }
}

/** Recognises a WebSocket error by brand, so two copies of the package still agree. */
export function isWebSocketError(value: unknown, code?: WebSocketErrorCode): value is WebSocketError {
  if (!family.is(value)) return false;
  return code === undefined || (value as WebSocketError).code === code;
}

/** The HTTP error sent for a refused handshake. */
export function toHandshakeError(code: WebSocketErrorCode): APIError {
  const entry = WEBSOCKET_ERRORS[code];
  return new APIError({ status: entry.status, code, message: entry.message });
}

/** Throws at factory time: a bad option is a wiring bug, never a per-connection failure. */
export function assertOption(ok: boolean, field: string): void {
  if (!ok) throw new WebSocketError('WEBSOCKET_INVALID_OPTIONS', { field });
}

/** Close codes this module sends (RFC 6455 §7.4.1; ws itself sends 1002, 1007 and 1009). */
export const CLOSE_CODES = {
  normal: 1000,
  goingAway: 1001,
  protocolError: 1002,
  invalidPayload: 1007,
  policyViolation: 1008,
  messageTooBig: 1009,
  internalError: 1011,
  tryAgainLater: 1013,
} as const;
