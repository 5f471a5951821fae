/** Stable operation names used in `CoreError` (same as the reference's). */
export type CoreOperation =
  | 'add_route'
  | 'use_middleware'
  | 'prepare_server'
  | 'get_server'
  | 'listen'
  | 'shutdown_app'
  | 'lifecycle_start'
  | 'lifecycle_stop';

/**
 * Wiring or lifecycle failure, thrown synchronously (registration) or as a rejection (listen,
 * shutdown). Message shape: `core <operation> k=v …: cause`.
 */
export class CoreError extends Error {
  readonly code: string;
  constructor(
    readonly operation: CoreOperation,
    code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`core ${operation}: ${message}`, options);
    this.name = 'CoreError';
    this.code = code;
  }
}
