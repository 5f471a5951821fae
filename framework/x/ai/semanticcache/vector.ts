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
    throw new AiSemanticCacheError(AI_SEMANTIC_CACHE_ERROR_CODES.invalidEmbedding, `an embedding must be an array of 1 to ${MAX_DIMENSIONS} numbers`);
  }
  let norm = 0;
  for (const x of vector) {
    if (typeof x !== 'number' || !Number.isFinite(x)) throw new AiSemanticCacheError(AI_SEMANTIC_CACHE_ERROR_CODES.invalidEmbedding, 'an embedding holds a value that is not a finite number');
    norm += x * x;
  }
  if (norm === 0) throw new AiSemanticCacheError(AI_SEMANTIC_CACHE_ERROR_CODES.invalidEmbedding, 'an embedding of length zero has no direction');
  const scale = 1 / Math.sqrt(norm);
  return Float32Array.from(vector, (x) => x * scale);
}

/** Cosine similarity of two normalized vectors of one length (their dot product). */
export function dot(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!;
  return sum;
}
