import type { Handler, Request, ResponseWriter } from 'plumego/contract';
import type { ProtocolAdapter } from 'plumego/x/gateway/protocol';
import type { RpcClientPool } from './client-pool.ts';
import { assertRpcOption } from './errors.ts';
import type { ProtoRegistry } from './proto.ts';
import { createTranscoder } from './transcoder.ts';

export interface GrpcAdapterOptions {
  pool: RpcClientPool;
  /** gRPC target the calls go to. */
  target: string;
  /** Loaded protos; only their unary methods are exposed. */
  protos: ProtoRegistry;
  /** URL prefix: `POST <prefix>/<package.Service>/<Method>`. Default `/rpc`. */
  prefix?: string;
  /** Only these services (`package.Service`) are exposed. Default all loaded services. */
  services?: readonly string[];
  /** Per-call budget. Default none (the request context's deadline still applies). */
  timeoutMs?: number;
  /** Adapter name in the registry. Default `grpc`. */
  name?: string;
}

/**
 * The gateway's first protocol adapter: `POST <prefix>/<package.Service>/<Method>` with a JSON body
 * becomes a unary gRPC call through the pool, answered in the envelope. Transcoders are built once
 * per method, when the adapter is created; an unknown method is never claimed.
 */
export function createGrpcAdapter(options: GrpcAdapterOptions): ProtocolAdapter {
  const prefix = options.prefix ?? '/rpc';
  assertRpcOption(prefix.startsWith('/') && !prefix.endsWith('/'), 'prefix', 'a path like "/rpc"');
  const allowed = options.services === undefined ? undefined : new Set(options.services);
  const routes = new Map<string, Handler>();
  for (const [serviceName, service] of options.protos.services) {
    if (allowed !== undefined && !allowed.has(serviceName)) continue;
    for (const [methodName, method] of Object.entries(service)) {
      if (method.requestStream || method.responseStream) continue;
      routes.set(
        `${prefix}/${serviceName}/${methodName}`,
        createTranscoder({
          pool: options.pool,
          target: options.target,
          method,
          ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
        }),
      );
    }
  }
  if (allowed !== undefined)
    for (const s of allowed)
      assertRpcOption(options.protos.services.has(s), 'services', `unknown service ${JSON.stringify(s)}`);
  return {
    name: options.name ?? 'grpc',
    matches: (r: Request) => r.method === 'POST' && routes.has(r.path),
    handle: async (w: ResponseWriter, r: Request) => routes.get(r.path)!(w, r),
    close: () => options.pool.close(),
  };
}
