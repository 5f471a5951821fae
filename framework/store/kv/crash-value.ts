import { createHash } from 'node:crypto';

/** A deterministic value of 1–33 KiB for key i, so a reader can tell an intact value from a torn one. */
export function getCrashValue(i: number): Buffer {
  const seed = createHash('sha256').update(String(i)).digest();
  const length = 1024 + ((seed[0] ?? 0) << 7);
  const out = Buffer.alloc(length);
  for (let offset = 0; offset < length; offset += seed.length) seed.copy(out, offset);
  return out;
}
