import type { CompletionResponse } from 'plumego/x/ai/provider';
import { AI_SEMANTIC_CACHE_ERROR_CODES, AiSemanticCacheError } from './errors.ts';
import { dot } from './vector.ts';

export interface SemanticCacheEntry {
  /** Same partition and same prompt text → same id: storing again replaces. */
  id: string;
  /** Everything that must match exactly (embedder, provider, model, system prompt, tools, parameters), hashed. */
  partition: string;
  /** Normalized (length 1). */
  vector: Float32Array;
  response: CompletionResponse;
  /** Epoch ms. */
  expiresAt: number;
}

export interface SemanticMatch {
  response: CompletionResponse;
  /** Cosine similarity to the query, in [-1, 1]. */
  score: number;
}

/** Where entries live; every implementation passes the one suite in store.test.ts. */
export interface SemanticCacheStore {
  /** The closest unexpired entry of `partition` with the query's length and a score ≥ `threshold`. */
  search(partition: string, vector: Float32Array, threshold: number, now: number): Promise<SemanticMatch | undefined>;
  put(entry: SemanticCacheEntry, now: number): Promise<void>;
  size(): Promise<number>;
  clear(): Promise<void>;
}

export interface MemorySemanticStoreOptions {
  /** Entries kept; the oldest goes first. Default 10 000. */
  maxEntries?: number;
}

/**
 * In-process vector index: a linear scan of the partition per lookup — O(n·d) multiply-adds for n entries of
 * d dimensions, ~1.5 M for 1 000 entries of 1 536 — exact, with no index to build or tune.
 */
export class MemorySemanticStore implements SemanticCacheStore {
  readonly #all = new Map<string, SemanticCacheEntry>();
  readonly #partitions = new Map<string, Map<string, SemanticCacheEntry>>();
  readonly #maxEntries: number;

  constructor(options: MemorySemanticStoreOptions = {}) {
    this.#maxEntries = options.maxEntries ?? 10_000;
    if (!Number.isInteger(this.#maxEntries) || this.#maxEntries <= 0)
      throw new AiSemanticCacheError(
        AI_SEMANTIC_CACHE_ERROR_CODES.invalidOptions,
        'memory store: maxEntries must be a positive integer',
      );
  }

  async search(
    partition: string,
    vector: Float32Array,
    threshold: number,
    now: number,
  ): Promise<SemanticMatch | undefined> {
    let best: SemanticMatch | undefined;
    for (const entry of this.#partitions.get(partition)?.values() ?? []) {
      if (entry.expiresAt <= now) {
        this.#remove(entry);
        continue;
      }
      if (entry.vector.length !== vector.length) continue;
      const score = dot(entry.vector, vector);
      if (score >= threshold && (best === undefined || score > best.score)) best = { response: entry.response, score };
    }
    return best && { response: structuredClone(best.response), score: best.score };
  }

  async put(entry: SemanticCacheEntry): Promise<void> {
    const old = this.#all.get(entry.id);
    if (old) this.#remove(old);
    const stored = { ...entry, response: structuredClone(entry.response) };
    this.#all.set(entry.id, stored);
    let partition = this.#partitions.get(entry.partition);
    if (!partition) this.#partitions.set(entry.partition, (partition = new Map()));
    partition.set(entry.id, stored);
    for (const oldest of this.#all.values()) {
      if (this.#all.size <= this.#maxEntries) break;
      this.#remove(oldest);
    }
  }

  async size(): Promise<number> {
    return this.#all.size;
  }

  async clear(): Promise<void> {
    this.#all.clear();
    this.#partitions.clear();
  }

  #remove(entry: SemanticCacheEntry): void {
    this.#all.delete(entry.id);
    const partition = this.#partitions.get(entry.partition);
    partition?.delete(entry.id);
    if (partition?.size === 0) this.#partitions.delete(entry.partition);
  }
}
