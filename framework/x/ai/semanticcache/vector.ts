import { AI_SEMANTIC_CACHE_ERROR_CODES, AiSemanticCacheError } from './errors.ts';

/** Turns text into vectors: a vendor embedding endpoint, a local model, or a test double. */
export interface Embedder {
  /** Part of every partition key: vectors of two embedders never meet. */
  readonly name: string;
  /** One vector per text, in order, all of one length. */
  embed(texts: readonly string[], options?: { signal?: AbortSignal }): Promise<readonly (readonly number[])[]>;
}

const MAX_DIMENSIONS = 16_384;

/** Checks a vector and scales it to length 1, so a dot product is the cosine similarity. */
export function normalizeVector(vector: readonly number[] | undefined): Float32Array {
  if (!Array.isArray(vector) || vector.length === 0 || vector.length > MAX_DIMENSIONS) {
    throw new AiSemanticCacheError(
      AI_SEMANTIC_CACHE_ERROR_CODES.invalidEmbedding,
      `an embedding must be an array of 1 to ${MAX_DIMENSIONS} numbers`,
    );
  }
  let norm = 0;
  for (const x of vector) {
    if (typeof x !== 'number' || !Number.isFinite(x))
      throw new AiSemanticCacheError(
        AI_SEMANTIC_CACHE_ERROR_CODES.invalidEmbedding,
        'an embedding holds a value that is not a finite number',
      );
    norm += x * x;
  }
  if (norm === 0)
    throw new AiSemanticCacheError(
      AI_SEMANTIC_CACHE_ERROR_CODES.invalidEmbedding,
      'an embedding of length zero has no direction',
    );
  const scale = 1 / Math.sqrt(norm);
  return Float32Array.from(vector, (x) => x * scale);
}

/**
 * Cosine similarity of two normalized vectors of one length (their dot product). Four running sums, not
 * one: the additions no longer wait on each other, which made a 10 000 × 1 536 scan 1.5–2× faster.
 */
export function dot(a: Float32Array, b: Float32Array): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  const whole = a.length - (a.length % 4);
  let i = 0;
  for (; i < whole; i += 4) {
    s0 += a[i]! * b[i]!;
    s1 += a[i + 1]! * b[i + 1]!;
    s2 += a[i + 2]! * b[i + 2]!;
    s3 += a[i + 3]! * b[i + 3]!;
  }
  for (; i < a.length; i++) s0 += a[i]! * b[i]!;
  return s0 + s1 + s2 + s3;
}
