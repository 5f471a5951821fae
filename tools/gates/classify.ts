/**
 * Changed files → facts about the diff: each file's area and/or owning module, the distinct modules,
 * and whether a public API changed (a module's index.ts, or its manifest's public_entrypoints).
 */
import type { ControlPlane, Module } from '../control-plane/index.ts';
import { getAreaRules } from './areas.ts';
import { matchGlob } from './glob.ts';

/** The part of the control plane gate selection reads; tests pass fixture planes of this shape. */
export type GatePlane = Pick<ControlPlane, 'modules' | 'gateProfiles'>;

export interface ChangeSet {
  /** Repository-relative paths (forward slashes) of added, modified, deleted or renamed files. */
  readonly files: readonly string[];
  /** Manifest files (module.yaml) whose public_entrypoints differ between the base and the working tree. */
  readonly entrypointChanges?: readonly string[];
}

export interface ClassifiedFile {
  readonly path: string;
  readonly area?: string;
  readonly module?: string;
  /** The file is a module's public entry (index.ts) or a manifest whose public_entrypoints changed. */
  readonly publicApi: boolean;
}

export interface DiffFacts {
  readonly files: readonly ClassifiedFile[];
  /** Distinct changed modules, sorted by name. */
  readonly modules: readonly Module[];
  readonly areas: readonly string[];
  /** Modules whose public API changed. */
  readonly publicApi: readonly string[];
  /** Files in no area and no module. */
  readonly unclassified: readonly string[];
}

/** The module that owns a path: the one whose manifest it is, else the one with the longest directory prefix. */
export function getModuleForPath(modules: readonly Module[], path: string): Module | undefined {
  const byManifest = modules.find((m) => m.manifestFile === path);
  if (byManifest) return byManifest;
  let best: Module | undefined;
  for (const m of modules) {
    if (path.startsWith(`${m.path}/`) && (!best || m.path.length > best.path.length)) best = m;
  }
  return best;
}

function classifyFile(plane: GatePlane, path: string, entrypointChanges: ReadonlySet<string>): ClassifiedFile {
  const area = getAreaRules(plane.gateProfiles).find((a) => a.paths.some((p) => matchGlob(p, path)));
  const module = !area || area.module ? getModuleForPath(plane.modules, path) : undefined;
  const publicApi =
    module !== undefined && (module.entry === path || (module.manifestFile === path && entrypointChanges.has(path)));
  return { path, ...(area ? { area: area.id } : {}), ...(module ? { module: module.name } : {}), publicApi };
}

export function classifyChanges(plane: GatePlane, changes: ChangeSet): DiffFacts {
  const entrypointChanges = new Set(changes.entrypointChanges ?? []);
  const files = [...new Set(changes.files)].sort().map((path) => classifyFile(plane, path, entrypointChanges));
  const names = new Set(files.flatMap((f) => (f.module ? [f.module] : [])));
  return {
    files,
    modules: plane.modules.filter((m) => names.has(m.name)).sort((a, b) => a.name.localeCompare(b.name)),
    areas: [...new Set(files.flatMap((f) => (f.area ? [f.area] : [])))].sort(),
    publicApi: [...new Set(files.filter((f) => f.publicApi).map((f) => f.module as string))].sort(),
    unclassified: files.filter((f) => !f.area && !f.module).map((f) => f.path),
  };
}
