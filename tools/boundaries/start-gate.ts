/**
 * The check command's early start as one handle. Before the specs are loaded, dependency-cruiser
 * starts loading on a worker thread (about a second of module loading, on the second core) while
 * this thread stats the files against the graph cache; the worker is stopped at once when the cache
 * says nothing needs extracting. The gate takes the handle as it is (`start` in its options).
 */
import { existsSync } from 'node:fs';
import { startWorkerExtractor, type Extractor } from './extractor.ts';
import { peekGraphCache, type GraphCacheSnapshot } from './graph-cache.ts';
import { listSourceFiles } from './scan-files.ts';

export interface BoundaryStart {
  /** Where dependency-cruiser runs: the worker started early, when extraction looks needed (absent: this thread). */
  readonly extractor?: Extractor;
  /** The graph cache and file stamps as read before the specs, so the gate does not read them again. */
  readonly graphCache?: GraphCacheSnapshot;
  /** Stops the worker, if one runs; call once the run is over. */
  close(): Promise<void>;
}

/**
 * Starts the boundary gate of the repository at `root` early, or returns undefined when it has no
 * specs/repo.yaml (then the run fails on configuration before the gate could use it).
 * `cache: false` (--no-cache) skips the peek: everything is extracted anyway.
 */
export function startBoundaryGate(root: string, options: { readonly cache: boolean }): BoundaryStart | undefined {
  if (!existsSync(`${root}/specs/repo.yaml`)) return undefined;
  let extractor: Extractor | undefined = startWorkerExtractor({ preload: true, root });
  let graphCache: GraphCacheSnapshot | undefined;
  if (options.cache) {
    const peek = peekGraphCache(root, (roots) => listSourceFiles(root, roots));
    graphCache = peek.snapshot;
    if (!peek.needed) {
      void extractor.close();
      extractor = undefined;
    }
  }
  return {
    ...(extractor ? { extractor } : {}),
    ...(graphCache ? { graphCache } : {}),
    close: async () => {
      await extractor?.close();
    },
  };
}
