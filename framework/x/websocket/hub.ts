import { randomUUID } from 'node:crypto';
import { decodeEnvelope, encodeEnvelope, type RoomBus } from './bus.ts';
import type { Connection, ConnectionEvents, WebSocketData } from './connection.ts';
import { CLOSE_CODES, WebSocketError, assertOption, type WebSocketErrorCode } from './errors.ts';
import { Room, isValidRoomName, type RoomOptions } from './room.ts';

export interface HubOptions {
  /** Default capacity of a room. Default 10,000. */
  maxRoomMembers?: number;
  /** Most rooms at once (declared and implicit). Default 10,000. */
  maxRooms?: number;
  /** Rooms must be declared with `declareRoom` before anyone joins. Default false. */
  requireDeclaredRooms?: boolean;
  /** Carries broadcasts to the other instances. Default none (this process only). */
  bus?: RoomBus;
  /** This instance's id on the bus. Default a random UUID. */
  instanceId?: string;
}

export interface ResolvedHubOptions {
  readonly maxRoomMembers: number;
  readonly maxRooms: number;
  readonly requireDeclaredRooms: boolean;
  readonly bus: RoomBus | undefined;
  readonly instanceId: string;
}

export function resolveHubOptions(options: HubOptions = {}): ResolvedHubOptions {
  const o = {
    maxRoomMembers: options.maxRoomMembers ?? 10_000,
    maxRooms: options.maxRooms ?? 10_000,
    requireDeclaredRooms: options.requireDeclaredRooms ?? false,
    bus: options.bus,
    instanceId: options.instanceId ?? randomUUID(),
  };
  assertOption(Number.isInteger(o.maxRoomMembers) && o.maxRoomMembers > 0, 'maxRoomMembers');
  assertOption(Number.isInteger(o.maxRooms) && o.maxRooms > 0, 'maxRooms');
  assertOption(o.instanceId !== '', 'instanceId');
  return o;
}

/** What one broadcast did on this instance (remote instances report nothing back). */
export interface BroadcastResult {
  /** Handed to the socket buffer. */
  readonly sent: number;
  /** Held by a `block` connection until its buffer drains. */
  readonly queued: number;
  readonly dropped: number;
  /** Closed (slow consumer) or already closing. */
  readonly closed: number;
}

export interface HubMetrics {
  readonly connections: number;
  readonly rooms: number;
  /** Bytes waiting in every connection's send buffer and block queue. */
  readonly queuedBytes: number;
  readonly messagesSent: number;
  readonly messagesDropped: number;
  readonly slowConsumersClosed: number;
  readonly busPublished: number;
  readonly busReceived: number;
  readonly busErrors: number;
}

export interface HubShutdownOptions {
  /** Close reason sent with 1001. Default 'server shutting down'. */
  reason?: string;
  /** After this many ms, sockets that have not finished the close handshake are terminated. Default 5,000. */
  timeoutMs?: number;
}

/**
 * Connections and named rooms. Broadcasts go to local members at once and, with a bus, to the same
 * room on every other instance. A hub is owned by the app (no process-wide state); several endpoints
 * may share one.
 */
export class Hub implements ConnectionEvents {
  readonly options: ResolvedHubOptions;
  readonly #connections = new Set<Connection>();
  readonly #rooms = new Map<string, Room>();
  #started: Promise<void> | undefined;
  #shuttingDown = false;
  #sent = 0;
  #dropped = 0;
  #slowClosed = 0;
  #busPublished = 0;
  #busReceived = 0;
  #busErrors = 0;

  constructor(options: HubOptions = {}) {
    this.options = resolveHubOptions(options);
  }

  get shuttingDown(): boolean {
    return this.#shuttingDown;
  }

  /** Subscribes to the bus (no-op without one). Idempotent; broadcasts from peers arrive after it resolves. */
  start(): Promise<void> {
    const bus = this.options.bus;
    this.#started ??= bus === undefined ? Promise.resolve() : bus.subscribe((p) => this.#onBusPayload(p));
    return this.#started;
  }

