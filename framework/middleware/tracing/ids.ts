import { randomFillSync } from 'node:crypto';

// One randomFillSync per 170 requests instead of one crypto call per id.
const POOL = Buffer.allocUnsafe(4096);
let offset = POOL.length;

function take(n: number): string {
  if (offset + n > POOL.length) {
    randomFillSync(POOL);
    offset = 0;
  }
  const hex = POOL.toString('hex', offset, offset + n);
  offset += n;
  return hex;
}

/** A random, non-zero 32-hex trace id. */
export function newTraceId(): string {
  let id = take(16);
  while (id === '00000000000000000000000000000000') id = take(16);
  return id;
}

/** A random, non-zero 16-hex span id. */
export function newSpanId(): string {
  let id = take(8);
  while (id === '0000000000000000') id = take(8);
  return id;
}
