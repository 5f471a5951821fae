/**
 * A whole-result cache of the API analysis, keyed by the content of every library source. Unlike the
 * import graph, an export's printed type can depend on any file it reaches, so per-file reuse would
 * be unsound; but an unchanged tree — the common case for `plumego check` run again, by the hook or
 * beside other tools — skips ts-morph entirely.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeCacheFile } from '../control-plane/write-cache-file.mjs';
import type { CodeSite } from '../evidence/scan-error-codes.ts';
import type { ModuleApi } from './model.ts';

/** Bump when the cached record shape changes (tool source changes invalidate on their own). */
const CACHE_FORMAT = 2;

export const API_CACHE_FILE = 'node_modules/.cache/plumego/api-analysis.json';

/** What the cache stores: the analysis minus its timings. */
export interface CachedAnalysis {
  readonly apis: readonly ModuleApi[];
  readonly printed: readonly string[];
  readonly codeSites: readonly CodeSite[];
}

interface CacheData extends CachedAnalysis {
  readonly format: number;
  readonly key: string;
}

// The sources whose change alters what the analysis produces: this folder and the code scan.
const TOOL_DIR = dirname(fileURLToPath(import.meta.url));
const TOOL_FILES = [`${TOOL_DIR}/extract.ts`, `${TOOL_DIR}/print.ts`, `${TOOL_DIR}/project.ts`, `${TOOL_DIR}/model.ts`, `${TOOL_DIR}/analyze.ts`, `${TOOL_DIR}/modules.ts`, `${TOOL_DIR}/read-analysis.ts`, `${TOOL_DIR}/../evidence/scan-error-codes.ts`];

/**
 * The key of one analysis request: tool sources, the request (ts-morph version and the modules: name,
 * entry, subpath, printed or not) and every non-test TypeScript file under `dirs` (the library root
 * and the reference services).
 */
export function getAnalysisKey(root: string, dirs: readonly string[], request: string, list: (root: string, dir: string) => string[]): string {
  const hash = createHash('sha1').update(`${CACHE_FORMAT}\n${request}\n`);
  for (const file of TOOL_FILES) hash.update(readFileSync(file));
  for (const dir of dirs) for (const file of list(root, dir)) hash.update(`\0${file}\0`).update(readFileSync(`${root}/${file}`));
  return hash.digest('base64url');
}

export function readAnalysisCache(path: string, key: string): CachedAnalysis | undefined {
  try {
    const data = JSON.parse(readFileSync(path, 'utf8')) as CacheData;
    return data.format === CACHE_FORMAT && data.key === key ? data : undefined;
  } catch {
    return undefined;
  }
}

/** Best effort: a read-only or missing node_modules only costs the next run its speed. */
export function writeAnalysisCache(path: string, key: string, analysis: CachedAnalysis): void {
  const data: CacheData = { format: CACHE_FORMAT, key, ...analysis };
  writeCacheFile(path, JSON.stringify(data));
}
