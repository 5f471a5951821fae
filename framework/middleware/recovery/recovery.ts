import { isAPIError, isPromise, writeError, type Middleware, type Request, type ResponseWriter } from 'plumego/contract';
import { createDiscardLogger, type StructuredLogger } from 'plumego/log';

export interface RecoveryOptions {
  /** Where recovered errors are logged. Default: discard. */
  logger?: StructuredLogger;
}

function recover(logger: StructuredLogger, w: ResponseWriter, r: Request, err: unknown): void {
  const api = isAPIError(err);
  // Thrown APIErrors below 500 are the handler's answer, not a failure worth an error log.
  if (!api || err.status >= 500) {
    logger.error('handler error recovered', {
      method: r.method,
      path: r.path,
      route: r.state.routePattern,
      request_id: r.ctx.requestId,
      status: w.headersSent ? w.status : api ? err.status : 500,
      // The type only: error messages may carry user input or secrets.
      error_type: err instanceof Error ? err.name : typeof err,
    });
  }
  if (writeError(w, r, err)) return;
  // The response already started: the only honest signal left is cutting the connection.
  if (!w.finished) {
    if (w.raw !== undefined) w.raw.destroy();
    else w.end();
  }
}

/**
 * Turns a synchronous throw or a rejected promise into the error envelope: an `APIError` is sent
 * as is, anything else as a generic 500 `INTERNAL_ERROR` (its message is never sent). If the
 * response already started, the connection is cut instead. Nothing escapes as an unhandled
 * rejection.
 */
export function recovery(options: RecoveryOptions = {}): Middleware {
  const logger = options.logger ?? createDiscardLogger();
  return (next) => (w, r) => {
    try {
      const p = next(w, r);
      if (isPromise(p)) return p.then(undefined, (err: unknown) => recover(logger, w, r, err));
    } catch (err) {
      recover(logger, w, r, err);
    }
  };
}
