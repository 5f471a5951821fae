/**
 * The API analysis as the checks read it: memoized per plane and cached on disk. This module does
 * not load ts-morph; only a cache miss imports analyze.ts (about a second of start-up saved on every
 * warm `plumego check`).
 */
import type { ControlPlane } from '../control-plane/index.ts';
import { API_CACHE_FILE, getAnalysisKey, readAnalysisCache, writeAnalysisCache } from './analysis-cache.ts';
import type { ApiAnalysis } from './analyze.ts';
import { getApiModules, listSources, needsSnapshot } from './modules.ts';

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
  const request = getApiModules(plane).map((m) => `${m.name} ${m.entry} ${m.importSpecifier ?? ''} ${needsSnapshot(plane, m)}`).join('\n');
  const dirs = [plane.repo.identity.library_root, ...plane.modules.filter((m) => m.layer === 'reference').map((m) => m.path)];
  const tsMorph = plane.packageJson.dependencies?.['ts-morph'] ?? plane.packageJson.devDependencies?.['ts-morph'] ?? '';
  const key = getAnalysisKey(plane.root, dirs, `${tsMorph}\n${request}`, listSources);
  const path = `${plane.root}/${API_CACHE_FILE}`;
  const data = readAnalysisCache(path, key);
  const hit: ApiAnalysis | undefined = data && {
    apis: new Map(data.apis.map((a) => [a.module, a])), printed: new Set(data.printed), codeSites: data.codeSites, cached: true, timings: { loadMs: 0, extractMs: 0, files: 0 },
  };
  if (hit) memo.set(plane, hit);
  return { key, path, ...(hit ? { hit } : {}) };
}

/** Remembers a fresh analysis for this plane and, when a key was computed, on disk. */
export function storeAnalysis(plane: ControlPlane, lookup: Lookup, analysis: ApiAnalysis): ApiAnalysis {
  if (lookup.key) writeAnalysisCache(lookup.path, lookup.key, { apis: [...analysis.apis.values()], printed: [...analysis.printed], codeSites: analysis.codeSites });
  memo.set(plane, analysis);
  return analysis;
}

/** The default analysis of a plane, shared by the checks of one run and reused across runs. */
export async function readApiAnalysis(plane: ControlPlane, options: CacheOptions = {}): Promise<ApiAnalysis> {
  const lookup = lookUpAnalysis(plane, options);
  if (lookup.hit) return lookup.hit;
  const { analyzeApis } = await import('./analyze.ts');
  return storeAnalysis(plane, lookup, analyzeApis(plane));
}
