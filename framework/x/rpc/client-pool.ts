import {
  Client,
  Metadata,
  credentials as grpcCredentials,
  type CallOptions,
  type ChannelCredentials,
  type ChannelOptions,
  type ClientDuplexStream,
  type ClientReadableStream,
  type ClientWritableStream,
  type MethodDefinition,
} from '@grpc/grpc-js';
import { Context, formatTraceparent } from 'plumego/contract';
import { deadlineFromContext, newSpanId } from './call-context.ts';
import { assertRpcOption } from './errors.ts';
import { composeInterceptors, type RpcCall, type UnaryInterceptor, type UnaryInvoker } from './interceptors.ts';

export interface RpcClientPoolOptions {
  /** Default insecure (h2c); pass `credentials.createSsl(...)` for TLS. */
  credentials?: ChannelCredentials;
  /** grpc-js channel options for every client. Default none. */
  channelOptions?: ChannelOptions;
  /** Unary interceptors, first one outermost. Default none. */
  interceptors?: readonly UnaryInterceptor[];
  /** Targets kept open; the least recently used one is closed past it. Default 64. */
  maxTargets?: number;
}

export interface RpcCallOptions {
  /** Caller context: its trace is continued and its deadline respected. Default empty. */
  ctx?: Context;
  /** Extra metadata sent with the call. */
  metadata?: Metadata;
  /** Epoch ms by which the call must finish. */
  deadline?: number;
  /** Cancels the call (for example the HTTP request's signal). */
  signal?: AbortSignal;
}

type AnyMethod = MethodDefinition<unknown, unknown>;

/** Trace and deadline for streaming calls (interceptors are unary-only: a stream cannot be replayed). */
function getStreamCallParts(options: RpcCallOptions): { metadata: Metadata; callOptions: CallOptions } {
  const metadata = options.metadata?.clone() ?? new Metadata();
  const ctx = options.ctx ?? Context.empty;
  if (ctx.trace !== undefined) metadata.set('traceparent', formatTraceparent({ ...ctx.trace, spanId: newSpanId() }));
  const deadlines = [options.deadline, deadlineFromContext(ctx)].filter((d): d is number => d !== undefined);
  return { metadata, callOptions: deadlines.length > 0 ? { deadline: Math.min(...deadlines) } : {} };
}

function linkSignal(signal: AbortSignal | undefined, cancel: () => void): () => void {
  if (signal === undefined) return () => undefined;
  if (signal.aborted) {
    cancel();
    return () => undefined;
  }
  signal.addEventListener('abort', cancel, { once: true });
  return () => signal.removeEventListener('abort', cancel);
}

/**
 * Outbound gRPC clients keyed by target: one channel (HTTP/2 connection set) per target, reused by
 * every call, with unary interceptors composed once. Unary, server-, client- and bidi-streaming calls.
 */
export class RpcClientPool {
  readonly #clients = new Map<string, Client>();
  readonly #credentials: ChannelCredentials;
  readonly #channelOptions: ChannelOptions;
  readonly #maxTargets: number;
  readonly #invoke: UnaryInvoker;
  #closed = false;

