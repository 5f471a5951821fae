import { defineErrorFamily, getErrorOptions } from 'plumego/contract';

/** Stable codes of x/gateway/ipc. */
export const IPC_ERROR_CODES = {
  invalidOptions: 'IPC_INVALID_OPTIONS',
  frameTooLarge: 'IPC_FRAME_TOO_LARGE',
  timeout: 'IPC_TIMEOUT',
  peerDead: 'IPC_PEER_DEAD',
  remoteError: 'IPC_REMOTE_ERROR',
  closed: 'IPC_CLOSED',
} as const;

export type IpcErrorCode = (typeof IPC_ERROR_CODES)[keyof typeof IPC_ERROR_CODES];

const BRAND = Symbol.for('plumego.x.gateway.ipc.error');
const family = defineErrorFamily({ name: 'IpcError', brand: BRAND, codes: IPC_ERROR_CODES });

export class IpcError extends Error {
  declare readonly code: IpcErrorCode;
  readonly [BRAND] = true;
  constructor(code: IpcErrorCode, message: string, cause?: unknown) {
    super(message, getErrorOptions(cause));
    family.stamp(this, code);
  }
}

export function isIpcError(value: unknown): value is IpcError {
  return family.is(value);
}

export function assertIpcOption(ok: boolean, field: string, rule: string): void {
  if (!ok) throw new IpcError(IPC_ERROR_CODES.invalidOptions, `invalid ipc option ${field}: ${rule}`);
}
