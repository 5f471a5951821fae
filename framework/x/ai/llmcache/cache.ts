import {
  AI_PROVIDER_ERROR_CODES,
  AiProviderError,
  type CallOptions,
  type CompletionRequest,
  type CompletionResponse,
  type StopReason,
  type StreamEvent,
} from 'plumego/x/ai/provider';
import { AI_LLMCACHE_ERROR_CODES, AiLlmCacheError } from './errors.ts';
import { computeCacheKey, taskOf } from './key.ts';

/** What the cache wraps: a provider, a provider manager, or anything with the same two calls. */
export interface CompletionSource {
  readonly name?: string;
  complete(request: CompletionRequest, options?: CallOptions): Promise<CompletionResponse>;
  stream(request: CompletionRequest, options?: CallOptions): AsyncIterable<StreamEvent>;
}

/** The wrapped source: same calls, answered from the cache when the exact request was answered before. */
export interface CachedSource {
  readonly name: string;
  complete(request: CompletionRequest, options?: CallOptions): Promise<CompletionResponse>;
  stream(request: CompletionRequest, options?: CallOptions): AsyncGenerator<StreamEvent>;
}

export interface LlmCacheOptions {
  /** Entries kept; the least recently used goes first. Default 1 000. */
  maxEntries?: number;
  /** Bound on the stored answers' size (UTF-16 length of their JSON, ≈ bytes for ASCII). Default 32 MiB. */
  maxBytes?: number;
  /** Time to live of an entry. Default 1 hour. */
  ttlMs?: number;
  /** Answers stored only with these stop reasons. Default `['end', 'stop_sequence']` (never `tool_calls`, truncated or refused answers). */
  cacheableStopReasons?: readonly StopReason[];
  /** Clock, for tests. Default `Date.now`. */
  now?: () => number;
}

export interface LlmCacheStats {
  hits: number;
  misses: number;
  stores: number;
  /** Entries dropped for size (count or bytes). */
  evictions: number;
  /** Entries found past their TTL. */
  expired: number;
  entries: number;
  bytes: number;
}

interface Entry {
  response: CompletionResponse;
  /** The text as the upstream streamed it, so a replay has the same pieces; absent for `complete` answers. */
  chunks: readonly string[] | undefined;
  expiresAt: number;
  bytes: number;
}

const DEFAULT_LLM_CACHE = { maxEntries: 1_000, maxBytes: 32 * 1024 * 1024, ttlMs: 3_600_000 } as const;
const DEFAULT_CACHEABLE: readonly StopReason[] = ['end', 'stop_sequence'];
// More pieces than this are merged for the replay: an entry's size stays close to its text's.
const MAX_CHUNKS = 4_096;

function positiveInteger(value: number, name: string): number {
  if (!Number.isInteger(value) || value <= 0)
    throw new AiLlmCacheError(AI_LLMCACHE_ERROR_CODES.invalidOptions, `llmcache: ${name} must be a positive integer`);
  return value;
}

function aborted(source: string): AiProviderError {
  return new AiProviderError(AI_PROVIDER_ERROR_CODES.aborted, `${source}: call aborted by the caller`, {
    provider: source,
  });
}

/**
 * Exact-match response cache: the same provider, model, messages, tools and parameters get the stored answer
 * without a call. Errors are never stored (they are thrown before there is anything to store), nor answers
 * waiting on tool calls, nor answers whose stop reason is not listed. A hit reports zero usage — no tokens
 * were spent on it.
 */
export class LlmCache {
  readonly #entries = new Map<string, Entry>();
  readonly #maxEntries: number;
  readonly #maxBytes: number;
  readonly #ttlMs: number;
  readonly #cacheable: ReadonlySet<StopReason>;
  readonly #now: () => number;
  #bytes = 0;
  #stats = { hits: 0, misses: 0, stores: 0, evictions: 0, expired: 0 };

