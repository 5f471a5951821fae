import { createHash } from 'node:crypto';
import { canonicalJson, taskOf, type CachedSource, type CompletionSource } from 'plumego/x/ai/llmcache';
import {
  AI_PROVIDER_ERROR_CODES,
  AiProviderError,
  type CallOptions,
  type CompletionRequest,
  type CompletionResponse,
  type StopReason,
  type StreamEvent,
} from 'plumego/x/ai/provider';
import { AI_SEMANTIC_CACHE_ERROR_CODES, AiSemanticCacheError, isAiSemanticCacheError } from './errors.ts';
import { MemorySemanticStore, type SemanticCacheStore } from './store.ts';
import { normalizeVector, type Embedder } from './vector.ts';

/** What the cache wraps: the same shape as the exact-match cache's (a provider, a manager, …). */
export type SemanticSource = CompletionSource;

/** The wrapped source, answered from the cache when a close enough prompt was answered before. */
export type SemanticCachedSource = CachedSource;

export interface SemanticCacheOptions {
  embedder: Embedder;
  /** Default an in-memory store (`MemorySemanticStore`). */
  store?: SemanticCacheStore;
  /** Cosine similarity a stored prompt needs to answer a new one, in (0, 1]. Default 0.95. */
  threshold?: number;
  /** Default 1 hour. */
  ttlMs?: number;
  /** Default `['end', 'stop_sequence']`; `tool_calls` is refused. */
  cacheableStopReasons?: readonly StopReason[];
  /** Told about embedder and store failures (the call itself goes on to the provider). */
  onError?: (error: AiSemanticCacheError) => void;
  /** Clock, for tests. Default `Date.now`. */
  now?: () => number;
}

export interface SemanticCacheStats {
  hits: number;
  misses: number;
  stores: number;
  /** Calls that cannot be cached by meaning (more than one user turn) and went straight through. */
  bypassed: number;
  /** Embedder or store failures; each such call was answered by the provider. */
  errors: number;
}

interface Plan {
  partition: string;
  id: string;
  text: string;
}

const DEFAULT_SEMANTIC_CACHE = { threshold: 0.95, ttlMs: 3_600_000 } as const;
const DEFAULT_CACHEABLE: readonly StopReason[] = ['end', 'stop_sequence'];

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * Answers a single-turn question from a stored answer to a question that means the same: the prompt is
 * embedded, and the closest stored prompt with cosine ≥ `threshold` *in the same partition* answers. The
 * partition is everything else of the request, matched exactly — embedder, provider, model, system
 * messages, tools, tool choice, structured output and every parameter — so an answer is never reused for
 * another model, tool set or instruction. Failures of the embedder or the store fail open: the provider
 * answers, `stats().errors` counts, `onError` hears.
 */
export class SemanticCache {
  readonly #embedder: Embedder;
  readonly #store: SemanticCacheStore;
  readonly #threshold: number;
  readonly #ttlMs: number;
  readonly #cacheable: ReadonlySet<StopReason>;
  readonly #onError: ((error: AiSemanticCacheError) => void) | undefined;
  readonly #now: () => number;
  readonly #stats: SemanticCacheStats = { hits: 0, misses: 0, stores: 0, bypassed: 0, errors: 0 };

