import { STATUS_CODES, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import {
  BufferedResponseWriter,
  createRequestFromNode,
  isPromise,
  writeError,
  type ErrorBodyFormatter,
  type Handler,
} from 'plumego/contract';

/** What `attachUpgrades` needs from an app: `App` from plumego/core satisfies it. */
export interface UpgradeHost {
  prepareHandler(): Handler;
  prepare(): Server;
}

export interface AttachUpgradesOptions {
  /** A handshake whose handler has neither upgraded nor answered by then is dropped. Default 10,000 ms. */
  handshakeTimeoutMs?: number;
  /** Largest refusal body written back to the socket. Default 64 KiB. */
  maxResponseBytes?: number;
  /** The app's error body format (pass the app's `formatErrorBody`), so refused upgrades look like its other errors. Default the standard envelope. */
  formatErrorBody?: ErrorBodyFormatter;
}

/** The socket of an upgrade request that an endpoint may take over. */
export interface PendingUpgrade {
  readonly socket: Duplex;
  readonly head: Buffer;
  taken: boolean;
}

// Keyed by Node's request object, which the plumego Request exposes as `raw`; entries vanish with it.
const pending = new WeakMap<IncomingMessage, PendingUpgrade>();
const attached = new WeakSet<Server>();

/** The upgrade an endpoint handler may take over, or undefined for an ordinary request. */
export function getPendingUpgrade(req: IncomingMessage | undefined): PendingUpgrade | undefined {
  return req === undefined ? undefined : pending.get(req);
}

/**
 * Routes the server's `upgrade` requests through the app's own handler (global middleware, router,
 * route middleware), so authentication, request ids and rate limits run before any WebSocket
 * handshake. A handler that refuses writes an ordinary response; it goes to the raw socket, which is
 * then closed. Idempotent per server.
 */
export function attachUpgrades(host: UpgradeHost, options: AttachUpgradesOptions = {}): Server {
  const handler = host.prepareHandler();
  const server = host.prepare();
  if (attached.has(server)) return server;
  attached.add(server);
  const timeoutMs = options.handshakeTimeoutMs ?? 10_000;
  const maxBytes = options.maxResponseBytes ?? 64 * 1024;
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // A module-level listener: a closure here would keep this handshake's request and writer alive
    // for as long as the socket lives (about 2 KB per idle connection).
    socket.on('error', destroyOnError);
    const up: PendingUpgrade = { socket, head, taken: false };
    pending.set(req, up);
    const timer = setTimeout(() => {
      if (!up.taken) socket.destroy();
    }, timeoutMs);
    timer.unref();
    const r = createRequestFromNode(req, undefined);
    if (options.formatErrorBody !== undefined) r.state.formatError = options.formatErrorBody;
    const w = new BufferedResponseWriter(maxBytes);
    w.onEnd = () => {
      clearTimeout(timer);
      if (!up.taken) writeRawResponse(socket, w);
    };
    const settle = (err: unknown): void => {
      if (up.taken) return clearTimeout(timer);
      if (err !== undefined && writeError(w, r, err)) return;
      // A handler that neither upgraded nor answered leaves nothing sensible to say.
      if (!w.finished) {
        clearTimeout(timer);
        socket.destroy();
      }
    };
    try {
      const p = handler(w, r);
      if (isPromise(p))
        p.then(
          () => settle(undefined),
          (err: unknown) => settle(err ?? new Error('handler failed')),
        );
      else settle(undefined);
    } catch (err) {
      settle(err ?? new Error('handler failed'));
    }
  });
  return server;
}

function destroyOnError(this: Duplex): void {
  this.destroy();
}

const SAFE_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
const SKIP = new Set(['connection', 'content-length', 'transfer-encoding', 'upgrade']);

/** Serialises a refusal as an HTTP/1.1 response on the raw socket and closes it. */
function writeRawResponse(socket: Duplex, w: BufferedResponseWriter): void {
  if (socket.destroyed) return;
  const status = w.overflowed ? 500 : w.status || 200;
  const body = w.overflowed ? Buffer.alloc(0) : w.getBody();
  let head = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Unknown'}\r\n`;
  const h = w.getHeaderList();
  for (let i = 0; i < h.length; i += 2) {
    const name = h[i]!;
    const value = h[i + 1]!;
    // Header values were never validated by Node on this path; a line break would split the response.
    if (SKIP.has(name) || !SAFE_VALUE.test(value)) continue;
    head += `${name}: ${value}\r\n`;
  }
  head += `connection: close\r\ncontent-length: ${body.byteLength}\r\n\r\n`;
  socket.end(Buffer.concat([Buffer.from(head, 'latin1'), body]));
}
