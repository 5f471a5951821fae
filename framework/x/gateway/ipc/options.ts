import { assertIpcOption } from './errors.ts';

export interface IpcConnectionOptions {
  /** Largest frame accepted or sent. Default 1 MiB. */
  maxFrameBytes?: number;
  /** How often an idle side sends a ping. Default 5 000 ms. */
  heartbeatIntervalMs?: number;
  /** Silence after which the peer is declared dead and the socket closed. Default 15 000 ms. */
  heartbeatTimeoutMs?: number;
  /** Default budget per request. Default 30 000 ms. */
  requestTimeoutMs?: number;
}

export interface ResolvedIpcConnectionOptions {
  maxFrameBytes: number;
  heartbeatIntervalMs: number;
  heartbeatTimeoutMs: number;
  requestTimeoutMs: number;
}

export const DEFAULT_IPC_OPTIONS: ResolvedIpcConnectionOptions = Object.freeze({
  maxFrameBytes: 1024 * 1024,
  heartbeatIntervalMs: 5_000,
  heartbeatTimeoutMs: 15_000,
  requestTimeoutMs: 30_000,
});

export function resolveIpcConnectionOptions(options: IpcConnectionOptions = {}): ResolvedIpcConnectionOptions {
  const d = DEFAULT_IPC_OPTIONS;
  const r = {
    maxFrameBytes: options.maxFrameBytes ?? d.maxFrameBytes,
    heartbeatIntervalMs: options.heartbeatIntervalMs ?? d.heartbeatIntervalMs,
    heartbeatTimeoutMs: options.heartbeatTimeoutMs ?? d.heartbeatTimeoutMs,
    requestTimeoutMs: options.requestTimeoutMs ?? d.requestTimeoutMs,
  };
  assertIpcOption(
    Number.isInteger(r.maxFrameBytes) && r.maxFrameBytes > 0 && r.maxFrameBytes <= 0xffffffff,
    'maxFrameBytes',
    'a positive 32-bit integer',
  );
  assertIpcOption(
    r.heartbeatIntervalMs > 0 && r.heartbeatTimeoutMs > r.heartbeatIntervalMs,
    'heartbeatTimeoutMs',
    'greater than heartbeatIntervalMs (both positive)',
  );
  assertIpcOption(r.requestTimeoutMs > 0, 'requestTimeoutMs', 'a positive number');
  return r;
}
