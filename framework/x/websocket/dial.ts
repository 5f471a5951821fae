import { WebSocket } from 'ws';
import type { WebSocketData } from './connection.ts';
import { CLOSE_CODES, WebSocketError, assertOption } from './errors.ts';
import { TOKEN_PROTOCOL_PREFIX } from './endpoint.ts';
import { ROOM_PASSWORD_HEADER } from './room.ts';

export interface ReconnectOptions {
  /** Reconnect attempts after a connection is lost (0 = never). Default 0. */
  maxAttempts?: number;
  /** First delay. Default 100 ms. */
  initialDelayMs?: number;
  /** Longest delay. Default 5,000 ms. */
  maxDelayMs?: number;
  /** Growth per attempt. Default 2. */
  multiplier?: number;
  /** Full jitter (random 0..delay), so a fleet does not reconnect in lockstep. Default true. */
  jitter?: boolean;
}

export interface DialOptions {
  /** Token sent as `Authorization: Bearer` (or as a subprotocol with `tokenInProtocol`). */
  token?: string;
  /** Send the token as the `bearer.<token>` subprotocol instead (what browsers must do). Default false. */
  tokenInProtocol?: boolean;
  /** Application subprotocols to offer. Default none. */
  protocols?: readonly string[];
  /** `Origin` header. Default none. */
  origin?: string;
  /** Sent in `X-WebSocket-Room-Password`. Default none. */
  roomPassword?: string;
  /** Extra handshake headers. */
  headers?: Readonly<Record<string, string>>;
  /** Largest inbound message. Default 64 KiB. */
  maxMessageBytes?: number;
  /** Handshake deadline. Default 10,000 ms. */
  handshakeTimeoutMs?: number;
  reconnect?: ReconnectOptions;
  onMessage?: (data: Buffer, isBinary: boolean) => void;
  /** Every successful open, the first and each reconnect. */
  onOpen?: () => void;
  /** Every close; `willReconnect` tells whether another attempt follows. */
  onClose?: (code: number, reason: string, willReconnect: boolean) => void;
}

/** HTTP refusals that another attempt with the same credentials cannot fix. */
const PERMANENT = new Set([400, 401, 403, 404, 426]);

/** A client socket that reconnects with exponential backoff after abnormal closes. */
export class ClientConnection {
  readonly url: string;
  #ws: WebSocket | undefined;
  #attempts = 0;
  #closedByUser = false;
  #retry: NodeJS.Timeout | undefined;
  readonly #o: DialOptions;
  readonly #r: Required<ReconnectOptions>;

  constructor(url: string, options: DialOptions) {
    this.url = url;
    this.#o = options;
    const r = options.reconnect ?? {};
    this.#r = {
      maxAttempts: r.maxAttempts ?? 0,
      initialDelayMs: r.initialDelayMs ?? 100,
      maxDelayMs: r.maxDelayMs ?? 5_000,
      multiplier: r.multiplier ?? 2,
      jitter: r.jitter ?? true,
    };
    assertOption(Number.isInteger(this.#r.maxAttempts) && this.#r.maxAttempts >= 0, 'reconnect.maxAttempts');
    assertOption(
      this.#r.initialDelayMs > 0 && this.#r.maxDelayMs >= this.#r.initialDelayMs && this.#r.multiplier >= 1,
      'reconnect',
    );
  }

  get isOpen(): boolean {
    return this.#ws?.readyState === WebSocket.OPEN;
  }

  /** The negotiated subprotocol of the current socket, or ''. */
  get protocol(): string {
    return this.#ws?.protocol ?? '';
  }

  /** Reconnects made so far (resets to 0 after each successful open). */
  get attempts(): number {
    return this.#attempts;
  }

  /** Sends on the current socket; throws `WEBSOCKET_NOT_OPEN` between reconnects. */
  send(data: WebSocketData): void {
    if (!this.isOpen) throw new WebSocketError('WEBSOCKET_NOT_OPEN');
    this.#ws!.send(data);
  }

  /** Closes for good (no reconnect); resolves when the socket has closed. */
  close(code: number = CLOSE_CODES.normal, reason = ''): Promise<void> {
    this.#closedByUser = true;
    if (this.#retry !== undefined) clearTimeout(this.#retry);
    const ws = this.#ws;
    if (ws === undefined || ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      ws.once('close', () => resolve());
      ws.close(code, reason);
    });
  }

  /** Opens one socket; rejects with `WEBSOCKET_DIAL_FAILED` (details.status for an HTTP refusal). */
  connect(): Promise<void> {
    const o = this.#o;
    const protocols = [...(o.protocols ?? [])];
    const headers: Record<string, string> = { ...o.headers };
    if (o.token !== undefined) {
      if (o.tokenInProtocol) protocols.push(TOKEN_PROTOCOL_PREFIX + o.token);
      else headers['authorization'] = `Bearer ${o.token}`;
    }
    if (o.roomPassword !== undefined) headers[ROOM_PASSWORD_HEADER] = o.roomPassword;
    const ws = new WebSocket(this.url, protocols, {
      headers,
      ...(o.origin === undefined ? {} : { origin: o.origin }),
      maxPayload: o.maxMessageBytes ?? 64 * 1024,
      handshakeTimeout: o.handshakeTimeoutMs ?? 10_000,
      perMessageDeflate: false,
    });
    this.#ws = ws;
    return new Promise((resolve, reject) => {
      let opened = false;
      let status = 0;
      ws.once('unexpected-response', (_req, res) => {
        status = res.statusCode ?? 0;
        res.resume();
        ws.terminate();
      });
      ws.once('open', () => {
        opened = true;
        this.#attempts = 0;
        o.onOpen?.();
        resolve();
      });
      ws.on('message', (data: Buffer, isBinary: boolean) => o.onMessage?.(data, isBinary));
      ws.on('error', () => {
        // 'close' follows and decides.
      });
      ws.once('close', (code: number, reason: Buffer) => {
        const retry = this.#shouldRetry(code, status);
        if (opened) o.onClose?.(code, reason.toString(), retry);
        else reject(new WebSocketError('WEBSOCKET_DIAL_FAILED', { details: status === 0 ? { code } : { status } }));
        if (retry) this.#scheduleRetry();
      });
    });
  }

  #shouldRetry(code: number, status: number): boolean {
    if (this.#closedByUser || this.#attempts >= this.#r.maxAttempts) return false;
    if (PERMANENT.has(status)) return false;
    return code !== CLOSE_CODES.normal && code !== CLOSE_CODES.policyViolation;
  }

  #scheduleRetry(): void {
    const r = this.#r;
    this.#attempts++;
    const base = Math.min(r.maxDelayMs, r.initialDelayMs * r.multiplier ** (this.#attempts - 1));
    const delay = r.jitter ? Math.random() * base : base;
    this.#retry = setTimeout(() => {
      this.#retry = undefined;
      if (!this.#closedByUser) this.connect().catch(() => undefined);
    }, delay);
  }
}

/** Opens a client socket (the first attempt must succeed); later losses reconnect per `reconnect`. */
export async function dial(url: string, options: DialOptions = {}): Promise<ClientConnection> {
  const c = new ClientConnection(url, options);
  await c.connect();
  return c;
}
