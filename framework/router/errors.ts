/** Stable codes of `RouterError` (wiring-time programming errors; never sent to clients). */
export type RouterErrorCode =
  | 'ROUTER_INVALID_METHOD'
  | 'ROUTER_INVALID_PATTERN'
  | 'ROUTER_INVALID_HANDLER'
  | 'ROUTER_PARAM_CONFLICT'
  | 'ROUTER_DUPLICATE_ROUTE'
  | 'ROUTER_DUPLICATE_NAME'
  | 'ROUTER_FROZEN'
  | 'ROUTER_UNKNOWN_ROUTE'
  | 'ROUTER_MISSING_PARAM'
  | 'ROUTER_UNKNOWN_PARAM';

/**
 * Thrown synchronously at registration or by `url()`; always a wiring mistake. The message names the
 * method and pattern (never request data).
 */
export class RouterError extends Error {
  constructor(
    readonly code: RouterErrorCode,
    message: string,
  ) {
    super(`router: ${message}`);
    this.name = 'RouterError';
  }
}
