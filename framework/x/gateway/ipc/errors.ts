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

export class IpcError extends Error {
  readonly code: IpcErrorCode;
  readonly [BRAND] = true;
  constructor(code: IpcErrorCode, message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'IpcError';
    this.code = code;
  }
}

export function isIpcError(value: unknown): value is IpcError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
}

export function assertIpcOption(ok: boolean, field: string, rule: string): void {
  if (!ok) throw new IpcError(IPC_ERROR_CODES.invalidOptions, `invalid ipc option ${field}: ${rule}`);
}
