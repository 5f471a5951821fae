/**
 * A whole-result cache of the API analysis, keyed by the content of every library source. Unlike the
 * import graph, an export's printed type can depend on any file it reaches, so per-file reuse would
 * be unsound; but an unchanged tree — the common case for `plumego check` run again, by the hook or
 * beside other tools — skips ts-morph entirely.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CACHES, cacheKey, writeCacheFile } from '../cache/index.ts';
import type { ControlPlane } from '../control-plane/index.ts';
import type { ApiAnalysis, ModuleApi } from './model.ts';
import { getApiModules, listSources, needsSnapshot } from './modules.ts';
import type { CodeSite } from './scan-error-codes.ts';

const CACHE_FORMAT = CACHES.api.format;

export const API_CACHE_FILE = CACHES.api.path;

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

// The sources whose change alters what the analysis produces: every non-test file of this folder.
const TOOL_DIR = dirname(fileURLToPath(import.meta.url));
const listToolFiles = (): string[] =>
  readdirSync(TOOL_DIR)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    .sort();

/**
 * The key of one analysis request: tool sources, the request (ts-morph version and the modules: name,
 * entry, subpath, printed or not) and every non-test TypeScript file under `dirs` (the library root
 * and the reference services).
 */
export function getAnalysisKey(
  root: string,
  dirs: readonly string[],
  request: string,
  list: (root: string, dir: string) => string[],
): string {
  function* inputs(): Generator<string | Buffer> {
    yield request;
    for (const file of listToolFiles()) yield* [file, readFileSync(`${TOOL_DIR}/${file}`)];
    for (const dir of dirs) for (const file of list(root, dir)) yield* [file, readFileSync(`${root}/${file}`)];
  }
  return cacheKey(CACHES.api, inputs());
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

const memo = new WeakMap<ControlPlane, ApiAnalysis>();

export interface CacheOptions {
  /** Reuse and update node_modules/.cache/plumego/api-analysis.json (default true; --no-cache turns it off). */
  readonly cache?: boolean;
}

interface Lookup {
  readonly key: string;
  readonly path: string;
  readonly hit?: ApiAnalysis;
}

/** The memoized or on-disk analysis of a plane, if there is one, and the key a fresh one is stored under. */
export function lookUpAnalysis(plane: ControlPlane, options: CacheOptions): Lookup {
  const known = memo.get(plane);
  if (known) return { key: '', path: '', hit: known };
  if (options.cache === false) return { key: '', path: '' };
  const request = getApiModules(plane)
    .map((m) => `${m.name} ${m.entry} ${m.importSpecifier ?? ''} ${needsSnapshot(plane, m)}`)
    .join('\n');
  const dirs = [
    plane.repo.identity.library_root,
    ...plane.modules.filter((m) => m.layer === 'reference').map((m) => m.path),
  ];
  const tsMorph = plane.packageJson.dependencies?.['ts-morph'] ?? plane.packageJson.devDependencies?.['ts-morph'] ?? '';
  const key = getAnalysisKey(plane.root, dirs, `${tsMorph}\n${request}`, listSources);
  const path = `${plane.root}/${API_CACHE_FILE}`;
  const data = readAnalysisCache(path, key);
  const hit: ApiAnalysis | undefined = data && {
    apis: new Map(data.apis.map((a) => [a.module, a])),
    printed: new Set(data.printed),
    codeSites: data.codeSites,
    cached: true,
    timings: { loadMs: 0, extractMs: 0, files: 0 },
  };
  if (hit) memo.set(plane, hit);
  return { key, path, ...(hit ? { hit } : {}) };
}

/** Remembers a fresh analysis for this plane and, when a key was computed, on disk. */
export function storeAnalysis(plane: ControlPlane, lookup: Lookup, analysis: ApiAnalysis): ApiAnalysis {
  if (lookup.key)
    writeAnalysisCache(lookup.path, lookup.key, {
      apis: [...analysis.apis.values()],
      printed: [...analysis.printed],
      codeSites: analysis.codeSites,
    });
  memo.set(plane, analysis);
  return analysis;
}
