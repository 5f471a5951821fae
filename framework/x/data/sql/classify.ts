import { DataError, sanitizeDriverError, type DataErrorCode } from 'plumego/x/data';

/** SQLSTATE classes and codes that mean the connection, not the statement, failed. */
const CONNECTION_STATES = new Set(['57P01', '57P02', '57P03', '53300']);
const CONNECTION_ERRNOS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'ENETUNREACH',
]);
/** Serialization failure and deadlock: the transaction may succeed if run again. */
export const RETRYABLE_STATES: ReadonlySet<string> = new Set(['40001', '40P01']);

/** Why a call was cancelled on our side, so a `57014` (query_canceled) can be told apart. */
export type CancelReason = 'timeout' | 'abort' | undefined;

function stateOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

function isConnectionFailure(err: unknown, state: string | undefined): boolean {
  // FATAL and PANIC end the session (refused login, database closed to connections, shutdown).
  const severity = (err as { severity?: unknown } | null)?.severity;
  if (severity === 'FATAL' || severity === 'PANIC') return true;
  if (state !== undefined) return CONNECTION_STATES.has(state) || state.startsWith('08');
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && CONNECTION_ERRNOS.has(code)) return true;
  const message = err instanceof Error ? err.message : '';
  // pg reports a socket that closed under it with these texts and no code.
  return /Connection terminated|connection timeout|Client has encountered a connection error|not queryable/i.test(
    message,
  );
}

/**
 * Maps whatever `pg` threw to a `DataError` with a stable code. The cause is a sanitised copy: it
 * keeps name, code and SQLSTATE and drops message text, `detail` and connection parameters, which
 * can carry row values, hosts or credentials.
 */
export function toDataError(err: unknown, cancelled: CancelReason = undefined): DataError {
  if (err instanceof DataError) return err;
  const state = stateOf(err);
  const cause = sanitizeDriverError(err);
  let code: DataErrorCode = 'PLUMEGO_ERR_DATA_QUERY';
  if (state === '57014')
    code = cancelled === 'abort' ? 'PLUMEGO_ERR_DATA_ABORTED' : 'PLUMEGO_ERR_DATA_STATEMENT_TIMEOUT';
  else if (state !== undefined && RETRYABLE_STATES.has(state)) code = 'PLUMEGO_ERR_DATA_SERIALIZATION_FAILURE';
  else if (isConnectionFailure(err, state)) code = 'PLUMEGO_ERR_DATA_CONNECTION_LOST';
  return new DataError(code, state === undefined ? { cause } : { cause, sqlState: state });
}

/** True when the connection that produced `err` must not go back to the pool. */
export function isBrokenConnection(err: DataError): boolean {
  return err.code === 'PLUMEGO_ERR_DATA_CONNECTION_LOST' || err.code === 'PLUMEGO_ERR_DATA_COMMIT_UNKNOWN';
}
