import { Transform, type TransformCallback } from 'node:stream';

export interface ByteRange {
  start: number;
  /** Inclusive. */
  end: number;
}

/**
 * A single `bytes=` range against `size`: undefined to ignore the header (malformed or multi-range —
 * sending the whole body is always allowed), `'unsatisfiable'` for a 416.
 */
export function parseByteRange(header: string | undefined, size: number): ByteRange | 'unsatisfiable' | undefined {
  if (header === undefined) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    return suffix === 0 || size === 0 ? 'unsatisfiable' : { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  if (m[2] !== '' && Number(m[2]) < start) return undefined;
  if (start >= size) return 'unsatisfiable';
  return { start, end: m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1) };
}

/**
 * Passes through only bytes `[start, end]` of the stream. The storage contract reads whole files, so a
 * range skips the head in flight; backends with native ranged reads can be given a fast path later.
 */
export class ByteSlice extends Transform {
  #pos = 0;
  constructor(readonly range: ByteRange) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    if (this.#pos > this.range.end) return cb();
    const from = Math.max(0, this.range.start - this.#pos);
    const to = Math.min(chunk.length, this.range.end + 1 - this.#pos);
    this.#pos += chunk.length;
    cb(null, from < to ? chunk.subarray(from, to) : undefined);
    if (this.#pos > this.range.end) this.push(null);
  }
}
