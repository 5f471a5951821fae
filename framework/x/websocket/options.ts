import type { Request } from 'plumego/contract';
import type { Connection, SlowConsumerPolicy } from './connection.ts';
import { assertOption } from './errors.ts';
import type { Hub } from './hub.ts';

/** Verifies a token and returns the principal, or throws (a security error maps to 401). */
export type TokenAuthenticator = (token: string, r: Request) => unknown;

export interface WebSocketEndpointOptions {
  /** Verifies the token every handshake must carry. Required: there is no anonymous mode. */
  authenticate: TokenAuthenticator;
  /** Exact `Origin` values accepted (scheme://host[:port]). Required unless `allowAllOrigins`. */
  allowedOrigins?: readonly string[];
  /** Accept any origin (cross-site WebSocket hijacking becomes possible). Default false. */
  allowAllOrigins?: boolean;
  /** Accept handshakes without an `Origin` header (non-browser clients). Default false. */
  allowMissingOrigin?: boolean;
  /** Also read the token from `?access_token=` (it ends up in logs and history). Default false. */
  allowQueryToken?: boolean;
  /** Application subprotocols, in preference order; the first one the client offers is selected. Default none. */
  protocols?: readonly string[];
  /** Negotiate permessage-deflate (costs memory per connection; CRIME/BREACH-style risks). Default false. */
  perMessageDeflate?: boolean;
  /** Largest inbound message; larger ones close the connection with 1009. Default 64 KiB. */
  maxMessageBytes?: number;
  /** Most connections this endpoint holds; more get 503. Default 10,000. */
  maxConnections?: number;
  /** Ping interval; a peer that has not answered (pong or message) by the next ping is dropped. Default 30,000 ms. */
  pingIntervalMs?: number;
  /** A connection with no inbound message for this long is closed with 1000. 0 disables. Default 300,000 ms. */
  idleTimeoutMs?: number;
  /** Per-connection outbound buffer limit. Default 1 MiB. */
  maxQueueBytes?: number;
  /** What to do with a message for a connection whose buffer is full. Default 'close' (1008). */
  slowConsumer?: SlowConsumerPolicy;
  /** Under 'block', how long a connection may stay full before it is closed with 1008. Default 5,000 ms. */
  sendTimeoutMs?: number;
  /** Inbound messages per second per connection; above the burst the connection is closed with 1008. 0 disables. Default 100. */
  messagesPerSecond?: number;
  /** Inbound burst allowance. Default 2 × messagesPerSecond. */
  messageBurst?: number;
  /** Room joined at connect, e.g. `(r) => r.param('room')`; its password comes from `X-WebSocket-Room-Password`. Default none. */
  room?: (r: Request) => string | undefined;
  /** The hub connections join. Default a new hub per endpoint. */
  hub?: Hub;
  onConnection?: (conn: Connection, r: Request) => void;
  onMessage?: (conn: Connection, data: Buffer, isBinary: boolean) => void;
  onClose?: (conn: Connection, code: number, reason: string) => void;
}

export interface ResolvedWebSocketEndpointOptions {
  readonly authenticate: TokenAuthenticator;
  readonly allowedOrigins: ReadonlySet<string>;
  readonly allowAllOrigins: boolean;
  readonly allowMissingOrigin: boolean;
  readonly allowQueryToken: boolean;
  readonly protocols: readonly string[];
  readonly perMessageDeflate: boolean;
  readonly maxMessageBytes: number;
  readonly maxConnections: number;
  readonly pingIntervalMs: number;
  readonly idleTimeoutMs: number;
  readonly maxQueueBytes: number;
  readonly slowConsumer: SlowConsumerPolicy;
  readonly sendTimeoutMs: number;
  readonly messagesPerSecond: number;
  readonly messageBurst: number;
}

export const DEFAULT_WEBSOCKET_OPTIONS = {
  allowAllOrigins: false,
  allowMissingOrigin: false,
  allowQueryToken: false,
  perMessageDeflate: false,
  maxMessageBytes: 64 * 1024,
  maxConnections: 10_000,
  pingIntervalMs: 30_000,
  idleTimeoutMs: 300_000,
  maxQueueBytes: 1024 * 1024,
  slowConsumer: 'close',
  sendTimeoutMs: 5_000,
  messagesPerSecond: 100,
} as const;

const ORIGIN = /^https?:\/\/[^/\s]+$/;
const TOKEN_CHARS = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

export function resolveWebSocketEndpointOptions(o: WebSocketEndpointOptions): ResolvedWebSocketEndpointOptions {
  const d = DEFAULT_WEBSOCKET_OPTIONS;
  assertOption(typeof o?.authenticate === 'function', 'authenticate');
  const origins = o.allowedOrigins ?? [];
  const allowAll = o.allowAllOrigins ?? d.allowAllOrigins;
  assertOption(allowAll || origins.length > 0, 'allowedOrigins');
  assertOption(
    origins.every((x) => ORIGIN.test(x)),
    'allowedOrigins',
  );
  const protocols = o.protocols ?? [];
  assertOption(
    protocols.every((p) => TOKEN_CHARS.test(p) && !p.startsWith('bearer.')),
    'protocols',
  );
  const rate = o.messagesPerSecond ?? d.messagesPerSecond;
  const r: ResolvedWebSocketEndpointOptions = {
    authenticate: o.authenticate,
    allowedOrigins: new Set(origins.map((x) => x.toLowerCase())),
    allowAllOrigins: allowAll,
    allowMissingOrigin: o.allowMissingOrigin ?? d.allowMissingOrigin,
    allowQueryToken: o.allowQueryToken ?? d.allowQueryToken,
    protocols,
    perMessageDeflate: o.perMessageDeflate ?? d.perMessageDeflate,
    maxMessageBytes: o.maxMessageBytes ?? d.maxMessageBytes,
    maxConnections: o.maxConnections ?? d.maxConnections,
    pingIntervalMs: o.pingIntervalMs ?? d.pingIntervalMs,
    idleTimeoutMs: o.idleTimeoutMs ?? d.idleTimeoutMs,
    maxQueueBytes: o.maxQueueBytes ?? d.maxQueueBytes,
    slowConsumer: o.slowConsumer ?? d.slowConsumer,
    sendTimeoutMs: o.sendTimeoutMs ?? d.sendTimeoutMs,
    messagesPerSecond: rate,
    messageBurst: o.messageBurst ?? rate * 2,
  };
  for (const f of ['maxMessageBytes', 'maxConnections', 'pingIntervalMs', 'maxQueueBytes', 'sendTimeoutMs'] as const) {
    assertOption(Number.isInteger(r[f]) && r[f] > 0, f);
  }
  for (const f of ['idleTimeoutMs', 'messagesPerSecond', 'messageBurst'] as const)
    assertOption(Number.isFinite(r[f]) && r[f] >= 0, f);
  assertOption(r.messagesPerSecond === 0 || r.messageBurst >= 1, 'messageBurst');
  assertOption(['block', 'drop', 'close'].includes(r.slowConsumer), 'slowConsumer');
  return r;
}
