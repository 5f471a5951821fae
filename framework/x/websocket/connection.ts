import type { WebSocket } from 'ws';
import { CLOSE_CODES } from './errors.ts';

/** What happens to a message for a connection whose send queue is full. */
export type SlowConsumerPolicy = 'block' | 'drop' | 'close';

/** Outcome of one send: written or buffered, queued behind a full buffer (block), dropped, or refused. */
export type SendResult = 'sent' | 'queued' | 'dropped' | 'closed';

export type WebSocketData = string | Buffer;

/** Send-side limits of one connection (resolved from the endpoint options). */
export interface SendPolicy {
  readonly maxQueueBytes: number;
  readonly slowConsumer: SlowConsumerPolicy;
  readonly sendTimeoutMs: number;
  /** Inbound messages per second (token bucket); 0 disables the flood guard. */
  readonly messagesPerSecond: number;
  readonly messageBurst: number;
}

/** Counters a connection reports to its hub. */
export interface ConnectionEvents {
  onDrop(conn: Connection): void;
  onSlowClose(conn: Connection): void;
}

let nextId = 0;
const TEXT = { binary: false } as const;
const BINARY = { binary: true } as const;

function sizeOf(data: WebSocketData): number {
  return typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength;
}

/**
 * One accepted socket. Outbound messages go through a bounded queue: `ws` buffers what the kernel
 * has not taken yet (`bufferedAmount`), and the policy decides what happens beyond `maxQueueBytes`:
 * `drop` the message, `close` the connection (1008), or `block` — keep it in a bounded FIFO until the
 * buffer drains, closing the connection if that takes longer than `sendTimeoutMs`.
 */
export class Connection {
  readonly id: string;
  /** What the endpoint's authenticator returned for this connection's token. */
  readonly principal: unknown;
  /** The negotiated application subprotocol, or ''. */
  readonly protocol: string;
  readonly rooms = new Set<string>();
  /** Set by the heartbeat: false after a ping until a pong or message arrives. */
  alive = true;
  lastMessageAt = Date.now();
  readonly #ws: WebSocket;
  readonly #policy: SendPolicy;
  readonly #events: ConnectionEvents;
  // Only `block` connections hold messages; the others never allocate the queue or the write callback.
  readonly #pending: { data: WebSocketData; binary: boolean; size: number; resolve: (r: SendResult) => void }[];
  readonly #onWritten: (() => void) | undefined;
  #pendingBytes = 0;
  #blockTimer: NodeJS.Timeout | undefined;
  #tokens: number;
  #tokensAt = Date.now();
  #closing = false;

  constructor(ws: WebSocket, principal: unknown, policy: SendPolicy, events: ConnectionEvents) {
    this.id = `c${(++nextId).toString(36)}`;
    this.#ws = ws;
    this.principal = principal;
    this.protocol = ws.protocol;
    this.#policy = policy;
    this.#events = events;
    this.#tokens = policy.messageBurst;
    this.#pending = policy.slowConsumer === 'block' ? [] : NO_PENDING;
    this.#onWritten = policy.slowConsumer === 'block' ? () => this.#drainPending() : undefined;
  }

  /** The `ws` socket underneath (events, `ping`, raw access). */
  get socket(): WebSocket {
    return this.#ws;
  }

  get isOpen(): boolean {
    return this.#ws.readyState === 1 && !this.#closing;
  }

  /** Bytes accepted but not yet handed to the kernel, including messages held back by `block`. */
  get queuedBytes(): number {
    return this.#ws.bufferedAmount + this.#pendingBytes;
  }

  /**
   * Sends without waiting. `queued` means the block policy holds the message until the buffer
   * drains (use `send` to wait for that).
   */
  trySend(data: WebSocketData, binary = typeof data !== 'string'): SendResult {
    return this.#admit(data, binary, undefined);
  }

