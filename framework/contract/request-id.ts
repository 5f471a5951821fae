import type { Context } from './context.ts';

/** The header that carries the request id in and out. */
export const REQUEST_ID_HEADER = 'X-Request-ID';

const MAX_REQUEST_ID_BYTES = 128;

/**
 * Returns the trimmed id when it is acceptable (non-empty, at most 128 bytes, no control
 * characters), otherwise ''. Invalid incoming ids are dropped silently, never echoed.
 */
export function normalizeRequestId(value: string | undefined): string {
  if (value === undefined) return '';
  const id = value.trim();
  if (id.length === 0 || Buffer.byteLength(id) > MAX_REQUEST_ID_BYTES) return '';
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return '';
  }
  return id;
}

/** Returns a copy of `ctx` carrying `id` (after `normalizeRequestId`; an invalid id clears it). */
export function withRequestId(ctx: Context, id: string): Context {
  return ctx.withRequestId(normalizeRequestId(id));
}

/** The request id in `ctx`, or ''. */
export function requestIdFromContext(ctx: Context): string {
  return ctx.requestId;
}