  constructor(options: RpcClientPoolOptions = {}) {
    this.#credentials = options.credentials ?? grpcCredentials.createInsecure();
    this.#channelOptions = options.channelOptions ?? {};
    this.#maxTargets = options.maxTargets ?? 64;
    assertRpcOption(Number.isInteger(this.#maxTargets) && this.#maxTargets >= 1, 'maxTargets', 'an integer ≥ 1');
    this.#invoke = composeInterceptors(options.interceptors ?? [], (call) => this.#invokeUnary(call));
  }

  get size(): number {
    return this.#clients.size;
  }

  /** The client for `target` (`host:port`, `dns:///name:port`, `unix:/path`), dialled on first use. */
  getClient(target: string): Client {
    assertRpcOption(!this.#closed, 'pool', 'the pool is closed');
    assertRpcOption(typeof target === 'string' && target !== '', 'target', 'a non-empty target');
    const existing = this.#clients.get(target);
    if (existing !== undefined) {
      this.#clients.delete(target);
      this.#clients.set(target, existing);
      return existing;
    }
    const client = new Client(target, this.#credentials, this.#channelOptions);
    this.#clients.set(target, client);
    if (this.#clients.size > this.#maxTargets) {
      const [oldest, old] = this.#clients.entries().next().value as [string, Client];
      this.#clients.delete(oldest);
      old.close();
    }
    return client;
  }

  /** A unary call through the interceptors. Rejects with the grpc-js error (it has `code` and `details`). */
  unary<Res = unknown>(
    target: string,
    method: AnyMethod,
    request: unknown,
    options: RpcCallOptions = {},
  ): Promise<Res> {
    assertRpcOption(!method.requestStream && !method.responseStream, 'method', `${method.path} is not unary`);
    const call: RpcCall = {
      target,
      method: method.path,
      definition: method,
      request,
      metadata: options.metadata?.clone() ?? new Metadata(),
      deadline: options.deadline,
      ctx: options.ctx ?? Context.empty,
      signal: options.signal,
      attempt: 1,
    };
    return this.#invoke(call) as Promise<Res>;
  }

  serverStream<Res = unknown>(
    target: string,
    method: AnyMethod,
    request: unknown,
    options: RpcCallOptions = {},
  ): ClientReadableStream<Res> {
    assertRpcOption(!method.requestStream && method.responseStream, 'method', `${method.path} is not server-streaming`);
    const { metadata, callOptions } = getStreamCallParts(options);
    const stream = this.getClient(target).makeServerStreamRequest(
      method.path,
      method.requestSerialize,
      method.responseDeserialize,
      request,
      metadata,
      callOptions,
    );
    const unlink = linkSignal(options.signal, () => stream.cancel());
    stream.once('close', unlink);
    return stream as ClientReadableStream<Res>;
  }

  clientStream<Res = unknown>(
    target: string,
    method: AnyMethod,
    options: RpcCallOptions = {},
  ): { stream: ClientWritableStream<unknown>; response: Promise<Res> } {
    assertRpcOption(method.requestStream && !method.responseStream, 'method', `${method.path} is not client-streaming`);
    const { metadata, callOptions } = getStreamCallParts(options);
    let resolve!: (v: Res) => void;
    let reject!: (e: unknown) => void;
    const response = new Promise<Res>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    const stream = this.getClient(target).makeClientStreamRequest(
      method.path,
      method.requestSerialize,
      method.responseDeserialize,
      metadata,
      callOptions,
      (error, value) => {
        unlink();
        if (error !== null) reject(error);
        else resolve(value as Res);
      },
    );
    const unlink = linkSignal(options.signal, () => stream.cancel());
    return { stream, response };
  }

  bidiStream<Res = unknown>(
    target: string,
    method: AnyMethod,
    options: RpcCallOptions = {},
  ): ClientDuplexStream<unknown, Res> {
    assertRpcOption(method.requestStream && method.responseStream, 'method', `${method.path} is not bidi-streaming`);
    const { metadata, callOptions } = getStreamCallParts(options);
    const stream = this.getClient(target).makeBidiStreamRequest(
      method.path,
      method.requestSerialize,
      method.responseDeserialize,
      metadata,
      callOptions,
    );
    const unlink = linkSignal(options.signal, () => stream.cancel());
    stream.once('close', unlink);
    return stream as ClientDuplexStream<unknown, Res>;
  }

  /** Closes every channel; later calls throw. */
  close(): void {
    this.#closed = true;
    for (const c of this.#clients.values()) c.close();
    this.#clients.clear();
  }

  #invokeUnary(call: RpcCall): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const def = call.definition;
      const callOptions: CallOptions = call.deadline === undefined ? {} : { deadline: call.deadline };
      let unlink = (): void => undefined;
      const c = this.getClient(call.target).makeUnaryRequest(
        def.path,
        def.requestSerialize,
        def.responseDeserialize,
        call.request,
        call.metadata,
        callOptions,
        (error, value) => {
          unlink();
          if (error !== null) reject(error);
          else resolve(value);
        },
      );
      unlink = linkSignal(call.signal, () => c.cancel());
    });
  }
}
