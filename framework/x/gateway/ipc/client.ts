import { connect } from 'node:net';
import { IPC_ERROR_CODES, IpcError } from './errors.ts';
import { FramedSocket } from './framed-socket.ts';
import { FRAME, type Frame } from './framing.ts';
import {
  resolveIpcConnectionOptions,
  type IpcConnectionOptions,
  type ResolvedIpcConnectionOptions,
} from './options.ts';

export interface IpcRequestOptions {
  /** Overrides the connection's `requestTimeoutMs`. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

interface Pending {
  resolve: (payload: Buffer) => void;
  reject: (error: unknown) => void;
  timer: NodeJS.Timeout;
  unlink: () => void;
}

/** One client connection: concurrent requests on one socket, matched to responses by id. */
export class IpcClient {
  readonly options: ResolvedIpcConnectionOptions;
  readonly #framed: FramedSocket;
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;

  private constructor(framed: (client: IpcClient) => FramedSocket, options: ResolvedIpcConnectionOptions) {
    this.options = options;
    this.#framed = framed(this);
  }

  /** Dials the Unix socket at `path`; rejects with `IPC_PEER_DEAD` when nobody listens. */
  static connect(path: string, options: IpcConnectionOptions = {}): Promise<IpcClient> {
    const resolved = resolveIpcConnectionOptions(options);
    return new Promise((resolve, reject) => {
      const socket = connect(path);
      socket.once('error', (error) =>
        reject(new IpcError(IPC_ERROR_CODES.peerDead, 'cannot connect to the ipc socket', error)),
      );
      socket.once('connect', () => {
        socket.removeAllListeners('error');
        resolve(
          new IpcClient(
            (c) =>
              new FramedSocket(
                socket,
                resolved,
                (f) => c.#onFrame(f),
                (e) => c.#failAll(e),
              ),
            resolved,
          ),
        );
      });
    });
  }

  get closed(): boolean {
    return this.#framed.closed;
  }

  get pending(): number {
    return this.#pending.size;
  }

  request(payload: Buffer | string, options: IpcRequestOptions = {}): Promise<Buffer> {
    const body = typeof payload === 'string' ? Buffer.from(payload) : payload;
    return new Promise<Buffer>((resolve, reject) => {
      if (options.signal?.aborted) return reject(options.signal.reason);
      const id = this.#nextId;
      this.#nextId = this.#nextId >= 0xfffffffe ? 1 : this.#nextId + 1;
      const ms = options.timeoutMs ?? this.options.requestTimeoutMs;
      const timer = setTimeout(
        () => this.#settle(id, new IpcError(IPC_ERROR_CODES.timeout, `ipc request got no answer within ${ms} ms`)),
        ms,
      );
      const onAbort = (): void => this.#settle(id, options.signal!.reason);
      options.signal?.addEventListener('abort', onAbort, { once: true });
      this.#pending.set(id, {
        resolve,
        reject,
        timer,
        unlink: () => options.signal?.removeEventListener('abort', onAbort),
      });
      try {
        this.#framed.send(FRAME.request, id, body);
      } catch (error) {
        this.#settle(id, error);
      }
    });
  }

  close(): void {
    this.#framed.close();
  }

  #onFrame(f: Frame): void {
    if (f.type === FRAME.response) this.#settle(f.id, undefined, f.payload);
    else if (f.type === FRAME.error)
      this.#settle(
        f.id,
        new IpcError(IPC_ERROR_CODES.remoteError, `ipc handler failed: ${f.payload.toString('utf8').slice(0, 64)}`),
      );
  }

  #settle(id: number, error: unknown, payload?: Buffer): void {
    const p = this.#pending.get(id);
    if (p === undefined) return;
    this.#pending.delete(id);
    clearTimeout(p.timer);
    p.unlink();
    if (error === undefined) p.resolve(payload!);
    else p.reject(error);
  }

  #failAll(error: IpcError): void {
    for (const id of [...this.#pending.keys()]) this.#settle(id, error);
  }
}
