// Types of caches.mjs (plain JavaScript: the launcher and the extraction worker use it too).
export interface CacheEntry {
  readonly name: string;
  /** Relative to the package root (cli, v8) or to the checked repository (specs, graph, api). */
  readonly path: string;
  readonly format: number;
  /** Why the cache exists: what it saves and where. */
  readonly why: string;
}
export declare const CACHE_DIR: string;
export declare const CACHES: {
  readonly cli: CacheEntry;
  readonly specs: CacheEntry;
  readonly graph: CacheEntry;
  readonly v8: CacheEntry;
  readonly api: CacheEntry;
};
export declare function hashText(text: string | NodeJS.ArrayBufferView): string;
export declare function cacheKey(cache: CacheEntry, inputs: Iterable<string | NodeJS.ArrayBufferView>): string;
