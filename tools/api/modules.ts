/** Which modules have an API, who owns a file, which sources count: pure helpers without ts-morph. */
import { existsSync, readdirSync } from 'node:fs';
import type { ControlPlane, Module } from '../control-plane/index.ts';
import { getSnapshotPath } from './snapshot.ts';

export const LIBRARY_LAYERS = new Set<Module['layer']>(['stable', 'extension', 'facade']);

/** Modules with a public API: implemented library modules (the facade, stable roots, x/*). */
export function getApiModules(plane: ControlPlane): Module[] {
  return plane.modules.filter((m) => LIBRARY_LAYERS.has(m.layer) && m.implemented);
}

/**
 * Whether a module's signatures must be printed: beta and ga modules need a snapshot as evidence,
 * and an experimental module that chose to keep one must keep it fresh. Every other module gets only
 * its export names — the cheap part.
 */
export function needsSnapshot(plane: ControlPlane, m: Module): boolean {
  return m.tier !== 'experimental' || existsSync(`${plane.root}/${getSnapshotPath(m.path)}`);
}

/** The module a repository-relative file belongs to: the deepest module directory that holds it. */
export function getFileOwner(plane: ControlPlane, file: string): Module | undefined {
  let best: Module | undefined;
  for (const m of plane.modules) {
    if (!LIBRARY_LAYERS.has(m.layer) && m.layer !== 'tooling' && m.layer !== 'reference') continue;
    if ((file === m.path || file.startsWith(`${m.path}/`)) && (!best || m.path.length > best.path.length)) best = m;
  }
  return best;
}

/** Non-test TypeScript sources (the same filter the cache key uses). */
export function isScannedSource(file: string): boolean {
  return /\.(ts|mts|cts)$/.test(file) && !/\.test\.ts$|\/fixtures\/|node_modules\//.test(file);
}

/** The reference services' sources, repository-relative. */
export function getReferenceSources(plane: ControlPlane): string[] {
  return plane.modules.filter((m) => m.layer === 'reference').flatMap((m) => listSources(plane.root, m.path));
}

export function listSources(root: string, dir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(`${root}/${dir}`, { recursive: true, encoding: 'utf8' });
  } catch {
    return [];
  }
  return entries
    .map((f) => `${dir}/${f.replaceAll('\\', '/')}`)
    .filter(isScannedSource)
    .sort();
}
