export { deadlineFromContext, getIncomingContext, withDeadline } from './call-context.ts';
export type { IncomingCall } from './call-context.ts';
export { RpcClientPool } from './client-pool.ts';
export type { RpcCallOptions, RpcClientPoolOptions } from './client-pool.ts';
export { createGrpcAdapter } from './grpc-adapter.ts';
export type { GrpcAdapterOptions } from './grpc-adapter.ts';
export { RPC_ERROR_CODES, RpcError, getGrpcStatus, isRpcError, toHttpError } from './errors.ts';
export type { RpcErrorCode } from './errors.ts';
export {
  composeInterceptors,
  deadlineInterceptor,
  loggingInterceptor,
  retryInterceptor,
  traceContextInterceptor,
} from './interceptors.ts';
export type { RetryInterceptorOptions, RpcCall, UnaryInterceptor, UnaryInvoker } from './interceptors.ts';
export { DEFAULT_PROTO_OPTIONS, loadProtos } from './proto.ts';
export type { ProtoRegistry } from './proto.ts';
export { RpcServer } from './server.ts';
export type { RpcServerOptions, RpcStopResult } from './server.ts';
export { createTranscoder } from './transcoder.ts';
export type { TranscoderOptions } from './transcoder.ts';