  constructor(options: LlmCacheOptions = {}) {
    this.#maxEntries = positiveInteger(options.maxEntries ?? DEFAULT_LLM_CACHE.maxEntries, 'maxEntries');
    this.#maxBytes = positiveInteger(options.maxBytes ?? DEFAULT_LLM_CACHE.maxBytes, 'maxBytes');
    this.#ttlMs = positiveInteger(options.ttlMs ?? DEFAULT_LLM_CACHE.ttlMs, 'ttlMs');
    this.#cacheable = new Set(options.cacheableStopReasons ?? DEFAULT_CACHEABLE);
    if (this.#cacheable.has('tool_calls'))
      throw new AiLlmCacheError(
        AI_LLMCACHE_ERROR_CODES.invalidOptions,
        'llmcache: tool_calls answers wait on tools and cannot be cached',
      );
    this.#now = options.now ?? Date.now;
  }

  /** Wraps a source; `namespace` (default the source's name) separates providers that share model names. */
  wrap(source: CompletionSource, namespace = source.name): CachedSource {
    if (typeof source?.complete !== 'function' || typeof source.stream !== 'function')
      throw new AiLlmCacheError(
        AI_LLMCACHE_ERROR_CODES.invalidOptions,
        'llmcache: source must have complete and stream',
      );
    if (typeof namespace !== 'string' || namespace === '')
      throw new AiLlmCacheError(
        AI_LLMCACHE_ERROR_CODES.invalidOptions,
        'llmcache: a namespace is required when the source has no name',
      );
    return {
      name: namespace,
      complete: (request, options) => this.#complete(source, namespace, request, options),
      stream: (request, options) => this.#stream(source, namespace, request, options),
    };
  }

  async #complete(
    source: CompletionSource,
    namespace: string,
    request: CompletionRequest,
    options: CallOptions | undefined,
  ): Promise<CompletionResponse> {
    const key = computeCacheKey(namespace, request, taskOf(options));
    const hit = this.#lookup(key);
    if (hit) {
      if (options?.signal?.aborted) throw aborted(namespace);
      return toHit(hit.response);
    }
    const response = await source.complete(request, options);
    this.#store(key, response, undefined);
    return response;
  }

  async *#stream(
    source: CompletionSource,
    namespace: string,
    request: CompletionRequest,
    options: CallOptions | undefined,
  ): AsyncGenerator<StreamEvent> {
    const key = computeCacheKey(namespace, request, taskOf(options));
    const hit = this.#lookup(key);
    if (hit) {
      for (const text of hit.chunks ?? (hit.response.text === '' ? [] : [hit.response.text])) {
        if (options?.signal?.aborted) throw aborted(namespace);
        yield { type: 'text', text };
      }
      if (options?.signal?.aborted) throw aborted(namespace);
      yield { type: 'done', response: toHit(hit.response) };
      return;
    }
    const chunks: string[] = [];
    for await (const event of source.stream(request, options)) {
      if (event.type === 'text') chunks.push(event.text);
      // Stored before `done` is handed on: a consumer that stops right after it still leaves a complete entry.
      else if (event.type === 'done') this.#store(key, event.response, chunks);
      yield event;
    }
  }

  /** Drops every entry (statistics are kept). */
  clear(): void {
    this.#entries.clear();
    this.#bytes = 0;
  }

  stats(): LlmCacheStats {
    return { ...this.#stats, entries: this.#entries.size, bytes: this.#bytes };
  }

  #lookup(key: string): Entry | undefined {
    const entry = this.#entries.get(key);
    if (entry && entry.expiresAt <= this.#now()) {
      this.#remove(key, entry);
      this.#stats.expired++;
    } else if (entry) {
      // Map order is the LRU order: a hit moves to the back.
      this.#entries.delete(key);
      this.#entries.set(key, entry);
      this.#stats.hits++;
      return entry;
    }
    this.#stats.misses++;
    return undefined;
  }

  #store(key: string, response: CompletionResponse, chunks: string[] | undefined): void {
    if (response.toolCalls.length > 0 || !this.#cacheable.has(response.stopReason)) return;
    const pieces = chunks && chunks.join('') === response.text ? mergeChunks(chunks) : undefined;
    const bytes = JSON.stringify(response).length + (pieces ? response.text.length + pieces.length * 8 : 0);
    if (bytes > this.#maxBytes) return;
    const old = this.#entries.get(key);
    if (old) this.#remove(key, old);
    // A copy: the caller may change the answer it was handed.
    this.#entries.set(key, {
      response: structuredClone(response),
      chunks: pieces,
      expiresAt: this.#now() + this.#ttlMs,
      bytes,
    });
    this.#bytes += bytes;
    this.#stats.stores++;
    for (const [k, e] of this.#entries) {
      if (this.#entries.size <= this.#maxEntries && this.#bytes <= this.#maxBytes) break;
      this.#remove(k, e);
      this.#stats.evictions++;
    }
  }

  #remove(key: string, entry: Entry): void {
    this.#entries.delete(key);
    this.#bytes -= entry.bytes;
  }
}

function mergeChunks(chunks: readonly string[]): string[] {
  if (chunks.length <= MAX_CHUNKS) return [...chunks];
  const size = Math.ceil(chunks.length / MAX_CHUNKS);
  const merged: string[] = [];
  for (let i = 0; i < chunks.length; i += size) merged.push(chunks.slice(i, i + size).join(''));
  return merged;
}

function toHit(response: CompletionResponse): CompletionResponse {
  return { ...structuredClone(response), usage: { inputTokens: 0, outputTokens: 0 } };
}

export function createLlmCache(options?: LlmCacheOptions): LlmCache {
  return new LlmCache(options);
}
