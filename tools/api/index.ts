/**
 * tools/api's public entry. ts-morph loads only when a function below that analyzes runs on a cache
 * miss, or when writeSnapshots/diffModules run: importing this file never loads it, so a warm
 * `plumego check` stays without it.
 */
import type { diffModules as DiffModules } from './diff-modules.ts';
import type { writeSnapshots as WriteSnapshots } from './write-snapshots.ts';

export { BadRefError } from './bad-ref-error.ts';
export { checkEntrypoints } from './check-entrypoints.ts';
export { checkApiSnapshots, getSnapshotState, type SnapshotState } from './check-snapshots.ts';
export type { DiffResult, ModuleDiff } from './diff-modules.ts';
export type { ApiAnalysis, ModuleApi } from './model.ts';
export { getApiModules, getFileOwner, needsSnapshot } from './modules.ts';
export { readApiAnalysis, type CacheOptions } from './read-analysis.ts';
export type { CodeSite } from './scan-error-codes.ts';
export { getSnapshotPath } from './snapshot.ts';

/** Writes the API snapshots of `modules` (loads ts-morph). */
export async function writeSnapshots(
  ...args: Parameters<typeof WriteSnapshots>
): Promise<ReturnType<typeof WriteSnapshots>> {
  return (await import('./write-snapshots.ts')).writeSnapshots(...args);
}

/** Classifies each module's API change against its snapshot (loads ts-morph). */
export async function diffModules(...args: Parameters<typeof DiffModules>): Promise<ReturnType<typeof DiffModules>> {
  return (await import('./diff-modules.ts')).diffModules(...args);
}
