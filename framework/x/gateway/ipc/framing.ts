import { IPC_ERROR_CODES, IpcError } from './errors.ts';

/** Frame kinds on the wire. */
export const FRAME = { request: 1, response: 2, error: 3, ping: 4, pong: 5 } as const;
export type FrameType = (typeof FRAME)[keyof typeof FRAME];

/** 4-byte payload length, 1-byte type, 4-byte request id (all big-endian), then the payload. */
export const HEADER_BYTES = 9;

export interface Frame {
  type: FrameType;
  id: number;
  payload: Buffer;
}

export function encodeFrame(type: FrameType, id: number, payload: Buffer = Buffer.alloc(0)): Buffer {
  const out = Buffer.allocUnsafe(HEADER_BYTES + payload.byteLength);
  out.writeUInt32BE(payload.byteLength, 0);
  out.writeUInt8(type, 4);
  out.writeUInt32BE(id >>> 0, 5);
  payload.copy(out, HEADER_BYTES);
  return out;
}

const TYPES: ReadonlySet<number> = new Set(Object.values(FRAME));

/**
 * Reassembles frames from arbitrary chunks. The declared length is checked against `maxFrameBytes`
 * from the header alone, before any payload is buffered, so a hostile length allocates nothing.
 */
export class FrameDecoder {
  readonly #maxFrameBytes: number;
  #buffer: Buffer = Buffer.alloc(0);

  constructor(maxFrameBytes: number) {
    this.#maxFrameBytes = maxFrameBytes;
  }

  /** Returns the complete frames in `chunk` (plus what was pending); throws on a bad header. */
  push(chunk: Buffer): Frame[] {
    this.#buffer = this.#buffer.byteLength === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
    const frames: Frame[] = [];
    while (this.#buffer.byteLength >= HEADER_BYTES) {
      const length = this.#buffer.readUInt32BE(0);
      const type = this.#buffer.readUInt8(4);
      if (length > this.#maxFrameBytes)
        throw new IpcError(
          IPC_ERROR_CODES.frameTooLarge,
          `frame of ${length} bytes exceeds the ${this.#maxFrameBytes}-byte limit`,
        );
      if (!TYPES.has(type)) throw new IpcError(IPC_ERROR_CODES.remoteError, `unknown frame type ${type}`);
      if (this.#buffer.byteLength < HEADER_BYTES + length) break;
      const id = this.#buffer.readUInt32BE(5);
      // Copy the payload out so the (possibly large) read buffer is not kept alive by a small frame.
      const payload = Buffer.from(this.#buffer.subarray(HEADER_BYTES, HEADER_BYTES + length));
      frames.push({ type: type as FrameType, id, payload });
      this.#buffer = this.#buffer.subarray(HEADER_BYTES + length);
    }
    return frames;
  }
}
