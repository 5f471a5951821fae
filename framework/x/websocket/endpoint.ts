import { writeError, type Handler, type Request, type ResponseWriter } from 'plumego/contract';
import { extractBearerToken, isSecurityError } from 'plumego/security';
import { WebSocketServer, type WebSocket } from 'ws';
import { Connection, type SendPolicy } from './connection.ts';
import { CLOSE_CODES, isWebSocketError, toHandshakeError, type WebSocketErrorCode } from './errors.ts';
import { Hub, type HubShutdownOptions } from './hub.ts';
import {
  resolveWebSocketEndpointOptions,
  type ResolvedWebSocketEndpointOptions,
  type WebSocketEndpointOptions,
} from './options.ts';
import { ROOM_PASSWORD_HEADER } from './room.ts';
import { getPendingUpgrade } from './upgrade.ts';

/** Subprotocol prefix that carries a token: offer `bearer.<token>` next to an application protocol. */
export const TOKEN_PROTOCOL_PREFIX = 'bearer.';
const WS_KEY = /^[+/0-9A-Za-z]{21}[AQgw]==$/;

/**
 * One WebSocket route. Register `endpoint.handler` on the app's router (`app.get('/ws', endpoint.handler)`)
 * and call `attachUpgrades(app)` once: the handshake then runs through the app's middleware, and the
 * handler checks version, origin, token, room and capacity before `ws` completes the upgrade.
 */
export class WebSocketEndpoint {
  readonly options: ResolvedWebSocketEndpointOptions;
  readonly hub: Hub;
  /** The route handler; answers 426 to requests that are not upgrades. */
  readonly handler: Handler;
  readonly #hooks: Pick<WebSocketEndpointOptions, 'onConnection' | 'onMessage' | 'onClose' | 'room'>;
  readonly #wss: WebSocketServer;
  readonly #policy: SendPolicy;
  readonly #conns = new Set<Connection>();
  #handshakes = 0;
  #heartbeat: NodeJS.Timeout | undefined;

