import {
  Server,
  ServerCredentials,
  type ChannelOptions,
  type ServiceDefinition,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { RPC_ERROR_CODES, RpcError, assertRpcOption } from './errors.ts';

export interface RpcServerOptions {
  /** `host:port` to bind; port 0 picks a free one. Default `127.0.0.1:0`. */
  address?: string;
  /** Default insecure (plaintext h2c); pass `ServerCredentials.createSsl(...)` for TLS. */
  credentials?: ServerCredentials;
  /** How long `stop` lets in-flight calls finish before cancelling them. Default 10 000 ms. */
  shutdownTimeoutMs?: number;
  /** grpc-js channel options (message sizes, keepalive). Default none. */
  channelOptions?: ChannelOptions;
}

/** What `stop` observed. */
export interface RpcStopResult {
  /** True when the deadline passed and in-flight calls were cancelled. */
  forced: boolean;
}

type State = 'idle' | 'starting' | 'serving' | 'stopping' | 'stopped';

/**
 * A gRPC server whose lifecycle matches the app's components (`start`/`stop`/`ready`, so it fits a
 * core `LifecycleGroup`): services are added before `start`; `stop`/`shutdown` refuse new calls at
 * once, wait for in-flight ones, and cancel whatever is left at the deadline.
 */
export class RpcServer {
  readonly #server: Server;
  readonly #address: string;
  readonly #credentials: ServerCredentials;
  readonly #shutdownTimeoutMs: number;
  #state: State = 'idle';
  #port = 0;
  #stopping: Promise<RpcStopResult> | undefined;

  constructor(options: RpcServerOptions = {}) {
    this.#address = options.address ?? '127.0.0.1:0';
    this.#shutdownTimeoutMs = options.shutdownTimeoutMs ?? 10_000;
    assertRpcOption(/^.+:\d+$/.test(this.#address), 'address', 'host:port');
    assertRpcOption(
      Number.isFinite(this.#shutdownTimeoutMs) && this.#shutdownTimeoutMs >= 0,
      'shutdownTimeoutMs',
      'a non-negative number',
    );
    this.#credentials = options.credentials ?? ServerCredentials.createInsecure();
    this.#server = new Server(options.channelOptions ?? {});
  }

  /** The bound port (after `start`). */
  get port(): number {
    return this.#port;
  }

  get state(): State {
    return this.#state;
  }

  addService(service: ServiceDefinition, implementation: UntypedServiceImplementation): this {
    if (this.#state !== 'idle')
      throw new RpcError(RPC_ERROR_CODES.invalidOptions, 'services must be added before start');
    this.#server.addService(service, implementation);
    return this;
  }

  start(): Promise<void> {
    if (this.#state !== 'idle')
      return Promise.reject(
        new RpcError(RPC_ERROR_CODES.serverStopped, `cannot start a server that is ${this.#state}`),
      );
    this.#state = 'starting';
    return new Promise((resolve, reject) => {
      this.#server.bindAsync(this.#address, this.#credentials, (error, port) => {
        if (error !== null) {
          this.#state = 'stopped';
          reject(new RpcError(RPC_ERROR_CODES.invalidOptions, 'cannot bind the gRPC server', error));
          return;
        }
        this.#port = port;
        this.#state = 'serving';
        resolve();
      });
    });
  }

  /** Resolves while serving; throws otherwise (a readiness probe). */
  ready(): void {
    if (this.#state !== 'serving') throw new RpcError(RPC_ERROR_CODES.serverStopped, `gRPC server is ${this.#state}`);
  }

  /** The lifecycle hook (`Component.stop`): `shutdown` with the configured deadline. */
  async stop(): Promise<void> {
    await this.shutdown();
  }

  /** Graceful stop with a deadline, then forced. Idempotent: later calls share the first. */
  shutdown(timeoutMs: number = this.#shutdownTimeoutMs): Promise<RpcStopResult> {
    if (this.#stopping !== undefined) return this.#stopping;
    if (this.#state === 'idle' || this.#state === 'stopped') {
      this.#state = 'stopped';
      this.#stopping = Promise.resolve({ forced: false });
      return this.#stopping;
    }
    this.#state = 'stopping';
    this.#stopping = new Promise<RpcStopResult>((resolve) => {
      let forced = false;
      const timer = setTimeout(() => {
        forced = true;
        this.#server.forceShutdown();
      }, timeoutMs);
      this.#server.tryShutdown(() => {
        clearTimeout(timer);
        this.#state = 'stopped';
        resolve({ forced });
      });
    });
    return this.#stopping;
  }
}
