import { StoreError } from 'plumego/store';
import { DataError, sanitizeDriverError } from 'plumego/x/data';

/**
 * ioredis failures: a reply saying the value is not an integer is store's `CACHE_NOT_INTEGER`; any
 * other reply error is a query failure; everything else (socket closed, retries exhausted, offline
 * queue disabled) is the connection. Causes are sanitised so no address or password travels.
 */
export function toCacheError(err: unknown): Error {
  if (err instanceof StoreError || err instanceof DataError) return err;
  if (err instanceof Error && err.name === 'ReplyError') {
    if (/not an integer|out of range|overflow/i.test(err.message))
      return new StoreError('PLUMEGO_ERR_CACHE_NOT_INTEGER', { cause: sanitizeDriverError(err) });
    return new DataError('PLUMEGO_ERR_DATA_QUERY', { cause: sanitizeDriverError(err) });
  }
  return new DataError('PLUMEGO_ERR_DATA_CONNECTION_LOST', { cause: sanitizeDriverError(err) });
}

export async function callRedis<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    throw toCacheError(err);
  }
}

/** `text` with Redis glob metacharacters escaped, for SCAN MATCH. */
export function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}