  constructor(options: SemanticCacheOptions) {
    const bad = (what: string) =>
      new AiSemanticCacheError(AI_SEMANTIC_CACHE_ERROR_CODES.invalidOptions, `semantic cache: ${what}`);
    if (
      typeof options?.embedder?.embed !== 'function' ||
      typeof options.embedder.name !== 'string' ||
      options.embedder.name === ''
    )
      throw bad('embedder must have a name and embed(texts)');
    this.#threshold = options.threshold ?? DEFAULT_SEMANTIC_CACHE.threshold;
    if (!(Number.isFinite(this.#threshold) && this.#threshold > 0 && this.#threshold <= 1))
      throw bad('threshold must be in (0, 1]');
    this.#ttlMs = options.ttlMs ?? DEFAULT_SEMANTIC_CACHE.ttlMs;
    if (!(Number.isInteger(this.#ttlMs) && this.#ttlMs > 0)) throw bad('ttlMs must be a positive integer');
    this.#cacheable = new Set(options.cacheableStopReasons ?? DEFAULT_CACHEABLE);
    if (this.#cacheable.has('tool_calls')) throw bad('tool_calls answers wait on tools and cannot be cached');
    if (
      options.store !== undefined &&
      (typeof options.store.search !== 'function' || typeof options.store.put !== 'function')
    )
      throw bad('store must have search and put');
    this.#embedder = options.embedder;
    this.#store = options.store ?? new MemorySemanticStore();
    this.#onError = options.onError;
    this.#now = options.now ?? Date.now;
  }

  stats(): SemanticCacheStats {
    return { ...this.#stats };
  }

  wrap(source: SemanticSource, namespace = source.name): SemanticCachedSource {
    const bad = (what: string) =>
      new AiSemanticCacheError(AI_SEMANTIC_CACHE_ERROR_CODES.invalidOptions, `semantic cache: ${what}`);
    if (typeof source?.complete !== 'function' || typeof source.stream !== 'function')
      throw bad('source must have complete and stream');
    if (typeof namespace !== 'string' || namespace === '')
      throw bad('a namespace is required when the source has no name');
    return {
      name: namespace,
      complete: (request, options) => this.#complete(source, namespace, request, options),
      stream: (request, options) => this.#stream(source, namespace, request, options),
    };
  }

  async #complete(
    source: SemanticSource,
    namespace: string,
    request: CompletionRequest,
    options: CallOptions | undefined,
  ): Promise<CompletionResponse> {
    const plan = this.#plan(namespace, request, taskOf(options));
    const found = plan && (await this.#lookup(plan, options?.signal));
    if (found?.response) {
      if (options?.signal?.aborted) throw aborted(namespace);
      return toHit(found.response);
    }
    const response = await source.complete(request, options);
    if (plan && found?.vector) await this.#put(plan, found.vector, response);
    return response;
  }

  async *#stream(
    source: SemanticSource,
    namespace: string,
    request: CompletionRequest,
    options: CallOptions | undefined,
  ): AsyncGenerator<StreamEvent> {
    const plan = this.#plan(namespace, request, taskOf(options));
    const found = plan && (await this.#lookup(plan, options?.signal));
    if (found?.response) {
      const hit = toHit(found.response);
      if (hit.text !== '') {
        if (options?.signal?.aborted) throw aborted(namespace);
        yield { type: 'text', text: hit.text };
      }
      if (options?.signal?.aborted) throw aborted(namespace);
      yield { type: 'done', response: hit };
      return;
    }
    for await (const event of source.stream(request, options)) {
      if (event.type === 'done' && plan && found?.vector) await this.#put(plan, found.vector, event.response);
      yield event;
    }
  }

  /** Only a single user turn (after any system messages) is matched by meaning; anything else goes through. */
  #plan(namespace: string, request: CompletionRequest, task: string | undefined): Plan | undefined {
    const turns = request.messages.filter((m) => m.role !== 'system');
    const only = turns[0];
    if (turns.length !== 1 || only?.role !== 'user' || only.content.trim() === '') {
      this.#stats.bypassed++;
      return undefined;
    }
    const { messages, ...rest } = request;
    const system = messages.filter((m) => m.role === 'system');
    const partition = sha256(
      canonicalJson({ v: 1, embedder: this.#embedder.name, namespace, request: rest, system, task }),
    );
    return { partition, id: sha256(`${partition}\n${only.content}`), text: only.content };
  }

  async #lookup(
    plan: Plan,
    signal: AbortSignal | undefined,
  ): Promise<{ vector?: Float32Array; response?: CompletionResponse }> {
    let vector: Float32Array;
    try {
      vector = await this.#embed(plan.text, signal);
    } catch (error) {
      // The caller gave up: not the embedder's failure, and the provider call will say so.
      if (!signal?.aborted) this.#fail(error, AI_SEMANTIC_CACHE_ERROR_CODES.embedFailed, 'the embedder failed');
      return {};
    }
    try {
      const match = await this.#store.search(plan.partition, vector, this.#threshold, this.#now());
      if (match) {
        this.#stats.hits++;
        return { vector, response: match.response };
      }
    } catch (error) {
      this.#fail(error, AI_SEMANTIC_CACHE_ERROR_CODES.storeFailed, 'the semantic cache store failed');
      // No write either: a store that cannot search is not trusted to store.
      return {};
    }
    this.#stats.misses++;
    return { vector };
  }

  async #embed(text: string, signal: AbortSignal | undefined): Promise<Float32Array> {
    const vectors = await this.#embedder.embed([text], signal ? { signal } : {});
    if (!Array.isArray(vectors) || vectors.length !== 1)
      throw new AiSemanticCacheError(
        AI_SEMANTIC_CACHE_ERROR_CODES.invalidEmbedding,
        'the embedder must return one vector per text',
      );
    return normalizeVector(vectors[0]);
  }

  async #put(plan: Plan, vector: Float32Array, response: CompletionResponse): Promise<void> {
    if (response.toolCalls.length > 0 || !this.#cacheable.has(response.stopReason)) return;
    const now = this.#now();
    try {
      await this.#store.put(
        { id: plan.id, partition: plan.partition, vector, response, expiresAt: now + this.#ttlMs },
        now,
      );
      this.#stats.stores++;
    } catch (error) {
      this.#fail(error, AI_SEMANTIC_CACHE_ERROR_CODES.storeFailed, 'the semantic cache store failed');
    }
  }

  #fail(error: unknown, code: AiSemanticCacheError['code'], message: string): void {
    this.#stats.errors++;
    this.#onError?.(isAiSemanticCacheError(error) ? error : new AiSemanticCacheError(code, message, {}, error));
  }
}

function aborted(source: string): AiProviderError {
  return new AiProviderError(AI_PROVIDER_ERROR_CODES.aborted, `${source}: call aborted by the caller`, {
    provider: source,
  });
}

function toHit(response: CompletionResponse): CompletionResponse {
  return { ...structuredClone(response), usage: { inputTokens: 0, outputTokens: 0 } };
}

export function createSemanticCache(options: SemanticCacheOptions): SemanticCache {
  return new SemanticCache(options);
}
