import { status as GrpcStatus } from '@grpc/grpc-js';
import { APIError, type ErrorType, defineErrorFamily, getErrorOptions } from 'plumego/contract';

/** Stable codes of x/rpc: one per gRPC status a transcoded route can answer, plus wiring errors. */
export const RPC_ERROR_CODES = {
  invalidOptions: 'RPC_INVALID_OPTIONS',
  serverStopped: 'RPC_SERVER_STOPPED',
  cancelled: 'RPC_CANCELLED',
  invalidArgument: 'RPC_INVALID_ARGUMENT',
  deadlineExceeded: 'RPC_DEADLINE_EXCEEDED',
  notFound: 'RPC_NOT_FOUND',
  alreadyExists: 'RPC_ALREADY_EXISTS',
  permissionDenied: 'RPC_PERMISSION_DENIED',
  resourceExhausted: 'RPC_RESOURCE_EXHAUSTED',
  failedPrecondition: 'RPC_FAILED_PRECONDITION',
  aborted: 'RPC_ABORTED',
  outOfRange: 'RPC_OUT_OF_RANGE',
  unimplemented: 'RPC_UNIMPLEMENTED',
  internal: 'RPC_INTERNAL',
  unavailable: 'RPC_UNAVAILABLE',
  unauthenticated: 'RPC_UNAUTHENTICATED',
} as const;

export type RpcErrorCode = (typeof RPC_ERROR_CODES)[keyof typeof RPC_ERROR_CODES];

const BRAND = Symbol.for('plumego.x.rpc.error');
const family = defineErrorFamily({ name: 'RpcError', brand: BRAND, codes: RPC_ERROR_CODES });

/** Raised for wiring mistakes (bad options, a stopped server). */
export class RpcError extends Error {
  declare readonly code: RpcErrorCode;
  readonly [BRAND] = true;
  constructor(code: RpcErrorCode, message: string, cause?: unknown) {
    super(message, getErrorOptions(cause));
    family.stamp(this, code);
  }
}

export function isRpcError(value: unknown): value is RpcError {
  return family.is(value);
}

export function assertRpcOption(ok: boolean, field: string, rule: string): void {
  if (!ok) throw new RpcError(RPC_ERROR_CODES.invalidOptions, `invalid rpc option ${field}: ${rule}`);
}

interface Mapping {
  code: RpcErrorCode;
  status: number;
  type?: ErrorType;
  message: string;
}

// The grpc-gateway mapping (google.rpc.Code → HTTP), onto the canonical types where one fits.
const BY_STATUS: ReadonlyMap<number, Mapping> = new Map([
  [GrpcStatus.CANCELLED, { code: RPC_ERROR_CODES.cancelled, status: 499, message: 'call cancelled' }],
  [
    GrpcStatus.INVALID_ARGUMENT,
    { code: RPC_ERROR_CODES.invalidArgument, status: 400, type: 'bad_request', message: 'invalid argument' },
  ],
  [
    GrpcStatus.DEADLINE_EXCEEDED,
    { code: RPC_ERROR_CODES.deadlineExceeded, status: 504, type: 'gateway_timeout', message: 'deadline exceeded' },
  ],
  [
    GrpcStatus.NOT_FOUND,
    { code: RPC_ERROR_CODES.notFound, status: 404, type: 'resource_not_found', message: 'not found' },
  ],
  [
    GrpcStatus.ALREADY_EXISTS,
    { code: RPC_ERROR_CODES.alreadyExists, status: 409, type: 'resource_already_exists', message: 'already exists' },
  ],
  [
    GrpcStatus.PERMISSION_DENIED,
    { code: RPC_ERROR_CODES.permissionDenied, status: 403, type: 'forbidden_request', message: 'permission denied' },
  ],
  [
    GrpcStatus.RESOURCE_EXHAUSTED,
    { code: RPC_ERROR_CODES.resourceExhausted, status: 429, type: 'rate_limited', message: 'resource exhausted' },
  ],
  [
    GrpcStatus.FAILED_PRECONDITION,
    { code: RPC_ERROR_CODES.failedPrecondition, status: 400, type: 'bad_request', message: 'failed precondition' },
  ],
  [GrpcStatus.ABORTED, { code: RPC_ERROR_CODES.aborted, status: 409, type: 'resource_conflict', message: 'aborted' }],
  [
    GrpcStatus.OUT_OF_RANGE,
    { code: RPC_ERROR_CODES.outOfRange, status: 400, type: 'bad_request', message: 'out of range' },
  ],
  [
    GrpcStatus.UNIMPLEMENTED,
    { code: RPC_ERROR_CODES.unimplemented, status: 501, type: 'not_implemented', message: 'not implemented' },
  ],
  [
    GrpcStatus.UNAVAILABLE,
    { code: RPC_ERROR_CODES.unavailable, status: 503, type: 'service_unavailable', message: 'service unavailable' },
  ],
  [
    GrpcStatus.UNAUTHENTICATED,
    { code: RPC_ERROR_CODES.unauthenticated, status: 401, type: 'unauthorized_request', message: 'unauthenticated' },
  ],
]);

const INTERNAL: Mapping = {
  code: RPC_ERROR_CODES.internal,
  status: 500,
  type: 'internal_error',
  message: 'internal error',
};

/** The gRPC status of a call error, or UNKNOWN. */
export function getGrpcStatus(error: unknown): number {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'number' ? code : GrpcStatus.UNKNOWN;
}

/**
 * The envelope error for a failed call. The server's status message is not sent: it may carry
 * internals; `details.grpc_status` names the status instead.
 */
export function toHttpError(error: unknown): APIError {
  const grpcStatus = getGrpcStatus(error);
  const m = BY_STATUS.get(grpcStatus) ?? INTERNAL;
  const details = { grpc_status: GrpcStatus[grpcStatus] ?? 'UNKNOWN' };
  return m.type === undefined
    ? new APIError({
        status: m.status,
        code: m.code,
        message: m.message,
        category: 'client_error',
        details,
        cause: error,
      })
    : new APIError({ type: m.type, code: m.code, message: m.message, details, cause: error });
}
