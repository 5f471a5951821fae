import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { APIError, CONTENT_TYPE_JSON, formatErrorBody, type ErrorBodyFormatter } from 'plumego/contract';

// Errors answered before (or instead of) a Request exists: Node parser rejections, connection
// limits, and the request-line checks the app makes before routing. Each is still the envelope.

/** A request Node could not parse (bad request line, header syntax, smuggling-shaped framing). */
export const malformedRequest = (): APIError =>
  new APIError({ type: 'bad_request', code: 'MALFORMED_REQUEST', message: 'malformed request' });

/** Unmatched route: the envelope instead of the router's plain-text 404. */
export const routeNotFound = new APIError({
  type: 'resource_not_found',
  code: 'ROUTE_NOT_FOUND',
  message: 'no route matches the request',
});

const headersTooLarge = new APIError({ status: 431, code: 'HEADERS_TOO_LARGE', message: 'request headers too large' });
const requestTimeout = new APIError({ type: 'timeout_failure', message: 'request not received in time' });
const chunkExtensionsTooLarge = new APIError({ type: 'payload_too_large', message: 'chunk extensions too large' });
export const tooManyConnections = new APIError({
  type: 'rate_limited',
  code: 'TOO_MANY_CONNECTIONS',
  message: 'too many connections from this address',
});

/** The envelope for a Node `clientError` (parser or timeout), by Node's error code. */
export function getClientErrorResponse(code: unknown): APIError {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return headersTooLarge;
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return requestTimeout;
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return chunkExtensionsTooLarge;
    default:
      return malformedRequest();
  }
}

/** Formats with the app's hook, falling back to the envelope if the hook throws. */
export function formatBody(err: APIError, format: ErrorBodyFormatter | undefined): string {
  if (format === undefined) return formatErrorBody(err, '');
  try {
    return format(err, '');
  } catch {
    return formatErrorBody(err, '');
  }
}

/**
 * A complete `Connection: close` response as bytes, for writing straight to a socket that has no
 * `ServerResponse` (the parser rejected the request, or the connection itself is refused).
 */
export function serializeErrorResponse(err: APIError, format: ErrorBodyFormatter | undefined): Buffer {
  const body = Buffer.from(formatBody(err, format));
  const head =
    `HTTP/1.1 ${err.status} ${STATUS_CODES[err.status] ?? 'Error'}\r\n` +
    `content-type: ${CONTENT_TYPE_JSON}\r\n` +
    'x-content-type-options: nosniff\r\n' +
    'cache-control: no-store\r\n' +
    `content-length: ${body.length}\r\n` +
    'connection: close\r\n\r\n';
  return Buffer.concat([Buffer.from(head, 'latin1'), body]);
}

/** Writes `response` if the socket can still take a whole response, then closes it. */
export function endSocketWith(socket: Socket, response: Buffer): void {
  // A response already under way on this socket (Node's internal `_httpMessage`) cannot be
  // followed by another status line; cutting the connection is the only honest signal left.
  const inFlight = (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (!socket.writable || inFlight?.headersSent === true) {
    socket.destroy();
    return;
  }
  socket.end(response, () => socket.destroy());
}

/** An `Expect` other than `100-continue` (Node would answer a bare 417). */
export const expectationFailed = new APIError({
  status: 417,
  code: 'EXPECTATION_FAILED',
  message: 'unsupported Expect header',
});

/**
 * Framing a Plumego app refuses: a repeated `Host` (which one routes the request is ambiguous
 * between proxies), an HTTP/1.1 request without `Host` (RFC 9112 §3.2; checked here rather than
 * by Node, whose own refusal has no body), and any `Transfer-Encoding` other than a single
 * `chunked` (the only coding Node decodes; anything else is a smuggling vector). Scans
 * `rawHeaders` once, comparing only names of the right length.
 */
export function hasAmbiguousFraming(req: IncomingMessage): boolean {
  const raw = req.rawHeaders;
  let hosts = 0;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    if (name.length === 4) {
      if ((name === 'Host' || name.toLowerCase() === 'host') && ++hosts > 1) return true;
    } else if (name.length === 17 && name.toLowerCase() === 'transfer-encoding') {
      if (raw[i + 1]!.trim().toLowerCase() !== 'chunked') return true;
    }
  }
  return hosts === 0 && req.httpVersionMinor === 1 && req.httpVersionMajor === 1;
}
