/**
 * The API analysis as the checks read it: memoized per plane and cached on disk. This module does
 * not load ts-morph; only a cache miss imports analyze.ts (about a second of start-up saved on every
 * warm `plumego check`).
 */
import type { ControlPlane } from '../control-plane/index.ts';
import { lookUpAnalysis, storeAnalysis, type CacheOptions } from './analysis-cache.ts';
import type { ApiAnalysis } from './model.ts';

export type { CacheOptions };

/** The default analysis of a plane, shared by the checks of one run and reused across runs. */
export async function readApiAnalysis(plane: ControlPlane, options: CacheOptions = {}): Promise<ApiAnalysis> {
  const lookup = lookUpAnalysis(plane, options);
  if (lookup.hit) return lookup.hit;
  const { analyzeApis } = await import('./analyze.ts');
  return storeAnalysis(plane, lookup, analyzeApis(plane));
}
