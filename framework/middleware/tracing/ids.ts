import { randomFillSync } from 'node:crypto';

// Random bytes are fetched and hex-encoded a pool at a time: one randomFillSync and one hex
// encoding per ~40 requests, and each id is then a slice of that string instead of a native
// hex call per id (two per request, a measurable share of tracing's cost). A slice keeps its
// 2 KB pool string alive while it lives; the pool is small so a long-lived id costs little.
const POOL = Buffer.allocUnsafe(1024);
let hex = '';
let offset = 0;

function take(chars: number): string {
  if (offset + chars > hex.length) {
    randomFillSync(POOL);
    hex = POOL.toString('hex');
    offset = 0;
  }
  const id = hex.slice(offset, offset + chars);
  offset += chars;
  return id;
}

/** A random, non-zero 32-hex trace id. */
export function newTraceId(): string {
  let id = take(32);
  while (id === '00000000000000000000000000000000') id = take(32);
  return id;
}

/** A random, non-zero 16-hex span id. */
export function newSpanId(): string {
  let id = take(16);
  while (id === '0000000000000000') id = take(16);
  return id;
}
