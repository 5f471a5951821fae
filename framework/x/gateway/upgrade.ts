import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { createRequestFromNode, formatErrorBody, type APIError } from 'plumego/contract';
import type { BackendPool } from './backend-pool.ts';
import { createAmbiguousRequestError, createUpstreamError, getUpstreamFailureReason } from './errors.ts';
import { getFramingProblem } from './headers.ts';
import type { ResolvedProxyOptions } from './options.ts';
import { buildUpstreamHeaders } from './upstream-headers.ts';

function writeRawError(socket: Duplex, error: APIError): void {
  const body = formatErrorBody(error, '');
  const head =
    `HTTP/1.1 ${error.status} ${STATUS_CODES[error.status] ?? 'Error'}\r\n` +
    `content-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n`;
  socket.end(head + body);
}

function formatHead(headers: Record<string, string | string[] | undefined>): string {
  let out = 'HTTP/1.1 101 Switching Protocols\r\n';
  for (const name in headers) {
    const v = headers[name];
    if (v === undefined) continue;
    for (const value of Array.isArray(v) ? v : [v]) out += `${name}: ${value}\r\n`;
  }
  return out + '\r\n';
}

/**
 * Proxies an `Upgrade` request (WebSocket and friends): the handshake goes through the backend's
 * pool, then bytes flow both ways untouched until either side closes, which closes the other.
 */
export function handleUpgrade(
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  pool: BackendPool,
  options: ResolvedProxyOptions,
): void {
  socket.on('error', () => socket.destroy());
  const r = createRequestFromNode(req, undefined);
  const problem = getFramingProblem(req.headers, req.rawHeaders);
  const protocol = req.headers['upgrade'];
  if (problem !== undefined || protocol === undefined || !r.path.startsWith('/')) {
    writeRawError(socket, createAmbiguousRequestError(problem ?? 'invalid_upgrade'));
    return;
  }
  const backend = pool.select(r, []);
  if (backend === undefined) {
    writeRawError(socket, createUpstreamError('no_backend'));
    return;
  }
  const done = pool.begin(backend);
  if (done === undefined) {
    writeRawError(socket, createUpstreamError('no_backend'));
    return;
  }
  const headers = buildUpstreamHeaders(r, options);
  if (!options.preserveHost) headers['host'] = backend.host;
  const path = options.rewritePath === undefined ? r.path : options.rewritePath(r.path, r);
  const ac = new AbortController();
  socket.once('close', () => ac.abort());
  backend.dispatcher
    .upgrade({
      path: backend.basePath + path + (r.rawQuery === '' ? '' : `?${r.rawQuery}`),
      method: req.method ?? 'GET',
      headers,
      protocol,
      signal: ac.signal,
    })
    .then(
      ({ headers: answer, socket: upstream }) => {
        done('ok');
        if (socket.destroyed) {
          upstream.destroy();
          return;
        }
        upstream.on('error', () => socket.destroy());
        upstream.on('close', () => socket.destroy());
        socket.on('close', () => upstream.destroy());
        socket.write(formatHead(answer));
        if (head.length > 0) upstream.write(head);
        upstream.pipe(socket);
        socket.pipe(upstream);
      },
      (error: unknown) => {
        if (ac.signal.aborted) {
          done('cancelled');
          return;
        }
        const reason = getUpstreamFailureReason(error);
        done(reason);
        options.onUpstreamError?.({ backend, error, attempt: 1, willRetry: false });
        writeRawError(socket, createUpstreamError(reason, error));
      },
    );
}
