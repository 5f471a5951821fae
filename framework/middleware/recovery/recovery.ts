import {
  CLIENT_CLOSED_REQUEST_STATUS,
  isAPIError,
  isClientDisconnect,
  isPromise,
  writeError,
  type Middleware,
  type Request,
  type ResponseWriter,
} from 'plumego/contract';
import { createDiscardLogger, type StructuredLogger } from 'plumego/log';
import { noteRecoveredError } from '../tracing/span-error.ts';

export interface RecoveryOptions {
  /** Where recovered errors are logged. Default: discard. */
  logger?: StructuredLogger;
}

function recover(logger: StructuredLogger, w: ResponseWriter, r: Request, err: unknown): void {
  // For an outer tracing middleware: the span records the exception recovery is about to answer.
  noteRecoveredError(r, err);
  if (isClientDisconnect(err)) {
    // The client went away: there is no one to answer and nothing failed on our side, so no 500
    // and no error line (the access log records 499).
    if (!w.finished) {
      if (w.raw !== undefined) w.raw.destroy();
      else {
        // In-process there is no socket to cut; record the outcome as the status.
        w.writeHead(CLIENT_CLOSED_REQUEST_STATUS);
        w.end();
      }
    }
    return;
  }
  const api = isAPIError(err);
  // Thrown APIErrors below 500 are the handler's answer, not a failure worth an error log.
  if (!api || err.status >= 500) {
    logger.error('handler error recovered', {
      method: r.method,
      path: r.path,
      route: r.state.routePattern,
      request_id: r.ctx.requestId,
      status: w.headersSent ? w.status : api ? err.status : 500,
      error_type: err instanceof Error ? err.name : typeof err,
      // Server-side only, for the operator: the client gets the generic envelope, never these.
      error: err instanceof Error ? err.message : safeString(err),
      stack: err instanceof Error ? err.stack : undefined,
    });
  }
  if (writeError(w, r, err)) return;
  // The response already started: the only honest signal left is cutting the connection.
  if (!w.finished) {
    if (w.raw !== undefined) w.raw.destroy();
    else w.end();
  }
}

function safeString(value: unknown): string {
  try {
    return String(value);
  } catch {
    return typeof value;
  }
}

/**
 * Turns a synchronous throw or a rejected promise into the error envelope: an `APIError` is sent
 * as is, anything else as a generic 500 `INTERNAL_ERROR` (its message is never sent). If the
 * response already started, the connection is cut instead. Nothing escapes as an unhandled
 * rejection. A 5xx is logged with the error's message and stack (server-side only); a client
 * disconnect (`isClientDisconnect`) is neither answered nor logged as an error.
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
