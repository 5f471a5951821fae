import { createHash, timingSafeEqual } from 'node:crypto';

const ROOM_NAME = /^[A-Za-z0-9._:-]{1,128}$/;

/** Header that carries a room password in the handshake (never the query string). */
export const ROOM_PASSWORD_HEADER = 'x-websocket-room-password';

/** True for 1–128 characters of `[A-Za-z0-9._:-]`. */
export function isValidRoomName(name: unknown): name is string {
  return typeof name === 'string' && ROOM_NAME.test(name);
}

/** Settings of a declared room. */
export interface RoomOptions {
  /** Most members at once. Default: the hub's `maxRoomMembers`. */
  capacity?: number;
  /** Password joiners must present. Default: none. Kept only as a SHA-256 digest. */
  password?: string;
}

/** A room's members and, when declared, its limits. */
export class Room {
  readonly members = new Set<import('./connection.ts').Connection>();
  readonly #digest: Buffer | undefined;

  constructor(
    readonly name: string,
    readonly capacity: number,
    password: string | undefined,
    /** Declared rooms stay when empty; implicit ones go with their last member. */
    readonly declared: boolean,
  ) {
    this.#digest = password === undefined ? undefined : digest(password);
  }

  get hasPassword(): boolean {
    return this.#digest !== undefined;
  }

  /** Compares digests in constant time, so timing reveals nothing about the password. */
  checkPassword(candidate: string | undefined): boolean {
    if (this.#digest === undefined) return true;
    if (candidate === undefined) return false;
    return timingSafeEqual(this.#digest, digest(candidate));
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