  /** Sends, waiting under the block policy until the message is handed to `ws` or refused. */
  send(data: WebSocketData, binary = typeof data !== 'string'): Promise<SendResult> {
    return new Promise((resolve) => {
      const result = this.#admit(data, binary, resolve);
      if (result !== 'queued') resolve(result);
    });
  }

  /** Closes with `code` and a short reason (truncated to the 123 bytes a close frame allows). */
  close(code: number = CLOSE_CODES.normal, reason = ''): void {
    if (this.#closing) return;
    this.#closing = true;
    this.#failPending();
    const r = Buffer.from(reason);
    this.#ws.close(code, r.byteLength > 123 ? r.subarray(0, 123).toString() : reason);
  }

  /** Drops the socket without a close handshake (dead peers). */
  terminate(): void {
    this.#closing = true;
    this.#failPending();
    this.#ws.terminate();
  }

  /**
   * Takes one inbound message from the flood guard's bucket; false means the client exceeded its
   * rate and the connection has been closed with 1008.
   */
  takeInboundToken(now: number): boolean {
    const rate = this.#policy.messagesPerSecond;
    this.lastMessageAt = now;
    this.alive = true;
    if (rate <= 0) return true;
    // A clock step backwards refills nothing instead of draining the bucket.
    const refill = (Math.max(0, now - this.#tokensAt) / 1000) * rate;
    this.#tokensAt = now;
    this.#tokens = Math.min(this.#policy.messageBurst, this.#tokens + refill);
    if (this.#tokens >= 1) {
      this.#tokens -= 1;
      return true;
    }
    this.close(CLOSE_CODES.policyViolation, 'message rate exceeded');
    return false;
  }

  #admit(data: WebSocketData, binary: boolean, resolve: ((r: SendResult) => void) | undefined): SendResult {
    if (!this.isOpen) return 'closed';
    const size = sizeOf(data);
    const max = this.#policy.maxQueueBytes;
    if (this.#pending.length === 0 && this.#ws.bufferedAmount + size <= max) {
      this.#write(data, binary);
      return 'sent';
    }
    switch (this.#policy.slowConsumer) {
      case 'drop':
        this.#events.onDrop(this);
        return 'dropped';
      case 'close':
        this.#closeSlow();
        return 'closed';
      case 'block':
        if (this.#pendingBytes + size > max) {
          this.#closeSlow();
          return 'closed';
        }
        this.#pending.push({ data, binary, size, resolve: resolve ?? noop });
        this.#pendingBytes += size;
        this.#blockTimer ??= setTimeout(() => this.#closeSlow(), this.#policy.sendTimeoutMs);
        return 'queued';
    }
  }

  #write(data: WebSocketData, binary: boolean): void {
    const opts = binary ? BINARY : TEXT;
    // Under `block` the write callback is how we learn that the buffer drained.
    if (this.#onWritten !== undefined) this.#ws.send(data, opts, this.#onWritten);
    else this.#ws.send(data, opts);
  }

  #drainPending(): void {
    const max = this.#policy.maxQueueBytes;
    while (this.#pending.length > 0 && this.isOpen) {
      const head = this.#pending[0]!;
      if (this.#ws.bufferedAmount + head.size > max) return;
      this.#pending.shift();
      this.#pendingBytes -= head.size;
      this.#write(head.data, head.binary);
      head.resolve('sent');
    }
    if (this.#pending.length === 0 && this.#blockTimer !== undefined) {
      clearTimeout(this.#blockTimer);
      this.#blockTimer = undefined;
    }
  }

  #closeSlow(): void {
    if (this.#closing) return;
    this.#events.onSlowClose(this);
    this.close(CLOSE_CODES.policyViolation, 'slow consumer');
  }

  #failPending(): void {
    if (this.#blockTimer !== undefined) clearTimeout(this.#blockTimer);
    this.#blockTimer = undefined;
    for (const p of this.#pending.splice(0)) p.resolve('closed');
    this.#pendingBytes = 0;
  }
}

function noop(): void {}

// Shared by every non-block connection; never pushed to (only `block` pushes).
const NO_PENDING: never[] = [];
