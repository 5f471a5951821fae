import { existsSync, unlinkSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { IPC_ERROR_CODES, IpcError, isIpcError } from './errors.ts';
import { FramedSocket } from './framed-socket.ts';
import { FRAME } from './framing.ts';
import {
  resolveIpcConnectionOptions,
  type IpcConnectionOptions,
  type ResolvedIpcConnectionOptions,
} from './options.ts';

export type IpcHandler = (payload: Buffer) => Buffer | string | Promise<Buffer | string>;

export interface IpcServerOptions extends IpcConnectionOptions {
  /** Unix socket path. */
  path: string;
  handler: IpcHandler;
}

function isLive(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(path);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/**
 * Serves framed requests on a Unix socket. A handler failure answers an error frame that names no
 * internals; a malformed or oversized frame closes that connection only. A stale socket file left by
 * a crashed process is removed; a live one is never taken over.
 */
export class IpcServer {
  readonly options: ResolvedIpcConnectionOptions;
  readonly #path: string;
  readonly #handler: IpcHandler;
  readonly #server: Server;
  readonly #connections = new Set<FramedSocket>();

  constructor(options: IpcServerOptions) {
    this.options = resolveIpcConnectionOptions(options);
    if (typeof options.path !== 'string' || options.path === '')
      throw new IpcError(IPC_ERROR_CODES.invalidOptions, 'invalid ipc option path: a socket path');
    if (typeof options.handler !== 'function')
      throw new IpcError(IPC_ERROR_CODES.invalidOptions, 'invalid ipc option handler: a function');
    this.#path = options.path;
    this.#handler = options.handler;
    this.#server = createServer((socket) => this.#accept(socket));
  }

  get connections(): number {
    return this.#connections.size;
  }

  async listen(): Promise<void> {
    if (existsSync(this.#path)) {
      if (await isLive(this.#path))
        throw new IpcError(IPC_ERROR_CODES.invalidOptions, 'another process serves this ipc socket');
      unlinkSync(this.#path);
    }
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(this.#path, () => {
        this.#server.off('error', reject);
        resolve();
      });
    });
  }

  /** Stops accepting, closes every connection and removes the socket file. */
  close(): Promise<void> {
    for (const c of this.#connections) c.close();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }

  #accept(socket: Socket): void {
    const framed: FramedSocket = new FramedSocket(
      socket,
      this.options,
      (f) => {
        if (f.type === FRAME.request) void this.#serve(framed, f.id, f.payload);
      },
      () => this.#connections.delete(framed),
    );
    this.#connections.add(framed);
  }

  async #serve(framed: FramedSocket, id: number, payload: Buffer): Promise<void> {
    let answer: Buffer;
    try {
      const out = await this.#handler(payload);
      answer = typeof out === 'string' ? Buffer.from(out) : out;
    } catch (error) {
      // Only a stable code crosses the socket; the handler's message may hold internals.
      if (!framed.closed) framed.send(FRAME.error, id, Buffer.from(isIpcError(error) ? error.code : 'handler_failed'));
      return;
    }
    if (framed.closed) return;
    try {
      framed.send(FRAME.response, id, answer);
    } catch (error) {
      framed.send(FRAME.error, id, Buffer.from(isIpcError(error) ? error.code : 'handler_failed'));
    }
  }
}
