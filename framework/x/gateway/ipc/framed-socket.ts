import type { Socket } from 'node:net';
import { IPC_ERROR_CODES, IpcError } from './errors.ts';
import { FRAME, FrameDecoder, encodeFrame, type Frame, type FrameType } from './framing.ts';
import type { ResolvedIpcConnectionOptions } from './options.ts';

/**
 * One framed connection, either side: decodes frames, answers pings, and watches the peer — any
 * frame counts as a sign of life; silence past `heartbeatTimeoutMs` closes the socket as dead.
 */
export class FramedSocket {
  readonly #socket: Socket;
  readonly #options: ResolvedIpcConnectionOptions;
  readonly #decoder: FrameDecoder;
  readonly #onFrame: (frame: Frame) => void;
  readonly #onClose: (error: IpcError) => void;
  readonly #timer: NodeJS.Timeout;
  #lastReceived = Date.now();
  #lastSent = Date.now();
  #closed = false;

  constructor(
    socket: Socket,
    options: ResolvedIpcConnectionOptions,
    onFrame: (frame: Frame) => void,
    onClose: (error: IpcError) => void,
  ) {
    this.#socket = socket;
    this.#options = options;
    this.#decoder = new FrameDecoder(options.maxFrameBytes);
    this.#onFrame = onFrame;
    this.#onClose = onClose;
    socket.on('data', (chunk: Buffer) => this.#receive(chunk));
    socket.on('error', (error) => this.close(new IpcError(IPC_ERROR_CODES.peerDead, 'ipc connection failed', error)));
    socket.on('close', () => this.close(new IpcError(IPC_ERROR_CODES.peerDead, 'ipc connection closed by the peer')));
    this.#timer = setInterval(() => this.#beat(), Math.max(1, Math.floor(options.heartbeatIntervalMs / 2)));
    this.#timer.unref();
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Sends one frame; throws `IPC_FRAME_TOO_LARGE` before writing anything oversized. */
  send(type: FrameType, id: number, payload?: Buffer): void {
    if (this.#closed) throw new IpcError(IPC_ERROR_CODES.closed, 'ipc connection is closed');
    if (payload !== undefined && payload.byteLength > this.#options.maxFrameBytes) {
      throw new IpcError(
        IPC_ERROR_CODES.frameTooLarge,
        `frame of ${payload.byteLength} bytes exceeds the ${this.#options.maxFrameBytes}-byte limit`,
      );
    }
    this.#lastSent = Date.now();
    this.#socket.write(encodeFrame(type, id, payload));
  }

  close(error: IpcError = new IpcError(IPC_ERROR_CODES.closed, 'ipc connection closed')): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    this.#socket.destroy();
    this.#onClose(error);
  }

  #receive(chunk: Buffer): void {
    this.#lastReceived = Date.now();
    let frames: Frame[];
    try {
      frames = this.#decoder.push(chunk);
    } catch (error) {
      // A bad header desynchronises the stream for good: nothing after it can be trusted.
      this.close(error as IpcError);
      return;
    }
    for (const f of frames) {
      if (f.type === FRAME.ping) this.send(FRAME.pong, f.id);
      else if (f.type !== FRAME.pong) this.#onFrame(f);
    }
  }

  #beat(): void {
    const now = Date.now();
    if (now - this.#lastReceived >= this.#options.heartbeatTimeoutMs) {
      this.close(new IpcError(IPC_ERROR_CODES.peerDead, 'ipc peer sent nothing within the heartbeat timeout'));
      return;
    }
    if (
      now - this.#lastSent >= this.#options.heartbeatIntervalMs ||
      now - this.#lastReceived >= this.#options.heartbeatIntervalMs
    )
      this.send(FRAME.ping, 0);
  }
}
