import { defineErrorFamily, getErrorOptions } from 'plumego/contract';

/** Stable codes for the semantic cache. */
export const AI_SEMANTIC_CACHE_ERROR_CODES = {
  invalidOptions: 'AI_SEMANTIC_CACHE_INVALID_OPTIONS',
  embedFailed: 'AI_SEMANTIC_CACHE_EMBED_FAILED',
  invalidEmbedding: 'AI_SEMANTIC_CACHE_INVALID_EMBEDDING',
  storeFailed: 'AI_SEMANTIC_CACHE_STORE_FAILED',
} as const;

export type AiSemanticCacheErrorCode =
  (typeof AI_SEMANTIC_CACHE_ERROR_CODES)[keyof typeof AI_SEMANTIC_CACHE_ERROR_CODES];

const STATUS: Record<AiSemanticCacheErrorCode, number> = {
  AI_SEMANTIC_CACHE_INVALID_OPTIONS: 500,
  AI_SEMANTIC_CACHE_EMBED_FAILED: 502,
  AI_SEMANTIC_CACHE_INVALID_EMBEDDING: 502,
  AI_SEMANTIC_CACHE_STORE_FAILED: 503,
};

// A brand rather than `instanceof`, so two copies of the package still recognise each other's errors.
const BRAND = Symbol.for('plumego.x.ai.semanticcache.error');
const family = defineErrorFamily({
  name: 'AiSemanticCacheError',
  brand: BRAND,
  codes: AI_SEMANTIC_CACHE_ERROR_CODES,
  status: STATUS,
});

export class AiSemanticCacheError extends Error {
  declare readonly code: AiSemanticCacheErrorCode;
  declare readonly status: number;
  declare readonly details: Readonly<Record<string, unknown>>;
  readonly [BRAND] = true;

  constructor(code: AiSemanticCacheErrorCode, message: string, details: Record<string, unknown> = {}, cause?: unknown) {
    super(message, getErrorOptions(cause));
    family.stamp(this, code, details);
  }
}

export function isAiSemanticCacheError(value: unknown): value is AiSemanticCacheError {
  return family.is(value);
}