  constructor(options: WebSocketEndpointOptions) {
    const o = resolveWebSocketEndpointOptions(options);
    this.options = o;
    this.hub = options.hub ?? new Hub();
    this.#hooks = options;
    this.#policy = o;
    this.#wss = new WebSocketServer({
      noServer: true,
      clientTracking: false,
      maxPayload: o.maxMessageBytes,
      perMessageDeflate: o.perMessageDeflate,
      handleProtocols: (offered) => o.protocols.find((p) => offered.has(p)) ?? false,
    });
    this.handler = (w, r) => this.#handle(w, r);
  }

  /** Connections this endpoint holds. */
  get size(): number {
    return this.#conns.size;
  }

  /** Stops the heartbeat and shuts the hub down (every connection closed with 1001 and the reason). */
  async shutdown(options: HubShutdownOptions = {}): Promise<void> {
    await this.hub.shutdown(options);
    if (this.#heartbeat !== undefined) clearInterval(this.#heartbeat);
    this.#heartbeat = undefined;
  }

  async #handle(w: ResponseWriter, r: Request): Promise<void> {
    const up = getPendingUpgrade(r.raw);
    if (up === undefined || up.taken) {
      w.setHeader('upgrade', 'websocket');
      writeError(w, r, toHandshakeError('WEBSOCKET_UPGRADE_REQUIRED'));
      return;
    }
    const refuse = (code: WebSocketErrorCode): void => {
      if (code === 'WEBSOCKET_UPGRADE_REQUIRED') w.setHeader('sec-websocket-version', '13');
      if (code === 'WEBSOCKET_SHUTTING_DOWN' || code === 'WEBSOCKET_CONNECTION_LIMIT' || code === 'WEBSOCKET_ROOM_FULL')
        w.setHeader('retry-after', '1');
      writeError(w, r, toHandshakeError(code));
    };
    const early = this.#checkHandshake(r);
    if (early !== undefined) return refuse(early);
    this.#handshakes++;
    try {
      const token = this.#readToken(r);
      if (token === undefined) return refuse('WEBSOCKET_UNAUTHENTICATED');
      let principal: unknown;
      try {
        principal = await this.options.authenticate(token, r);
      } catch (err) {
        return refuse(classifyAuthError(err));
      }
      const room = this.#hooks.room?.(r);
      const password = r.header(ROOM_PASSWORD_HEADER);
      if (room !== undefined) {
        const refusal = this.hub.checkJoin(room, password);
        if (refusal !== undefined) return refuse(refusal);
      }
      if (this.hub.shuttingDown) return refuse('WEBSOCKET_SHUTTING_DOWN');
      if (up.socket.destroyed) return;
      up.taken = true;
      this.#wss.handleUpgrade(r.raw!, up.socket, up.head, (ws) => this.#accept(ws, r, principal, room, password));
    } finally {
      this.#handshakes--;
    }
  }

  /** The refusals that need no I/O: shutdown, capacity, version, key, origin. */
  #checkHandshake(r: Request): WebSocketErrorCode | undefined {
    if (this.hub.shuttingDown) return 'WEBSOCKET_SHUTTING_DOWN';
    if (this.#conns.size + this.#handshakes >= this.options.maxConnections) return 'WEBSOCKET_CONNECTION_LIMIT';
    if (r.method !== 'GET' || r.header('upgrade')?.toLowerCase() !== 'websocket') return 'WEBSOCKET_BAD_HANDSHAKE';
    if (r.header('sec-websocket-version') !== '13') return 'WEBSOCKET_UPGRADE_REQUIRED';
    if (!WS_KEY.test(r.header('sec-websocket-key') ?? '')) return 'WEBSOCKET_BAD_HANDSHAKE';
    const origin = r.header('origin');
    if (origin === undefined) return this.options.allowMissingOrigin ? undefined : 'WEBSOCKET_ORIGIN_FORBIDDEN';
    if (this.options.allowAllOrigins || this.options.allowedOrigins.has(origin.toLowerCase())) return undefined;
    return 'WEBSOCKET_ORIGIN_FORBIDDEN';
  }

  #readToken(r: Request): string | undefined {
    const fromHeader = extractBearerToken(r.header('authorization'));
    if (fromHeader !== undefined) return fromHeader;
    const offered = r.header('sec-websocket-protocol');
    if (offered !== undefined) {
      for (const p of offered.split(',')) {
        const v = p.trim();
        if (v.startsWith(TOKEN_PROTOCOL_PREFIX) && v.length > TOKEN_PROTOCOL_PREFIX.length)
          return v.slice(TOKEN_PROTOCOL_PREFIX.length);
      }
    }
    if (this.options.allowQueryToken) {
      const q = r.query.get('access_token');
      if (q !== null && q !== '' && q.length <= 16 * 1024) return q;
    }
    return undefined;
  }

  #accept(ws: WebSocket, r: Request, principal: unknown, room: string | undefined, password: string | undefined): void {
    const conn = new Connection(ws, principal, this.#policy, this.hub);
    ws.on('error', () => {
      // ws has already chosen the close code (1002, 1007, 1009); the 'close' event follows.
    });
    ws.on('close', (code: number, reason: Buffer) => {
      this.#conns.delete(conn);
      this.hub.remove(conn);
      if (this.#conns.size === 0 && this.#heartbeat !== undefined) {
        clearInterval(this.#heartbeat);
        this.#heartbeat = undefined;
      }
      this.#hooks.onClose?.(conn, code, reason.toString());
    });
    if (this.hub.shuttingDown) return conn.close(CLOSE_CODES.goingAway, 'server shutting down');
    this.#conns.add(conn);
    this.hub.add(conn);
    this.#startHeartbeat();
    if (room !== undefined) {
      try {
        this.hub.join(conn, room, password);
      } catch (err) {
        // Lost a race for the last seat (or the room changed) between the check and the upgrade.
        return conn.close(
          isWebSocketError(err, 'WEBSOCKET_ROOM_FULL') ? CLOSE_CODES.tryAgainLater : CLOSE_CODES.policyViolation,
          'room unavailable',
        );
      }
    }
    ws.on('pong', () => {
      conn.alive = true;
    });
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (!conn.takeInboundToken(Date.now())) return;
      try {
        this.#hooks.onMessage?.(conn, data, isBinary);
      } catch {
        conn.close(CLOSE_CODES.internalError, 'internal error');
      }
    });
    try {
      this.#hooks.onConnection?.(conn, r);
    } catch {
      conn.close(CLOSE_CODES.internalError, 'internal error');
    }
  }

  #startHeartbeat(): void {
    if (this.#heartbeat !== undefined) return;
    this.#heartbeat = setInterval(() => this.#sweep(Date.now()), this.options.pingIntervalMs);
    this.#heartbeat.unref();
  }

  /** One timer for all connections: drop peers that missed the last ping, close idle ones, ping the rest. */
  #sweep(now: number): void {
    const idle = this.options.idleTimeoutMs;
    for (const c of this.#conns) {
      if (!c.alive) c.terminate();
      else if (idle > 0 && now - c.lastMessageAt >= idle) c.close(CLOSE_CODES.normal, 'idle timeout');
      else {
        c.alive = false;
        c.socket.ping();
      }
    }
  }
}

/** Creates an endpoint; bad options throw here, never per handshake. */
export function createWebSocketEndpoint(options: WebSocketEndpointOptions): WebSocketEndpoint {
  return new WebSocketEndpoint(options);
}

function classifyAuthError(err: unknown): WebSocketErrorCode {
  if (isSecurityError(err, 'PLUMEGO_ERR_AUTH_EXPIRED_TOKEN')) return 'WEBSOCKET_TOKEN_EXPIRED';
  if (isWebSocketError(err) && (err.code === 'WEBSOCKET_TOKEN_EXPIRED' || err.code === 'WEBSOCKET_UNAUTHENTICATED'))
    return err.code;
  // jose's JWTExpired, for authenticators that verify with jose directly.
  if (typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 'ERR_JWT_EXPIRED')
    return 'WEBSOCKET_TOKEN_EXPIRED';
  return 'WEBSOCKET_INVALID_TOKEN';
}
