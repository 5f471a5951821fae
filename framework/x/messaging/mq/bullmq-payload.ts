import { encodePayload } from './options.ts';

/** Deeper than this is checked by `encodePayload` itself (a cycle ends up there). */
const MAX_DEPTH = 64;

/**
 * Checks that `data` passes `encodePayload(data, maxBytes)` without serialising it: BullMQ serialises
 * the payload itself, so a JSON text made here only to be measured was one more `JSON.stringify` (with
 * a replacer, the slow kind) per add. The walk rejects what `encodePayload` rejects (functions,
 * symbols, BigInt, non-finite numbers) and bounds the JSON size from above; whatever it cannot decide
 * (a bound over the limit, `toJSON`, deep or cyclic values) goes to `encodePayload`, so the error and
 * the size limit are exactly its own.
 */
export function assertPayload(data: unknown, maxBytes: number): void {
  const bound = jsonBound(data, 0);
  if (bound < 0 || bound > maxBytes) encodePayload(data, maxBytes);
}

/**
 * An upper bound of the UTF-8 length of `JSON.stringify(v)`; -1 when undecided (then encodePayload runs).
 * A UTF-16 unit is at most 6 bytes in JSON (`\u001f`, a lone surrogate as `\udXXX`), a number at most 24
 * characters (`-2.2250738585072014e-308`).
 */
function jsonBound(v: unknown, depth: number): number {
  switch (typeof v) {
    case 'string':
      return 6 * v.length + 2;
    case 'number':
      return Number.isFinite(v) ? 24 : -1;
    case 'boolean':
      return 5;
    case 'undefined':
      // Omitted in an object, `null` in an array; the top level goes to encodePayload (not JSON).
      return depth === 0 ? -1 : 4;
    case 'object': {
      if (v === null) return 4;
      if (depth >= MAX_DEPTH || typeof (v as { toJSON?: unknown }).toJSON === 'function') return -1;
      let n = 2;
      if (Array.isArray(v)) {
        for (let i = 0; i < v.length; i++) {
          const b = jsonBound(v[i], depth + 1);
          if (b < 0) return -1;
          n += b + 1;
        }
        return n;
      }
      // Plain objects only: class instances, boxed primitives, Dates and the like serialise by rules of
      // their own (toJSON, unwrapping), so encodePayload decides them.
      const proto: unknown = Object.getPrototypeOf(v);
      if (proto !== Object.prototype && proto !== null) return -1;
      for (const k in v) {
        if (!Object.hasOwn(v, k)) continue;
        const b = jsonBound((v as Record<string, unknown>)[k], depth + 1);
        if (b < 0) return -1;
        n += 6 * k.length + 4 + b;
      }
      return n;
    }
    default:
      // function, symbol, bigint
      return -1;
  }
}
