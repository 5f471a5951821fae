import { IpcClient, type IpcRequestOptions } from './client.ts';
import { IPC_ERROR_CODES, IpcError, assertIpcOption } from './errors.ts';
import type { IpcConnectionOptions } from './options.ts';

export interface IpcPoolOptions extends IpcConnectionOptions {
  /** Unix socket path of the peer. */
  path: string;
  /** Connections kept. Default 4. */
  size?: number;
}

/**
 * A small pool of client connections to one local peer: each request goes to the connection with
 * the fewest requests in flight; dead connections are dropped and redialled on demand.
 */
export class IpcPool {
  readonly #options: IpcPoolOptions;
  readonly #size: number;
  readonly #clients: IpcClient[] = [];
  readonly #dialing = new Set<Promise<IpcClient>>();
  #closed = false;

  constructor(options: IpcPoolOptions) {
    this.#size = options.size ?? 4;
    assertIpcOption(
      Number.isInteger(this.#size) && this.#size >= 1 && this.#size <= 64,
      'size',
      'an integer between 1 and 64',
    );
    assertIpcOption(typeof options.path === 'string' && options.path !== '', 'path', 'a socket path');
    this.#options = options;
  }

  get size(): number {
    return this.#clients.filter((c) => !c.closed).length;
  }

  async request(payload: Buffer | string, options?: IpcRequestOptions): Promise<Buffer> {
    const client = await this.#acquire();
    return client.request(payload, options);
  }

  close(): void {
    this.#closed = true;
    for (const c of this.#clients.splice(0)) c.close();
  }

  async #acquire(): Promise<IpcClient> {
    if (this.#closed) throw new IpcError(IPC_ERROR_CODES.closed, 'the ipc pool is closed');
    for (let i = this.#clients.length - 1; i >= 0; i--) if (this.#clients[i]!.closed) this.#clients.splice(i, 1);
    const idle = this.#clients.find((c) => c.pending === 0);
    if (idle !== undefined) return idle;
    if (this.#clients.length + this.#dialing.size < this.#size) {
      const dial = IpcClient.connect(this.#options.path, this.#options);
      this.#dialing.add(dial);
      try {
        const client = await dial;
        if (this.#closed) {
          client.close();
          throw new IpcError(IPC_ERROR_CODES.closed, 'the ipc pool is closed');
        }
        this.#clients.push(client);
        return client;
      } finally {
        this.#dialing.delete(dial);
      }
    }
    // Every slot is still dialling: share the first dial instead of opening an untracked extra socket.
    if (this.#clients.length === 0) return [...this.#dialing][0]!;
    return this.#clients.reduce((a, b) => (b.pending < a.pending ? b : a));
  }
}
