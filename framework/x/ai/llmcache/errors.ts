import { defineErrorFamily } from 'plumego/contract';

/** Stable codes for the exact-match cache. */
export const AI_LLMCACHE_ERROR_CODES = {
  invalidOptions: 'AI_LLMCACHE_INVALID_OPTIONS',
} as const;

export type AiLlmCacheErrorCode = (typeof AI_LLMCACHE_ERROR_CODES)[keyof typeof AI_LLMCACHE_ERROR_CODES];

// A brand rather than `instanceof`, so two copies of the package still recognise each other's errors.
const BRAND = Symbol.for('plumego.x.ai.llmcache.error');
const family = defineErrorFamily({
  name: 'AiLlmCacheError',
  brand: BRAND,
  codes: AI_LLMCACHE_ERROR_CODES,
  status: { AI_LLMCACHE_INVALID_OPTIONS: 500 },
});

export class AiLlmCacheError extends Error {
  declare readonly code: AiLlmCacheErrorCode;
  declare readonly status: number;
  readonly [BRAND] = true;

  constructor(code: AiLlmCacheErrorCode, message: string) {
    super(message);
    family.stamp(this, code);
  }
}

export function isAiLlmCacheError(value: unknown): value is AiLlmCacheError {
  return family.is(value);
}