  /** Declares (or updates) a room with its own capacity and password; declared rooms stay when empty. */
  declareRoom(name: string, options: RoomOptions = {}): void {
    if (!isValidRoomName(name)) throw new WebSocketError('WEBSOCKET_ROOM_INVALID', { field: 'name' });
    const capacity = options.capacity ?? this.options.maxRoomMembers;
    assertOption(Number.isInteger(capacity) && capacity > 0, 'capacity');
    const existing = this.#rooms.get(name);
    if (existing === undefined && this.#rooms.size >= this.options.maxRooms)
      throw new WebSocketError('WEBSOCKET_ROOM_FULL', { field: 'maxRooms' });
    const room = new Room(name, capacity, options.password, true);
    if (existing !== undefined) for (const m of existing.members) room.members.add(m);
    this.#rooms.set(name, room);
  }

  /** Why `name` cannot be joined with `password` right now, or undefined when it can. */
  checkJoin(name: string, password: string | undefined): WebSocketErrorCode | undefined {
    if (this.#shuttingDown) return 'WEBSOCKET_SHUTTING_DOWN';
    if (!isValidRoomName(name)) return 'WEBSOCKET_ROOM_INVALID';
    const room = this.#rooms.get(name);
    if (room === undefined) {
      if (this.options.requireDeclaredRooms) return 'WEBSOCKET_ROOM_FORBIDDEN';
      return this.#rooms.size >= this.options.maxRooms ? 'WEBSOCKET_ROOM_FULL' : undefined;
    }
    if (!room.checkPassword(password)) return 'WEBSOCKET_ROOM_FORBIDDEN';
    return room.members.size >= room.capacity ? 'WEBSOCKET_ROOM_FULL' : undefined;
  }

  /** Adds `conn` to room `name`; throws a `WebSocketError` with the `checkJoin` code when it may not. */
  join(conn: Connection, name: string, password?: string): void {
    if (conn.rooms.has(name)) return;
    const refusal = this.checkJoin(name, password);
    if (refusal !== undefined) throw new WebSocketError(refusal);
    let room = this.#rooms.get(name);
    if (room === undefined) {
      room = new Room(name, this.options.maxRoomMembers, undefined, false);
      this.#rooms.set(name, room);
    }
    room.members.add(conn);
    conn.rooms.add(name);
  }

  leave(conn: Connection, name: string): void {
    const room = this.#rooms.get(name);
    conn.rooms.delete(name);
    if (room === undefined) return;
    room.members.delete(conn);
    if (room.members.size === 0 && !room.declared) this.#rooms.delete(name);
  }

  /** Registers an accepted connection (the endpoint does this). */
  add(conn: Connection): void {
    this.#connections.add(conn);
  }

  /** Forgets a closed connection and its memberships (the endpoint does this on close). */
  remove(conn: Connection): void {
    this.#connections.delete(conn);
    for (const name of [...conn.rooms]) this.leave(conn, name);
  }

  /** Member count of `name` on this instance (0 for an unknown room). */
  getRoomSize(name: string): number {
    return this.#rooms.get(name)?.members.size ?? 0;
  }

  getConnections(): ReadonlySet<Connection> {
    return this.#connections;
  }

  /** Sends `data` to every member of `room` here and, with a bus, on the other instances. */
  broadcast(room: string, data: WebSocketData, options: { except?: Connection } = {}): BroadcastResult {
    if (!isValidRoomName(room)) throw new WebSocketError('WEBSOCKET_ROOM_INVALID', { field: 'room' });
    return this.#fanOut(room, data, options.except, true);
  }

  /** Sends `data` to every connection here and, with a bus, on the other instances. */
  broadcastAll(data: WebSocketData): BroadcastResult {
    return this.#fanOut('', data, undefined, true);
  }

  getMetrics(): HubMetrics {
    let queued = 0;
    for (const c of this.#connections) queued += c.queuedBytes;
    return {
      connections: this.#connections.size,
      rooms: this.#rooms.size,
      queuedBytes: queued,
      messagesSent: this.#sent,
      messagesDropped: this.#dropped,
      slowConsumersClosed: this.#slowClosed,
      busPublished: this.#busPublished,
      busReceived: this.#busReceived,
      busErrors: this.#busErrors,
    };
  }

  /**
   * Refuses new joins, closes every connection with 1001 and `reason`, waits for the close
   * handshakes (terminating stragglers at the deadline), then closes the bus. Idempotent.
   */
  async shutdown(options: HubShutdownOptions = {}): Promise<void> {
    this.#shuttingDown = true;
    const reason = options.reason ?? 'server shutting down';
    const closed = [...this.#connections].map(
      (c) =>
        new Promise<void>((resolve) => {
          if (c.socket.readyState === 3) return resolve();
          c.socket.once('close', () => resolve());
          c.close(CLOSE_CODES.goingAway, reason);
        }),
    );
    const deadline = new Promise<'timeout'>((resolve) =>
      setTimeout(() => resolve('timeout'), options.timeoutMs ?? 5_000).unref(),
    );
    if ((await Promise.race([Promise.all(closed), deadline])) === 'timeout') {
      for (const c of this.#connections) c.terminate();
    }
    await this.options.bus?.close();
  }

  onDrop(): void {
    this.#dropped++;
  }

  onSlowClose(): void {
    this.#slowClosed++;
  }

  #fanOut(room: string, data: WebSocketData, except: Connection | undefined, publish: boolean): BroadcastResult {
    const binary = typeof data !== 'string';
    // Encode once: ws would otherwise convert the string again for every member.
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    let sent = 0;
    let queued = 0;
    let dropped = 0;
    let closed = 0;
    const members = room === '' ? this.#connections : (this.#rooms.get(room)?.members ?? EMPTY);
    for (const c of members) {
      if (c === except) continue;
      const r = c.trySend(bytes, binary);
      if (r === 'sent') sent++;
      else if (r === 'queued') queued++;
      else if (r === 'dropped') dropped++;
      else closed++;
    }
    this.#sent += sent;
    const bus = this.options.bus;
    if (publish && bus !== undefined) {
      this.#busPublished++;
      bus.publish(encodeEnvelope({ origin: this.options.instanceId, room, binary, data: bytes })).catch(() => {
        this.#busErrors++;
      });
    }
    return { sent, queued, dropped, closed };
  }

  #onBusPayload(payload: Buffer): void {
    const e = decodeEnvelope(payload);
    if (e === undefined) {
      this.#busErrors++;
      return;
    }
    if (e.origin === this.options.instanceId) return;
    if (e.room !== '' && !isValidRoomName(e.room)) {
      this.#busErrors++;
      return;
    }
    this.#busReceived++;
    this.#fanOut(e.room, e.data, undefined, false);
  }
}

const EMPTY: ReadonlySet<Connection> = new Set();
